#include "models/topology_feed.h"

#include "models/resource_values.h"
#include "models/tasks_model.h"

namespace orch::console {

namespace v1 = orchestrator::v1;
using graphview::EdgeData;
using graphview::GraphDelta;
using graphview::NodeData;
using graphview::NodeKind;
using graphview::NodeStatus;

namespace {
bool sameNode(const NodeData& a, const NodeData& b) {
  return a.label == b.label && a.kind == b.kind && a.status == b.status && a.metric == b.metric &&
         a.parentId == b.parentId;
}
}  // namespace

std::optional<TopologyFeed::ObjectRef> TopologyFeed::parseNode(const QString& nodeId) {
  const int colon = nodeId.indexOf(QLatin1Char(':'));
  if (colon <= 0) return std::nullopt;
  const QString prefix = nodeId.left(colon);
  const QString id = nodeId.mid(colon + 1);
  if (id.isEmpty()) return std::nullopt;
  if (prefix == QLatin1String("agent")) return ObjectRef{ObjectKind::kAgent, id};
  if (prefix == QLatin1String("framework")) return ObjectRef{ObjectKind::kFramework, id};
  if (prefix == QLatin1String("task")) return ObjectRef{ObjectKind::kTask, id};
  return std::nullopt;
}

void TopologyFeed::put(NodeData node) {
  dirty_.insert(node.id);
  desired_.insert(node.id, std::move(node));
}

void TopologyFeed::drop(const QString& nodeId) {
  if (desired_.remove(nodeId) > 0 || applied_.contains(nodeId)) dirty_.insert(nodeId);
  taskFramework_.remove(nodeId);
}

void TopologyFeed::putAgent(const v1::AgentState& agent) {
  NodeData node;
  node.id = agentNode(QString::fromStdString(agent.agent_info().agent_id()));
  node.label = QString::fromStdString(agent.agent_info().hostname());
  if (node.label.isEmpty()) node.label = QString::fromStdString(agent.agent_info().agent_id());
  node.kind = NodeKind::Agent;
  switch (agent.status()) {
    case v1::AgentState::ACTIVE: node.status = NodeStatus::Healthy; break;
    case v1::AgentState::DRAINING:
    case v1::AgentState::DRAINED: node.status = NodeStatus::Warning; break;
    case v1::AgentState::UNREACHABLE: node.status = NodeStatus::Critical; break;
    default: node.status = NodeStatus::Stopped; break;
  }
  const double total = scalarSum(agent.total_resources(), "cpus");
  node.metric = total > 0 ? static_cast<float>(scalarSum(agent.allocated_resources(), "cpus") / total) : 0.0f;
  put(std::move(node));
}

void TopologyFeed::putFramework(const v1::FrameworkState& framework) {
  NodeData node;
  node.id = frameworkNode(QString::fromStdString(framework.framework_info().framework_id()));
  node.label = QString::fromStdString(framework.framework_info().name());
  node.kind = NodeKind::Service;
  node.status = !framework.active()      ? NodeStatus::Stopped
                : framework.connected() ? NodeStatus::Healthy
                                        : NodeStatus::Warning;
  put(std::move(node));
}

void TopologyFeed::putTask(const v1::TaskRecord& task) {
  const QString id = taskNode(QString::fromStdString(task.task_info().task_id()));
  if (TasksModel::isTerminal(task.state())) {
    drop(id);
    return;
  }
  NodeData node;
  node.id = id;
  node.label = QString::fromStdString(task.task_info().name());
  if (node.label.isEmpty()) node.label = QString::fromStdString(task.task_info().task_id());
  node.kind = NodeKind::Task;
  switch (task.state()) {
    case v1::TASK_RUNNING: node.status = NodeStatus::Healthy; break;
    case v1::TASK_UNREACHABLE:
    case v1::TASK_KILLING: node.status = NodeStatus::Critical; break;
    default: node.status = NodeStatus::Warning; break;
  }
  node.metric = static_cast<float>(scalarSum(task.task_info().resources(), "cpus"));
  if (!task.task_info().agent_id().empty()) {
    node.parentId = agentNode(QString::fromStdString(task.task_info().agent_id()));
  }
  if (!task.framework_id().empty()) {
    taskFramework_.insert(id, frameworkNode(QString::fromStdString(task.framework_id())));
  }
  put(std::move(node));
}

void TopologyFeed::apply(const v1::OperatorEvent& event) {
  switch (event.type()) {
    case v1::OperatorEvent::SUBSCRIBED: {
      for (auto it = desired_.cbegin(); it != desired_.cend(); ++it) dirty_.insert(it.key());
      desired_.clear();
      taskFramework_.clear();
      for (const v1::AgentState& a : event.state().agents()) putAgent(a);
      for (const v1::FrameworkState& f : event.state().frameworks()) putFramework(f);
      for (const v1::TaskRecord& t : event.state().tasks()) putTask(t);
      break;
    }
    case v1::OperatorEvent::TASK_ADDED:
    case v1::OperatorEvent::TASK_UPDATED:
      putTask(event.task());
      break;
    case v1::OperatorEvent::AGENT_ADDED:
    case v1::OperatorEvent::AGENT_UPDATED:
      putAgent(event.agent());
      break;
    case v1::OperatorEvent::AGENT_REMOVED: {
      const std::string& id = event.agent_id().empty() ? event.agent().agent_info().agent_id() : event.agent_id();
      drop(agentNode(QString::fromStdString(id)));
      break;
    }
    case v1::OperatorEvent::FRAMEWORK_ADDED:
    case v1::OperatorEvent::FRAMEWORK_UPDATED:
      putFramework(event.framework());
      // Tasks that arrived before their framework get their edge now.
      for (auto it = taskFramework_.cbegin(); it != taskFramework_.cend(); ++it) {
        if (it.value() == frameworkNode(QString::fromStdString(event.framework().framework_info().framework_id()))) {
          dirty_.insert(it.key());
        }
      }
      break;
    case v1::OperatorEvent::FRAMEWORK_REMOVED: {
      const std::string& id =
          event.framework_id().empty() ? event.framework().framework_info().framework_id() : event.framework_id();
      drop(frameworkNode(QString::fromStdString(id)));
      break;
    }
    default:
      break;
  }
}

GraphDelta TopologyFeed::takeDelta() {
  GraphDelta delta;
  // Nodes first; edges touching removed nodes vanish with them in the graph model.
  for (const QString& id : std::as_const(dirty_)) {
    auto want = desired_.constFind(id);
    auto have = applied_.find(id);
    if (want == desired_.cend()) {
      if (have != applied_.end()) {
        delta.removeNode(id);
        applied_.erase(have);
      }
    } else if (have == applied_.end()) {
      delta.addNode(*want);
      applied_.insert(id, *want);
    } else if (!sameNode(*have, *want)) {
      delta.updateNode(*want);
      *have = *want;
    }
  }
  // Edges framework -> task: drop those whose endpoints went, add those now possible.
  for (auto it = appliedEdges_.begin(); it != appliedEdges_.end();) {
    const bool alive = applied_.contains(it->source) && applied_.contains(it->target) &&
                       taskFramework_.value(it->target) == it->source;
    if (alive) {
      ++it;
      continue;
    }
    // Only edges whose both nodes survive need an explicit removal.
    if (applied_.contains(it->source) && applied_.contains(it->target)) delta.removeEdge(it.key());
    it = appliedEdges_.erase(it);
  }
  for (const QString& id : std::as_const(dirty_)) {
    const QString source = taskFramework_.value(id);
    if (source.isEmpty() || !applied_.contains(id) || !applied_.contains(source)) continue;
    const QString key = GraphDelta::edgeKey(source, id);
    if (appliedEdges_.contains(key)) continue;
    EdgeData edge;
    edge.id = key;
    edge.source = source;
    edge.target = id;
    appliedEdges_.insert(key, edge);
    delta.addEdge(edge);
  }
  dirty_.clear();
  return delta;
}

}  // namespace orch::console
