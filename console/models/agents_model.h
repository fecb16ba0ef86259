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

  // "ACTIVE", "DRAINING", ...
  static QString stateName(orchestrator::v1::AgentState::Status status);
  // The status in words for people, translated ("active", "draining", ...).
  static QString stateText(orchestrator::v1::AgentState::Status status);

 private:
  KeyedRows<orchestrator::v1::AgentState> rows_;
};

}  // namespace orch::console
