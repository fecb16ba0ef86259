// The Tasks table: one row per task the master knows (running and completed), kept current
// by the operator event stream (TASK_ADDED / TASK_UPDATED) after a SUBSCRIBED snapshot.
#pragma once

#include <QAbstractTableModel>
#include <QHash>

#include "models/keyed_rows.h"
#include "orchestrator/v1/operator.pb.h"

namespace orch::console {

class TasksModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kId, kName, kState, kFramework, kAgent, kCpus, kMem, kAge, kMessage, kColumnCount };

  explicit TasksModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // Replaces every row (after SUBSCRIBED).
  void reset(const google::protobuf::RepeatedPtrField<orchestrator::v1::TaskRecord>& tasks,
             const google::protobuf::RepeatedPtrField<orchestrator::v1::TaskRecord>& completed);
  // Adds or updates the task's row.
  void upsert(const orchestrator::v1::TaskRecord& task);
  // Names agents by hostname in the Agent column (ids stay the sort key).
  void setAgentName(const QString& agentId, const QString& hostname);
  // The ages change with time: tells views to repaint that column.
  void refreshAges();

  const orchestrator::v1::TaskRecord* task(const QString& id) const;
  const orchestrator::v1::TaskRecord& taskAt(int row) const { return rows_.at(row); }
  std::optional<int> rowOf(const QString& id) const { return rows_.find(id); }
  // Tasks per state name ("RUNNING" -> 3).
  QHash<QString, int> countByState() const;

  // "RUNNING" for TASK_RUNNING.
  static QString stateName(orchestrator::v1::TaskState state);
  static bool isTerminal(orchestrator::v1::TaskState state);
  // The state in words for people, translated ("running", "finished", ...).
  static QString stateText(orchestrator::v1::TaskState state);
  // Same, from a stateName() ("RUNNING"); the name itself when unknown.
  static QString stateTextForName(const QString& name);

 private:
  KeyedRows<orchestrator::v1::TaskRecord> rows_;
  QHash<QString, QString> agentNames_;
};

}  // namespace orch::console
