#include "views/topology_page.h"

#include <QShowEvent>
#include <QVBoxLayout>

#include "models/cluster_models.h"
#include "render/graph_widget.h"

namespace orch::console {

TopologyPage::TopologyPage(ClusterModels& models, QWidget* parent) : QWidget(parent) {
  graph_ = new graphview::GraphWidget(this);
  graph_->setTrafficAnimation(false);
  graph_->setFocusPolicy(Qt::StrongFocus);
  legend_ = new QLabel(tr("Agents are drawn with their tasks around them; edges run from a framework to its tasks. "
                          "Green: healthy, amber: draining or starting, red: unreachable. "
                          "Wheel zooms, F fits, double-click opens the object."),
                       this);
  legend_->setWordWrap(true);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(graph_, 1);
  layout->addWidget(legend_);

  flushTimer_.setSingleShot(true);
  flushTimer_.setInterval(200);
  connect(&flushTimer_, &QTimer::timeout, this, &TopologyPage::flush);
  connect(&models, &ClusterModels::batchApplied, this, &TopologyPage::onBatch);
  connect(graph_, &graphview::GraphWidget::selectionChanged, this, [this](const QStringList& ids) {
    if (syncing_ || ids.size() != 1) return;
    if (auto ref = TopologyFeed::parseNode(ids.first())) emit objectSelected(ref->kind, ref->id);
  });
  connect(graph_, &graphview::GraphWidget::nodeActivated, this, [this](const QString& id) {
    if (auto ref = TopologyFeed::parseNode(id)) emit objectActivated(ref->kind, ref->id);
  });
}

void TopologyPage::onBatch(const std::vector<orchestrator::v1::OperatorEvent>& events) {
  for (const auto& e : events) feed_.apply(e);
  if (isVisible() && !flushTimer_.isActive()) flushTimer_.start();
}

void TopologyPage::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  flush();
}

void TopologyPage::flush() {
  flushTimer_.stop();
  graphview::GraphDelta delta = feed_.takeDelta();
  if (!delta.isEmpty()) graph_->applyDelta(delta);
}

void TopologyPage::selectObject(TopologyFeed::ObjectKind kind, const QString& id) {
  QString node;
  switch (kind) {
    case TopologyFeed::ObjectKind::kAgent: node = TopologyFeed::agentNode(id); break;
    case TopologyFeed::ObjectKind::kFramework: node = TopologyFeed::frameworkNode(id); break;
    case TopologyFeed::ObjectKind::kTask: node = TopologyFeed::taskNode(id); break;
  }
  syncing_ = true;
  graph_->setSelection(feed_.hasNode(node) ? QStringList{node} : QStringList{});
  syncing_ = false;
}

}  // namespace orch::console
