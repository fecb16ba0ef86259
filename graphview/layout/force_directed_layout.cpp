#include "layout/force_directed_layout.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <thread>

namespace orch::graphview {
namespace {

constexpr float kFreezeTemperature = 0.004f;
constexpr float kFineTuneMove = 0.04f;   // rest lengths
constexpr float kFinishedMove = 0.01f;   // rest lengths
constexpr size_t kHistory = 40;
constexpr int kRisingBeforeOscillate = 40;
constexpr int kMinParallelNodes = 2048;

float mean(std::deque<float>::const_iterator first, std::deque<float>::const_iterator last) {
  float sum = 0.0f;
  int count = 0;
  for (auto it = first; it != last; ++it, ++count) sum += *it;
  return count > 0 ? sum / static_cast<float>(count) : 0.0f;
}

}  // namespace

ForceDirectedLayout::ForceDirectedLayout() {
  settings_.registerSetting(QStringLiteral("RestLength"), QStringLiteral("Edge length"), 5.0f,
                            500.0f, 40.0f);
  settings_.registerSetting(QStringLiteral("SpringStrength"), QStringLiteral("Spring strength"),
                            0.001f, 2.0f, 0.2f);
  settings_.registerSetting(QStringLiteral("Repulsion"), QStringLiteral("Repulsion"), 0.01f, 20.0f,
                            1.0f);
  settings_.registerSetting(QStringLiteral("Gravity"), QStringLiteral("Gravity"), 0.0f, 20.0f, 1.0f);
  settings_.registerSetting(QStringLiteral("Theta"), QStringLiteral("Barnes-Hut accuracy (theta)"),
                            0.2f, 1.5f, 1.0f);
  settings_.registerSetting(QStringLiteral("Cooling"), QStringLiteral("Cooling per iteration"), 0.8f,
                            0.999f, 0.98f);
  settings_.registerSetting(QStringLiteral("MaxIterations"), QStringLiteral("Iteration limit"), 10.0f,
                            100000.0f, 2000.0f);
  settings_.registerSetting(QStringLiteral("Threads"), QStringLiteral("Worker threads"), 1.0f, 16.0f,
                            2.0f);
}

ForceDirectedLayout::Constants ForceDirectedLayout::constants() const {
  Constants c{};
  c.restLength = settings_.value(QStringLiteral("RestLength"));
  c.spring = settings_.value(QStringLiteral("SpringStrength"));
  // Repulsion kr: a pair at the rest length pushes with a quarter of a unit spring stretch.
  c.repulsion = settings_.value(QStringLiteral("Repulsion")) * 0.25f * c.spring * c.restLength *
                c.restLength;
  // Gravity g: a 1/d-repelling cloud held by linear gravity settles into a disc with area
  // pi*kr/g per node; aim for about (1.2 L)^2 per node.
  const float area = 1.44f * c.restLength * c.restLength;
  c.gravity = settings_.value(QStringLiteral("Gravity")) * std::numbers::pi_v<float> * c.repulsion / area;
  c.theta = settings_.value(QStringLiteral("Theta"));
  c.cooling = settings_.value(QStringLiteral("Cooling"));
  return c;
}

void ForceDirectedLayout::remap(std::span<const int> oldIndexOf) {
  std::vector<float> next(oldIndexOf.size(), 0.0f);
  for (size_t i = 0; i < oldIndexOf.size(); ++i) {
    const int o = oldIndexOf[i];
    if (o >= 0 && o < static_cast<int>(temperature_.size())) next[i] = temperature_[o];
  }
  temperature_ = std::move(next);
}

void ForceDirectedLayout::reheat(const VisibleGraph& graph, std::span<const int> nodes) {
  temperature_.resize(graph.nodeCount(), 0.0f);
  bool any = false;
  for (int i : nodes) {
    if (i < 0 || i >= graph.nodeCount()) continue;
    any = true;
    temperature_[i] = 1.0f;
    for (int nb : graph.neighbours(i)) {
      temperature_[nb] = std::max(temperature_[nb], 0.5f);
      for (int nb2 : graph.neighbours(nb)) temperature_[nb2] = std::max(temperature_[nb2], 0.2f);
    }
  }
  if (any) {
    phase_ = LayoutPhase::Initial;
    iterations_ = 0;
    history_.clear();
    risingCount_ = 0;
  }
}

void ForceDirectedLayout::reheatAll(int nodeCount) {
  temperature_.assign(nodeCount, 1.0f);
  phase_ = LayoutPhase::Initial;
  iterations_ = 0;
  history_.clear();
  risingCount_ = 0;
}

void ForceDirectedLayout::step(const VisibleGraph& graph, NodePositions& positions) {
  const int n = graph.nodeCount();
  if (static_cast<int>(temperature_.size()) != n) temperature_.resize(n, 1.0f);
  if (phase_ == LayoutPhase::Finished || n == 0) {
    finish();
    return;
  }
  const Constants c = constants();
  std::vector<QVector2D>& pos = positions.data();

  active_.clear();
  for (int i = 0; i < n; ++i) {
    if (temperature_[i] > kFreezeTemperature && !positions.pinned(i)) active_.push_back(i);
  }
  lastActive_ = static_cast<int>(active_.size());
  if (active_.empty()) {
    finish();
    return;
  }

  tree_.build(pos);
  force_.assign(n, QVector2D());

  // Repulsion and gravity for active nodes, split across worker threads for large graphs.
  auto repulse = [&](size_t from, size_t to) {
    for (size_t k = from; k < to; ++k) {
      const int i = active_[k];
      force_[i] = tree_.repulsion(i, pos, c.theta) * c.repulsion - pos[i] * c.gravity;
    }
  };
  const int threads = std::clamp(static_cast<int>(settings_.value(QStringLiteral("Threads"))), 1, 16);
  if (threads > 1 && active_.size() >= static_cast<size_t>(kMinParallelNodes)) {
    std::vector<std::thread> workers;
    const size_t chunk = (active_.size() + threads - 1) / threads;
    for (int t = 1; t < threads; ++t) {
      const size_t from = std::min(active_.size(), chunk * t);
      const size_t to = std::min(active_.size(), from + chunk);
      workers.emplace_back(repulse, from, to);
    }
    repulse(0, std::min(active_.size(), chunk));
    for (std::thread& w : workers) w.join();
  } else {
    repulse(0, active_.size());
  }

  // Springs.
  for (const VisibleEdge& e : graph.edges) {
    const bool sHot = temperature_[e.source] > kFreezeTemperature;
    const bool tHot = temperature_[e.target] > kFreezeTemperature;
    if (!sHot && !tHot) continue;
    const QVector2D diff = pos[e.target] - pos[e.source];
    const float d = diff.length();
    if (d < 1e-6f) continue;
    const QVector2D f = diff * (c.spring * e.weight * (d - c.restLength) / d);
    force_[e.source] += f;
    force_[e.target] -= f;
  }

  // Move: a Jacobi-scaled gradient step, capped by each node's temperature.
  float moveSum = 0.0f;
  const float maxMove = 2.0f * c.restLength;
  for (int i : active_) {
    const float stiffness = c.spring * static_cast<float>(graph.degree(i) + 1) + c.gravity * 4.0f;
    QVector2D move = force_[i] * (0.5f / stiffness);
    const float len = move.length();
    const float cap = maxMove * temperature_[i];
    if (!std::isfinite(len)) continue;
    if (len > cap) move *= cap / len;
    pos[i] += move;
    moveSum += std::min(len, cap);
    temperature_[i] *= c.cooling;
  }
  ++iterations_;
  lastMeanMove_ = moveSum / (static_cast<float>(active_.size()) * c.restLength);
  detectConvergence(lastMeanMove_);
  if (iterations_ >= static_cast<int64_t>(settings_.value(QStringLiteral("MaxIterations")))) finish();
}

void ForceDirectedLayout::detectConvergence(float meanMove) {
  history_.push_back(meanMove);
  if (history_.size() > kHistory) history_.pop_front();
  const bool full = history_.size() == kHistory;
  const size_t halfSize = kHistory / 2;
  const float older = full ? mean(history_.begin(), history_.begin() + halfSize) : 0.0f;
  const float newer = full ? mean(history_.begin() + halfSize, history_.end()) : 0.0f;

  switch (phase_) {
    case LayoutPhase::Initial:
      if (meanMove < kFineTuneMove) {
        phase_ = LayoutPhase::FineTune;
      } else if (full) {
        risingCount_ += newer >= older ? 1 : 0;
        if (risingCount_ >= kRisingBeforeOscillate) phase_ = LayoutPhase::Oscillate;
      }
      break;
    case LayoutPhase::FineTune:
      for (float& t : temperature_) t *= 0.97f;  // small moves left: anneal out quickly
      if (meanMove < kFinishedMove) {
        finish();
      } else if (full && older - newer < 0.02f * older) {
        finish();  // moves stopped shrinking: what is left is jitter
      }
      break;
    case LayoutPhase::Oscillate:
      for (float& t : temperature_) t *= 0.9f;  // cool faster until frozen
      if (meanMove < kFineTuneMove) phase_ = LayoutPhase::FineTune;
      break;
    case LayoutPhase::Finished:
      break;
  }
}

void ForceDirectedLayout::finish() {
  phase_ = LayoutPhase::Finished;
  std::fill(temperature_.begin(), temperature_.end(), 0.0f);
  history_.clear();
  risingCount_ = 0;
}

double ForceDirectedLayout::energy(const VisibleGraph& graph, const NodePositions& positions) const {
  const Constants c = constants();
  const std::vector<QVector2D>& pos = positions.data();
  double spring = 0.0;
  for (const VisibleEdge& e : graph.edges) {
    const double d = (pos[e.target] - pos[e.source]).length();
    spring += 0.5 * c.spring * e.weight * (d - c.restLength) * (d - c.restLength);
  }
  double repulsion = 0.0;
  double gravity = 0.0;
  const size_t n = pos.size();
  for (size_t i = 0; i < n; ++i) {
    gravity += 0.5 * c.gravity * QVector2D::dotProduct(pos[i], pos[i]);
    for (size_t j = i + 1; j < n; ++j) {
      const double d = std::max(1e-6f, (pos[i] - pos[j]).length());
      repulsion -= c.repulsion * std::log(d);
    }
  }
  return spring + repulsion + gravity;
}

}  // namespace orch::graphview
