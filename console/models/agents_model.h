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

  // Amounts of the four scalars.
  struct Allocation {
    double cpus = 0, mem = 0, disk = 0, gpus = 0;
    double get(const char* name) const;
    Allocation operator-(const Allocation& other) const;
    bool isZero() const;
  };
  // What task events have added to (or taken from) the agent's allocation since the master last
  // reported the agent (SUBSCRIBED, AGENT_ADDED or AGENT_UPDATED, whose allocated_resources are
  // authoritative). The master reports allocation changes at most twice a second, so the views
  // follow a launch at once and settle on the master's figure with its next AGENT_UPDATED.
  void setAllocationDelta(const QString& agentId, const Allocation& delta);
  void clearAllocationDeltas();
  // The allocated amount of a scalar on the agent in `row`: reported + delta, never below 0.
  double allocated(int row, const char* name) const;

  // "ACTIVE", "DRAINING", ...
  static QString stateName(orchestrator::v1::AgentState::Status status);
  // The status in words for people, translated ("active", "draining", ...).
  static QString stateText(orchestrator::v1::AgentState::Status status);
  // Same, from a stateName() ("DRAINING"); the name itself when unknown.
  static QString stateTextForName(const QString& name);

 private:
  KeyedRows<orchestrator::v1::AgentState> rows_;
  QHash<QString, Allocation> allocationDelta_;
};

}  // namespace orch::console
