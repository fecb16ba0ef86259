#include "models/agents_model.h"

#include <QBrush>
#include <QColor>
#include <QStringList>

#include <cmath>
#include <string_view>

#include "models/model_roles.h"
#include "models/resource_values.h"

namespace orch::console {

namespace v1 = orchestrator::v1;

AgentsModel::AgentsModel(QObject* parent) : QAbstractTableModel(parent) {}

int AgentsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }
int AgentsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QString AgentsModel::stateName(v1::AgentState::Status status) {
  return QString::fromStdString(v1::AgentState::Status_Name(status));
}

QString AgentsModel::stateText(v1::AgentState::Status status) {
  switch (status) {
    case v1::AgentState::ACTIVE: return tr("active");
    case v1::AgentState::DRAINING: return tr("draining");
    case v1::AgentState::DRAINED: return tr("drained");
    case v1::AgentState::UNREACHABLE: return tr("unreachable");
    case v1::AgentState::GONE: return tr("gone");
    default: return tr("unknown");
  }
}

QString AgentsModel::stateTextForName(const QString& name) {
  v1::AgentState::Status status = v1::AgentState::ACTIVE;
  if (!v1::AgentState::Status_Parse(name.toStdString(), &status)) return name;
  return stateText(status);
}

QVariant AgentsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size()) return {};
  const v1::AgentState& a = rows_.at(index.row());
  const auto& total = a.total_resources().empty() ? a.agent_info().resources() : a.total_resources();
  if (role == kIdRole) return rows_.idAt(index.row());
  if (role == kStateRole) return stateName(a.status());
  const bool sort = role == kSortRole;
  if (role == Qt::DisplayRole || sort || role == Qt::ToolTipRole) {
    switch (index.column()) {
      case kHostname: return QString::fromStdString(a.agent_info().hostname());
      case kId: return rows_.idAt(index.row());
      case kState: return sort ? QVariant(static_cast<int>(a.status())) : QVariant(stateText(a.status()));
      case kCpus: return sort ? QVariant(allocated(index.row(), "cpus")) : QVariant(usageText("cpus", allocated(index.row(), "cpus"), scalarSum(total, "cpus")));
      case kMem: return sort ? QVariant(allocated(index.row(), "mem")) : QVariant(usageText("mem", allocated(index.row(), "mem"), scalarSum(total, "mem")));
      case kDisk: return sort ? QVariant(allocated(index.row(), "disk")) : QVariant(usageText("disk", allocated(index.row(), "disk"), scalarSum(total, "disk")));
      case kGpus: return sort ? QVariant(allocated(index.row(), "gpus")) : QVariant(usageText("gpus", allocated(index.row(), "gpus"), scalarSum(total, "gpus")));
      case kAttributes: {
        QStringList parts;
        for (const v1::Attribute& attr : a.agent_info().attributes()) {
          parts << QStringLiteral("%1=%2").arg(QString::fromStdString(attr.name()), QString::fromStdString(attr.text()));
        }
        return parts.join(QStringLiteral(", "));
      }
      case kEndpoint: return QString::fromStdString(a.agent_info().endpoint());
      default: return {};
    }
  }
  if (role == Qt::ForegroundRole && index.column() == kState) {
    switch (a.status()) {
      case v1::AgentState::ACTIVE: return QBrush(QColor(0x2e, 0x7d, 0x32));
      case v1::AgentState::DRAINING:
      case v1::AgentState::DRAINED: return QBrush(QColor(0xef, 0x6c, 0x00));
      case v1::AgentState::UNREACHABLE:
      case v1::AgentState::GONE: return QBrush(QColor(0xc6, 0x28, 0x28));
      default: return {};
    }
  }
  return {};
}

double AgentsModel::Allocation::get(const char* name) const {
  const std::string_view n(name);
  if (n == "cpus") return cpus;
  if (n == "mem") return mem;
  if (n == "disk") return disk;
  if (n == "gpus") return gpus;
  return 0;
}

AgentsModel::Allocation AgentsModel::Allocation::operator-(const Allocation& other) const {
  return Allocation{cpus - other.cpus, mem - other.mem, disk - other.disk, gpus - other.gpus};
}

bool AgentsModel::Allocation::isZero() const {
  constexpr double kEpsilon = 1e-9;
  return std::abs(cpus) < kEpsilon && std::abs(mem) < kEpsilon && std::abs(disk) < kEpsilon && std::abs(gpus) < kEpsilon;
}

double AgentsModel::allocated(int row, const char* name) const {
  double value = scalarSum(rows_.at(row).allocated_resources(), name);
  auto it = allocationDelta_.constFind(rows_.idAt(row));
  if (it != allocationDelta_.constEnd()) value += it->get(name);
  value = std::round(value * 1000.0) / 1000.0;
  return value > 0 ? value : 0;
}

void AgentsModel::setAllocationDelta(const QString& agentId, const Allocation& delta) {
  const auto it = allocationDelta_.constFind(agentId);
  const bool unchanged = it == allocationDelta_.constEnd() ? delta.isZero() : (*it - delta).isZero();
  if (delta.isZero()) {
    allocationDelta_.remove(agentId);
  } else {
    allocationDelta_.insert(agentId, delta);
  }
  if (unchanged) return;
  if (auto row = rows_.find(agentId)) emit dataChanged(index(*row, kCpus), index(*row, kGpus));
}

void AgentsModel::clearAllocationDeltas() { allocationDelta_.clear(); }

QVariant AgentsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kHostname: return tr("Hostname");
    case kId: return tr("Agent ID");
    case kState: return tr("State");
    case kCpus: return tr("CPUs (allocated / total)");
    case kMem: return tr("Memory");
    case kDisk: return tr("Disk");
    case kGpus: return tr("GPUs");
    case kAttributes: return tr("Attributes");
    case kEndpoint: return tr("Endpoint");
    default: return {};
  }
}

void AgentsModel::reset(const google::protobuf::RepeatedPtrField<v1::AgentState>& agents) {
  beginResetModel();
  rows_.clear();
  for (const v1::AgentState& a : agents) {
    const QString id = QString::fromStdString(a.agent_info().agent_id());
    if (auto row = rows_.find(id)) {
      rows_.replace(*row, a);
    } else {
      rows_.append(id, a);
    }
  }
  endResetModel();
}

void AgentsModel::upsert(const v1::AgentState& agent) {
  const QString id = QString::fromStdString(agent.agent_info().agent_id());
  if (id.isEmpty()) return;
  if (auto row = rows_.find(id)) {
    rows_.replace(*row, agent);
    emit dataChanged(index(*row, 0), index(*row, kColumnCount - 1));
    return;
  }
  const int row = rows_.size();
  beginInsertRows({}, row, row);
  rows_.append(id, agent);
  endInsertRows();
}

void AgentsModel::remove(const QString& agentId) {
  auto row = rows_.find(agentId);
  if (!row) return;
  beginRemoveRows({}, *row, *row);
  rows_.removeAt(*row);
  endRemoveRows();
}

const v1::AgentState* AgentsModel::agent(const QString& id) const {
  auto row = rows_.find(id);
  return row ? &rows_.at(*row) : nullptr;
}

QHash<QString, int> AgentsModel::countByState() const {
  QHash<QString, int> counts;
  for (int r = 0; r < rows_.size(); ++r) counts[stateName(rows_.at(r).status())] += 1;
  return counts;
}

}  // namespace orch::console
