#include "models/cluster_models.h"

#include "models/resource_values.h"

namespace orch::console {

namespace v1 = orchestrator::v1;

ClusterModels::ClusterModels(QObject* parent) : QObject(parent), agents_(this), frameworks_(this), tasks_(this) {}

void ClusterModels::apply(const v1::OperatorEvent& event) {
  applyOne(event);
  emit batchApplied({event});
}

void ClusterModels::applyBatch(const std::vector<v1::OperatorEvent>& events) {
  if (events.empty()) return;
  for (const v1::OperatorEvent& e : events) applyOne(e);
  emit batchApplied(events);
}

void ClusterModels::account(const v1::TaskRecord& task, double sign) {
  if (TasksModel::isTerminal(task.state()) || task.task_info().agent_id().empty()) return;
  AgentsModel::Allocation& a = taskSum_[QString::fromStdString(task.task_info().agent_id())];
  a.cpus += sign * scalarSum(task.task_info().resources(), "cpus");
  a.mem += sign * scalarSum(task.task_info().resources(), "mem");
  a.disk += sign * scalarSum(task.task_info().resources(), "disk");
  a.gpus += sign * scalarSum(task.task_info().resources(), "gpus");
}

void ClusterModels::agentReported(const QString& agentId) {
  reportedSum_.insert(agentId, taskSum_.value(agentId));
  agents_.setAllocationDelta(agentId, {});
}

void ClusterModels::publishAllocation(const QString& agentId) {
  agents_.setAllocationDelta(agentId, taskSum_.value(agentId) - reportedSum_.value(agentId));
}

void ClusterModels::applyOne(const v1::OperatorEvent& event) {
  ++eventsApplied_;
  switch (event.type()) {
    case v1::OperatorEvent::SUBSCRIBED: {
      const v1::GetState& s = event.state();
      masterId_ = QString::fromStdString(s.master_id());
      const QString leader = QString::fromStdString(s.leader());
      agents_.reset(s.agents());
      frameworks_.reset(s.frameworks());
      for (const v1::AgentState& a : s.agents()) {
        tasks_.setAgentName(QString::fromStdString(a.agent_info().agent_id()),
                            QString::fromStdString(a.agent_info().hostname()));
      }
      tasks_.reset(s.tasks(), s.completed_tasks());
      taskSum_.clear();
      reportedSum_.clear();
      agents_.clearAllocationDeltas();
      for (const v1::TaskRecord& t : s.tasks()) account(t, +1);
      reportedSum_ = taskSum_;  // the snapshot's allocated_resources already hold these tasks
      if (leader != leader_) {
        leader_ = leader;
        emit leaderChanged(leader_);
      }
      emit snapshotApplied();
      break;
    }
    case v1::OperatorEvent::TASK_ADDED:
    case v1::OperatorEvent::TASK_UPDATED: {
      const QString taskId = QString::fromStdString(event.task().task_info().task_id());
      QString previousAgent;
      if (const v1::TaskRecord* previous = tasks_.task(taskId)) {
        previousAgent = QString::fromStdString(previous->task_info().agent_id());
        account(*previous, -1);
      }
      account(event.task(), +1);
      tasks_.upsert(event.task());
      const QString agent = QString::fromStdString(event.task().task_info().agent_id());
      if (!agent.isEmpty()) publishAllocation(agent);
      if (!previousAgent.isEmpty() && previousAgent != agent) publishAllocation(previousAgent);
      break;
    }
    case v1::OperatorEvent::AGENT_ADDED:
    case v1::OperatorEvent::AGENT_UPDATED:
    {
      // The whole AgentState: status, total, allocated and offered resources, attributes.
      const QString id = QString::fromStdString(event.agent().agent_info().agent_id());
      agents_.upsert(event.agent());
      agentReported(id);
      tasks_.setAgentName(id, QString::fromStdString(event.agent().agent_info().hostname()));
      break;
    }
    case v1::OperatorEvent::AGENT_REMOVED: {
      const std::string& id = event.agent_id().empty() ? event.agent().agent_info().agent_id() : event.agent_id();
      agents_.remove(QString::fromStdString(id));
      agents_.setAllocationDelta(QString::fromStdString(id), {});
      reportedSum_.remove(QString::fromStdString(id));
      break;
    }
    case v1::OperatorEvent::FRAMEWORK_ADDED:
    case v1::OperatorEvent::FRAMEWORK_UPDATED:
      frameworks_.upsert(event.framework());
      break;
    case v1::OperatorEvent::FRAMEWORK_REMOVED: {
      const std::string& id =
          event.framework_id().empty() ? event.framework().framework_info().framework_id() : event.framework_id();
      frameworks_.remove(QString::fromStdString(id));
      break;
    }
    default:
      break;
  }
}

}  // namespace orch::console
