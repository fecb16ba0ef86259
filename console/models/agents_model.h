// The Agents table: one row per registered agent, kept current by AGENT_ADDED / AGENT_UPDATED /
// AGENT_REMOVED after a SUBSCRIBED snapshot.
#pragma once

#include <QAbstractTableModel>
#include <QHash>

#include "models/keyed_rows.h"
#include "orchestrator/v1/operator.pb.h"

namespace orch::console {

class AgentsModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kHostname, kId, kState, kCpus, kMem, kDisk, kGpus, kAttributes, kEndpoint, kColumnCount };

  explicit AgentsModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  void reset(const google::protobuf::RepeatedPtrField<orchestrator::v1::AgentState>& agents);
  void upsert(const orchestrator::v1::AgentState& agent);
  void remove(const QString& agentId);

  const orchestrator::v1::AgentState* agent(const QString& id) const;
  const orchestrator::v1::AgentState& agentAt(int row) const { return rows_.at(row); }
  std::optional<int> rowOf(const QString& id) const { return rows_.find(id); }
  QHash<QString, int> countByState() const;

  // What the agent's live tasks hold, as the Tasks model sees them (the master does not send an
  // agent update when only its allocation changes). When set for an agent it replaces the
  // agent's reported allocated_resources.
  struct Allocation {
    double cpus = 0, mem = 0, disk = 0, gpus = 0;
    double get(const char* name) const;
  };
  void setTaskAllocation(const QString& agentId, const Allocation& allocation);
  void clearTaskAllocations();
  // The allocated amount of a scalar on the agent in `row`.
  double allocated(int row, const char* name) const;

  // "ACTIVE", "DRAINING", ...
  static QString stateName(orchestrator::v1::AgentState::Status status);
  // The status in words for people, translated ("active", "draining", ...).
  static QString stateText(orchestrator::v1::AgentState::Status status);
  // Same, from a stateName() ("DRAINING"); the name itself when unknown.
  static QString stateTextForName(const QString& name);

 private:
  KeyedRows<orchestrator::v1::AgentState> rows_;
  QHash<QString, Allocation> taskAllocation_;
};

}  // namespace orch::console
