// Turns operator events into graphview deltas: agents, frameworks and live (non-terminal) tasks
// become nodes; a task hangs off its agent (containment) and is linked from its framework.
// Node ids are "agent:<id>", "framework:<id>", "task:<id>".
//
// apply() records what the graph should show; takeDelta() returns the difference from what the
// graph was last given, so any run of events (a task added and finished in the same batch, a
// second SUBSCRIBED) collapses into one valid delta.
#pragma once

#include <QHash>
#include <QSet>
#include <QString>

#include <optional>

#include "model/graph_delta.h"
#include "orchestrator/v1/operator.pb.h"

namespace orch::console {

class TopologyFeed {
 public:
  enum class ObjectKind { kAgent, kFramework, kTask };
  struct ObjectRef {
    ObjectKind kind;
    QString id;
  };

  void apply(const orchestrator::v1::OperatorEvent& event);
  // The changes since the last takeDelta (empty when nothing changed).
  graphview::GraphDelta takeDelta();

  // Nodes the graph shows after the last takeDelta plus pending changes.
  int nodeCount() const { return static_cast<int>(desired_.size()); }
  bool hasNode(const QString& nodeId) const { return desired_.contains(nodeId); }

  static QString agentNode(const QString& agentId) { return QStringLiteral("agent:") + agentId; }
  static QString frameworkNode(const QString& id) { return QStringLiteral("framework:") + id; }
  static QString taskNode(const QString& taskId) { return QStringLiteral("task:") + taskId; }
  // The object a node id names; nullopt for an id this feed does not make.
  static std::optional<ObjectRef> parseNode(const QString& nodeId);

 private:
  void putAgent(const orchestrator::v1::AgentState& agent);
  void putFramework(const orchestrator::v1::FrameworkState& framework);
  void putTask(const orchestrator::v1::TaskRecord& task);
  void put(graphview::NodeData node);
  void drop(const QString& nodeId);

  QHash<QString, graphview::NodeData> desired_;
  QHash<QString, graphview::NodeData> applied_;
  QHash<QString, QString> taskFramework_;  // desired: task node -> framework node (edge source)
  QHash<QString, graphview::EdgeData> appliedEdges_;
  QSet<QString> dirty_;  // node ids whose node or edge may differ from applied
};

}  // namespace orch::console
