#include "models/frameworks_model.h"

#include <QDateTime>
#include <QStringList>

#include "models/model_roles.h"
#include "models/resource_values.h"

namespace orch::console {

namespace v1 = orchestrator::v1;

FrameworksModel::FrameworksModel(QObject* parent) : QAbstractTableModel(parent) {}

int FrameworksModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }
int FrameworksModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QString FrameworksModel::stateText(const v1::FrameworkState& f) const {
  if (!f.active()) return tr("inactive");
  return f.connected() ? tr("connected") : tr("disconnected");
}

QVariant FrameworksModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size()) return {};
  const v1::FrameworkState& f = rows_.at(index.row());
  if (role == kIdRole) return rows_.idAt(index.row());
  if (role == kStateRole) {
    if (!f.active()) return QStringLiteral("inactive");
    return f.connected() ? QStringLiteral("connected") : QStringLiteral("disconnected");
  }
  const bool sort = role == kSortRole;
  if (role == Qt::DisplayRole || sort || role == Qt::ToolTipRole) {
    const double cpus = scalarSum(f.allocated_resources(), "cpus");
    const double mem = scalarSum(f.allocated_resources(), "mem");
    switch (index.column()) {
      case kName: return QString::fromStdString(f.framework_info().name());
      case kId: return rows_.idAt(index.row());
      case kState: return stateText(f);
      case kPrincipal: return QString::fromStdString(f.framework_info().principal());
      case kRoles: {
        QStringList roles;
        for (const std::string& r : f.framework_info().roles()) roles << QString::fromStdString(r);
        return roles.join(QStringLiteral(", "));
      }
      case kCpus: return sort ? QVariant(cpus) : QVariant(numberText(cpus));
      case kMem: return sort ? QVariant(mem) : QVariant(megabytesText(mem));
      case kRegistered:
        if (sort) return f.registered_time();
        if (f.registered_time() <= 0) return QStringLiteral("-");
        return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(f.registered_time() * 1000))
            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
      default: return {};
    }
  }
  return {};
}

QVariant FrameworksModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kName: return tr("Name");
    case kId: return tr("Framework ID");
    case kState: return tr("State");
    case kPrincipal: return tr("Principal");
    case kRoles: return tr("Roles");
    case kCpus: return tr("CPUs allocated");
    case kMem: return tr("Memory allocated");
    case kRegistered: return tr("Registered");
    default: return {};
  }
}

void FrameworksModel::reset(const google::protobuf::RepeatedPtrField<v1::FrameworkState>& frameworks) {
  beginResetModel();
  rows_.clear();
  for (const v1::FrameworkState& f : frameworks) {
    const QString id = QString::fromStdString(f.framework_info().framework_id());
    if (auto row = rows_.find(id)) {
      rows_.replace(*row, f);
    } else {
      rows_.append(id, f);
    }
  }
  endResetModel();
}

void FrameworksModel::upsert(const v1::FrameworkState& framework) {
  const QString id = QString::fromStdString(framework.framework_info().framework_id());
  if (id.isEmpty()) return;
  if (auto row = rows_.find(id)) {
    rows_.replace(*row, framework);
    emit dataChanged(index(*row, 0), index(*row, kColumnCount - 1));
    return;
  }
  const int row = rows_.size();
  beginInsertRows({}, row, row);
  rows_.append(id, framework);
  endInsertRows();
}

void FrameworksModel::remove(const QString& frameworkId) {
  auto row = rows_.find(frameworkId);
  if (!row) return;
  beginRemoveRows({}, *row, *row);
  rows_.removeAt(*row);
  endRemoveRows();
}

const v1::FrameworkState* FrameworksModel::framework(const QString& id) const {
  auto row = rows_.find(id);
  return row ? &rows_.at(*row) : nullptr;
}

}  // namespace orch::console
