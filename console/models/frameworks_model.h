// The Frameworks table: one row per framework, kept current by FRAMEWORK_ADDED / _UPDATED /
// _REMOVED after a SUBSCRIBED snapshot.
#pragma once

#include <QAbstractTableModel>

#include "models/keyed_rows.h"
#include "orchestrator/v1/operator.pb.h"

namespace orch::console {

class FrameworksModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kName, kId, kState, kPrincipal, kRoles, kCpus, kMem, kRegistered, kColumnCount };

  explicit FrameworksModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  void reset(const google::protobuf::RepeatedPtrField<orchestrator::v1::FrameworkState>& frameworks);
  void upsert(const orchestrator::v1::FrameworkState& framework);
  void remove(const QString& frameworkId);

  const orchestrator::v1::FrameworkState* framework(const QString& id) const;
  const orchestrator::v1::FrameworkState& frameworkAt(int row) const { return rows_.at(row); }
  std::optional<int> rowOf(const QString& id) const { return rows_.find(id); }

 private:
  QString stateText(const orchestrator::v1::FrameworkState& f) const;

  KeyedRows<orchestrator::v1::FrameworkState> rows_;
};

}  // namespace orch::console
