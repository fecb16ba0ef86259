#include "layout/layout_thread.h"

#include <chrono>

namespace orch::graphview {

LayoutThread::LayoutThread(std::unique_ptr<Layout> layout, QObject* parent)
    : QObject(parent), layout_(std::move(layout)), graph_(std::make_shared<VisibleGraph>()) {
  current_ = std::make_shared<LayoutSnapshot>();
  current_->graph = graph_;
}

LayoutThread::~LayoutThread() { stop(); }

void LayoutThread::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void LayoutThread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LayoutThread::setGraph(std::shared_ptr<const VisibleGraph> graph) {
  {
    std::lock_guard lock(mutex_);
    pendingGraph_ = std::move(graph);
    idle_ = false;
  }
  wake_.notify_all();
}

void LayoutThread::pinNode(const QString& id, QVector2D position) {
  {
    std::lock_guard lock(mutex_);
    pendingPins_.push_back({id, position});
    idle_ = false;
  }
  wake_.notify_all();
}

void LayoutThread::unpinNode(const QString& id) {
  {
    std::lock_guard lock(mutex_);
    pendingPins_.push_back({id, std::nullopt});
    idle_ = false;
  }
  wake_.notify_all();
}

void LayoutThread::reheatAll() {
  {
    std::lock_guard lock(mutex_);
    pendingReheat_ = true;
    idle_ = false;
  }
  wake_.notify_all();
}

void LayoutThread::setPaused(bool paused) {
  {
    std::lock_guard lock(mutex_);
    paused_ = paused;
    idle_ = false;
  }
  wake_.notify_all();
}

QString LayoutThread::setSetting(const QString& name, float value) {
  // Validate against the layout's own table (its ranges never change after construction).
  LayoutSettings probe;
  for (const LayoutSetting& s : layout_->settings().all()) {
    probe.registerSetting(s.name, s.label, s.minimum, s.maximum, s.defaultValue);
  }
  if (QString error = probe.setValue(name, value); !error.isEmpty()) return error;
  {
    std::lock_guard lock(mutex_);
    pendingSettings_.emplace_back(name, value);
    pendingReheat_ = true;
    idle_ = false;
  }
  wake_.notify_all();
  return {};
}

std::shared_ptr<const LayoutSnapshot> LayoutThread::snapshot() const {
  std::lock_guard lock(mutex_);
  notified_ = false;
  return current_;
}

bool LayoutThread::isIdle() const {
  std::lock_guard lock(mutex_);
  return idle_;
}

bool LayoutThread::waitUntilIdle(int timeoutMs) const {
  std::unique_lock lock(mutex_);
  return idleChanged_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this] { return idle_; });
}

void LayoutThread::run() {
  for (;;) {
    std::shared_ptr<const VisibleGraph> newGraph;
    std::vector<PinRequest> pins;
    std::vector<std::pair<QString, float>> settings;
    bool reheat = false;
    bool paused = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] {
        return stopping_ || pendingGraph_ || !pendingPins_.empty() || pendingReheat_ ||
               (!paused_ && !layout_->finished());
      });
      if (stopping_) return;
      newGraph = std::move(pendingGraph_);
      pendingGraph_.reset();
      pins.swap(pendingPins_);
      settings.swap(pendingSettings_);
      reheat = pendingReheat_;
      pendingReheat_ = false;
      paused = paused_;
    }

    for (const auto& [name, value] : settings) layout_->settings().setValue(name, value);
    const float spacing = layout_->settings().find(QStringLiteral("RestLength")).value_or(40.0f);
    if (newGraph) {
      const AdoptResult adopted = positions_.adopt(graph_.get(), *newGraph, spacing);
      graph_ = std::move(newGraph);
      layout_->remap(adopted.oldIndexOf);
      layout_->reheat(*graph_, adopted.changed);
    }
    std::vector<int> touched;
    for (const PinRequest& pin : pins) {
      const int i = graph_->find(pin.id);
      if (i < 0) continue;
      if (pin.position) {
        positions_.set(i, *pin.position);
        positions_.setPinned(i, true);
      } else {
        positions_.setPinned(i, false);
      }
      touched.push_back(i);
    }
    if (!touched.empty()) layout_->reheat(*graph_, touched);
    if (reheat) layout_->reheatAll(graph_->nodeCount());

    if (!paused && !layout_->finished()) {
      layout_->step(*graph_, positions_);
      ++totalIterations_;
    }
    publish();

    {
      std::lock_guard lock(mutex_);
      const bool nothingPending = !pendingGraph_ && pendingPins_.empty() && !pendingReheat_;
      idle_ = nothingPending && (paused_ || layout_->finished());
    }
    idleChanged_.notify_all();
    if (!notified_.exchange(true)) emit snapshotReady();
  }
}

void LayoutThread::publish() {
  std::shared_ptr<LayoutSnapshot> target;
  {
    std::lock_guard lock(mutex_);
    // Reuse the spare buffer when no reader still holds it; otherwise allocate a fresh one.
    if (spare_ && spare_.use_count() == 1) {
      target = std::move(spare_);
    }
  }
  if (!target) target = std::make_shared<LayoutSnapshot>();
  target->graph = graph_;
  target->positions = positions_.data();
  target->pinned = positions_.pinnedFlags();
  target->phase = layout_->phase();
  target->bounds = positions_.bounds();
  std::lock_guard lock(mutex_);
  target->generation = ++generation_;
  spare_ = std::move(current_);
  current_ = std::move(target);
}

}  // namespace orch::graphview
