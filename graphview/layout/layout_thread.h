#pragma once

#include "layout/layout.h"
#include "layout/node_positions.h"

#include <QObject>
#include <QRectF>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace orch::graphview {

// A consistent picture for the renderer: positions always match graph's node indices.
struct LayoutSnapshot {
  std::shared_ptr<const VisibleGraph> graph;
  std::vector<QVector2D> positions;
  std::vector<uint8_t> pinned;
  LayoutPhase phase = LayoutPhase::Finished;
  uint64_t generation = 0;  // increases with every published snapshot
  QRectF bounds;
};

// Runs a Layout on its own thread. The thread owns NodePositions; callers hand it new graphs and
// pin requests, and read the latest published LayoutSnapshot. Snapshots are double-buffered: the
// thread fills a buffer no reader holds, then publishes it with a pointer swap. When the layout
// reports Finished and nothing is pending, the thread sleeps (no CPU for a settled graph).
class LayoutThread : public QObject {
  Q_OBJECT

 public:
  explicit LayoutThread(std::unique_ptr<Layout> layout, QObject* parent = nullptr);
  ~LayoutThread() override;

  void start();
  void stop();

  // Switches to a new graph at the start of the next iteration: nodes keep their place, new ones
  // are placed next to their parent or neighbours, and the changed region is reheated.
  void setGraph(std::shared_ptr<const VisibleGraph> graph);
  // Pins a node at a world position (dragging) / releases it; its neighbourhood reheats.
  void pinNode(const QString& id, QVector2D position);
  void unpinNode(const QString& id);
  // Restarts the layout for the whole graph.
  void reheatAll();
  // Pauses iterations (snapshots still follow graph changes).
  void setPaused(bool paused);
  // Changes a layout setting; returns an error naming it when invalid. Reheats on success.
  QString setSetting(const QString& name, float value);

  // The latest snapshot (never null after construction; empty graph at first).
  std::shared_ptr<const LayoutSnapshot> snapshot() const;
  // True when nothing is pending and the layout has finished (or is paused).
  bool isIdle() const;
  // Blocks up to timeoutMs for isIdle(); returns whether it became idle.
  bool waitUntilIdle(int timeoutMs) const;
  // Layout iterations run since start().
  uint64_t totalIterations() const { return totalIterations_.load(); }

 signals:
  // A new snapshot is available. Emitted from the layout thread, at most once until the next
  // snapshot() call, so a slow consumer is never flooded.
  void snapshotReady();

 private:
  struct PinRequest {
    QString id;
    std::optional<QVector2D> position;  // nullopt = unpin
  };
  void run();
  void publish();

  std::unique_ptr<Layout> layout_;
  NodePositions positions_;
  std::shared_ptr<const VisibleGraph> graph_;  // layout-thread side

  mutable std::mutex mutex_;
  mutable std::condition_variable wake_;
  mutable std::condition_variable idleChanged_;
  std::shared_ptr<const VisibleGraph> pendingGraph_;
  std::vector<PinRequest> pendingPins_;
  std::vector<std::pair<QString, float>> pendingSettings_;
  bool pendingReheat_ = false;
  bool paused_ = false;
  bool stopping_ = false;
  bool idle_ = true;
  std::shared_ptr<LayoutSnapshot> current_;
  std::shared_ptr<LayoutSnapshot> spare_;
  uint64_t generation_ = 0;
  mutable std::atomic<bool> notified_{false};
  std::atomic<uint64_t> totalIterations_{0};
  std::thread thread_;
};

}  // namespace orch::graphview
