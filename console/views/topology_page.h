// The Topology tab: agents, frameworks and live tasks drawn by graphview's GraphWidget, fed by
// the same operator events as the tables (batched: at most one delta every 200 ms). Selecting a
// node announces the object so the tables can select it too, and the other way round.
#pragma once

#include <QLabel>
#include <QTimer>
#include <QWidget>

#include <vector>

#include "models/topology_feed.h"
#include "orchestrator/v1/operator.pb.h"

namespace orch::graphview {
class GraphWidget;
}

namespace orch::console {

class ClusterModels;

class TopologyPage : public QWidget {
  Q_OBJECT

 public:
  explicit TopologyPage(ClusterModels& models, QWidget* parent = nullptr);

  graphview::GraphWidget* graph() const { return graph_; }
  const TopologyFeed& feed() const { return feed_; }
  // Applies pending changes to the graph now (tests).
  void flush();
  // Selects the node of an object (from a table); no signal back.
  void selectObject(TopologyFeed::ObjectKind kind, const QString& id);

 signals:
  void objectSelected(orch::console::TopologyFeed::ObjectKind kind, const QString& id);
  void objectActivated(orch::console::TopologyFeed::ObjectKind kind, const QString& id);

 protected:
  // A hidden graph is not updated (only the feed's bookkeeping runs); showing it catches up.
  void showEvent(QShowEvent* event) override;

 private:
  void onBatch(const std::vector<orchestrator::v1::OperatorEvent>& events);

  TopologyFeed feed_;
  graphview::GraphWidget* graph_;
  QLabel* legend_;
  QTimer flushTimer_;
  bool syncing_ = false;
};

}  // namespace orch::console
