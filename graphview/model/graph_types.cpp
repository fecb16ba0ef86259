#include "model/graph_types.h"

#include <array>

namespace orch::graphview {
namespace {

constexpr std::array<const char*, kNodeKindCount> kKindNames = {
    "host", "container", "process", "task", "agent", "service", "other"};
constexpr std::array<const char*, kNodeStatusCount> kStatusNames = {
    "unknown", "healthy", "warning", "critical", "stopped"};

}  // namespace

QString nodeKindName(NodeKind kind) {
  return QString::fromLatin1(kKindNames.at(static_cast<size_t>(kind)));
}

QString nodeStatusName(NodeStatus status) {
  return QString::fromLatin1(kStatusNames.at(static_cast<size_t>(status)));
}

std::optional<NodeKind> parseNodeKind(const QString& name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (name.compare(QLatin1String(kKindNames[i]), Qt::CaseInsensitive) == 0) {
      return static_cast<NodeKind>(i);
    }
  }
  return std::nullopt;
}

std::optional<NodeStatus> parseNodeStatus(const QString& name) {
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (name.compare(QLatin1String(kStatusNames[i]), Qt::CaseInsensitive) == 0) {
      return static_cast<NodeStatus>(i);
    }
  }
  return std::nullopt;
}

}  // namespace orch::graphview
