// The console's picture of the cluster: the Agents, Frameworks and Tasks models, fed only by
// operator events (SUBSCRIBED rebuilds everything, the deltas after it update single rows).
// Lives on the GUI thread.
#pragma once

#include <QObject>
#include <QString>

#include <vector>

#include "models/agents_model.h"
#include "models/frameworks_model.h"
#include "models/tasks_model.h"
#include "orchestrator/v1/operator.pb.h"

namespace orch::console {

class ClusterModels : public QObject {
  Q_OBJECT

 public:
  explicit ClusterModels(QObject* parent = nullptr);

  AgentsModel& agents() { return agents_; }
  FrameworksModel& frameworks() { return frameworks_; }
  TasksModel& tasks() { return tasks_; }
  const AgentsModel& agents() const { return agents_; }
  const TasksModel& tasks() const { return tasks_; }

  // Applies one event / a batch in order; emits batchApplied once per call.
  void apply(const orchestrator::v1::OperatorEvent& event);
  void applyBatch(const std::vector<orchestrator::v1::OperatorEvent>& events);

  QString masterId() const { return masterId_; }
  QString leader() const { return leader_; }
  qint64 eventsApplied() const { return eventsApplied_; }

 signals:
  // After a SUBSCRIBED event replaced everything.
  void snapshotApplied();
  // After every apply/applyBatch, with the events just applied (for the topology view).
  void batchApplied(const std::vector<orchestrator::v1::OperatorEvent>& events);
  void leaderChanged(const QString& leader);

 private:
  void applyOne(const orchestrator::v1::OperatorEvent& event);
  // Adds (sign +1) or removes (-1) a live task's resources from its agent's task sum.
  void account(const orchestrator::v1::TaskRecord& task, double sign);
  // The master just reported the agent: its allocated_resources include every task seen so far.
  void agentReported(const QString& agentId);
  // Shows the agent's allocation as reported + what tasks changed since the report.
  void publishAllocation(const QString& agentId);

  AgentsModel agents_;
  FrameworksModel frameworks_;
  TasksModel tasks_;
  QHash<QString, AgentsModel::Allocation> taskSum_;      // agent id -> live tasks' resources
  QHash<QString, AgentsModel::Allocation> reportedSum_;  // taskSum_ when the master last reported the agent
  QString masterId_;
  QString leader_;
  qint64 eventsApplied_ = 0;
};

}  // namespace orch::console
