#include "models/tasks_model.h"

#include <QBrush>
#include <QColor>

#include "models/model_roles.h"
#include "models/resource_values.h"

namespace orch::console {

namespace v1 = orchestrator::v1;

TasksModel::TasksModel(QObject* parent) : QAbstractTableModel(parent) {}

int TasksModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }
int TasksModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QString TasksModel::stateName(v1::TaskState state) {
  QString name = QString::fromStdString(v1::TaskState_Name(state));
  if (name.startsWith(QLatin1String("TASK_"))) name.remove(0, 5);
  return name;
}

QString TasksModel::stateText(v1::TaskState state) {
  switch (state) {
    case v1::TASK_STAGING: return tr("staging");
    case v1::TASK_STARTING: return tr("starting");
    case v1::TASK_RUNNING: return tr("running");
    case v1::TASK_FINISHED: return tr("finished");
    case v1::TASK_FAILED: return tr("failed");
    case v1::TASK_KILLED: return tr("killed");
    case v1::TASK_LOST: return tr("lost");
    case v1::TASK_UNREACHABLE: return tr("unreachable");
    case v1::TASK_KILLING: return tr("killing");
    case v1::TASK_ERROR: return tr("error");
    case v1::TASK_DROPPED: return tr("dropped");
    case v1::TASK_GONE: return tr("gone");
    default: return tr("unknown");
  }
}

QString TasksModel::stateTextForName(const QString& name) {
  v1::TaskState state = v1::TASK_UNKNOWN;
  if (!v1::TaskState_Parse("TASK_" + name.toStdString(), &state)) return name;
  return stateText(state);
}

bool TasksModel::isTerminal(v1::TaskState state) {
  switch (state) {
    case v1::TASK_FINISHED:
    case v1::TASK_FAILED:
    case v1::TASK_KILLED:
    case v1::TASK_LOST:
    case v1::TASK_ERROR:
    case v1::TASK_DROPPED:
    case v1::TASK_GONE:
      return true;
    default:
      return false;
  }
}

QVariant TasksModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size()) return {};
  const v1::TaskRecord& t = rows_.at(index.row());
  const double cpus = scalarSum(t.task_info().resources(), "cpus");
  const double mem = scalarSum(t.task_info().resources(), "mem");
  const double age = t.created_time() > 0 ? nowSeconds() - t.created_time() : -1;
  const QString agentId = QString::fromStdString(t.task_info().agent_id());
  if (role == kIdRole) return rows_.idAt(index.row());
  if (role == kStateRole) return stateName(t.state());
  if (role == Qt::DisplayRole || role == kSortRole || role == Qt::ToolTipRole) {
    const bool sort = role == kSortRole;
    switch (index.column()) {
      case kId: return rows_.idAt(index.row());
      case kName: return QString::fromStdString(t.task_info().name());
      case kState: return sort ? QVariant(stateName(t.state())) : QVariant(stateText(t.state()));
      case kFramework: return QString::fromStdString(t.framework_id());
      case kAgent: return sort ? QVariant(agentId) : QVariant(agentNames_.value(agentId, agentId));
      case kCpus: return sort ? QVariant(cpus) : QVariant(numberText(cpus));
      case kMem: return sort ? QVariant(mem) : QVariant(megabytesText(mem));
      case kAge: return sort ? QVariant(-t.created_time()) : QVariant(durationText(age));
      case kMessage: return QString::fromStdString(t.latest_status().message());
      default: return {};
    }
  }
  if (role == Qt::ForegroundRole && index.column() == kState) {
    switch (t.state()) {
      case v1::TASK_RUNNING: return QBrush(QColor(0x2e, 0x7d, 0x32));
      case v1::TASK_FAILED:
      case v1::TASK_LOST:
      case v1::TASK_ERROR: return QBrush(QColor(0xc6, 0x28, 0x28));
      case v1::TASK_UNREACHABLE:
      case v1::TASK_KILLING: return QBrush(QColor(0xef, 0x6c, 0x00));
      default: return {};
    }
  }
  return {};
}

QVariant TasksModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kId: return tr("Task ID");
    case kName: return tr("Name");
    case kState: return tr("State");
    case kFramework: return tr("Framework");
    case kAgent: return tr("Agent");
    case kCpus: return tr("CPUs");
    case kMem: return tr("Memory");
    case kAge: return tr("Age");
    case kMessage: return tr("Message");
    default: return {};
  }
}

void TasksModel::reset(const google::protobuf::RepeatedPtrField<v1::TaskRecord>& tasks,
                       const google::protobuf::RepeatedPtrField<v1::TaskRecord>& completed) {
  beginResetModel();
  rows_.clear();
  rows_.reserve(tasks.size() + completed.size());
  for (const auto* list : {&completed, &tasks}) {
    for (const v1::TaskRecord& t : *list) {
      const QString id = QString::fromStdString(t.task_info().task_id());
      if (auto row = rows_.find(id)) {
        rows_.replace(*row, t);
      } else {
        rows_.append(id, t);
      }
    }
  }
  endResetModel();
}

void TasksModel::upsert(const v1::TaskRecord& task) {
  const QString id = QString::fromStdString(task.task_info().task_id());
  if (id.isEmpty()) return;
  if (auto row = rows_.find(id)) {
    rows_.replace(*row, task);
    emit dataChanged(index(*row, 0), index(*row, kColumnCount - 1));
    return;
  }
  const int row = rows_.size();
  beginInsertRows({}, row, row);
  rows_.append(id, task);
  endInsertRows();
}

void TasksModel::setAgentName(const QString& agentId, const QString& hostname) {
  if (agentNames_.value(agentId) == hostname) return;
  agentNames_.insert(agentId, hostname);
  if (rows_.size() > 0) emit dataChanged(index(0, kAgent), index(rows_.size() - 1, kAgent));
}

void TasksModel::refreshAges() {
  if (rows_.size() > 0) emit dataChanged(index(0, kAge), index(rows_.size() - 1, kAge), {Qt::DisplayRole});
}

const v1::TaskRecord* TasksModel::task(const QString& id) const {
  auto row = rows_.find(id);
  return row ? &rows_.at(*row) : nullptr;
}

QHash<QString, int> TasksModel::countByState() const {
  QHash<QString, int> counts;
  for (int r = 0; r < rows_.size(); ++r) counts[stateName(rows_.at(r).state())] += 1;
  return counts;
}

}  // namespace orch::console
