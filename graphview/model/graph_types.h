#pragma once

#include <QString>

#include <optional>

namespace orch::graphview {

// What a node represents; drawn as a shape.
enum class NodeKind { Host, Container, Process, Task, Agent, Service, Other };

// Health of a node; drawn as a colour.
enum class NodeStatus { Unknown, Healthy, Warning, Critical, Stopped };

inline constexpr int kNodeKindCount = 7;
inline constexpr int kNodeStatusCount = 5;

// One node as the topology feed describes it. `id` is stable for the node's lifetime.
struct NodeData {
  QString id;
  QString label;
  NodeKind kind = NodeKind::Other;
  NodeStatus status = NodeStatus::Unknown;
  float metric = 0.0f;  // caller-defined size metric (e.g. CPU share), >= 0
  QString parentId;     // group / containment parent; empty for a root
};

// One directed edge. `id` is stable; when empty, GraphDelta derives "source->target".
struct EdgeData {
  QString id;
  QString source;
  QString target;
  float weight = 1.0f;   // spring strength multiplier, > 0
  float traffic = 0.0f;  // traffic rate (e.g. bytes/s normalised to 0..1); drives dash speed
};

QString nodeKindName(NodeKind kind);
QString nodeStatusName(NodeStatus status);
// Parses a kind / status name as printed by the functions above (case-insensitive).
std::optional<NodeKind> parseNodeKind(const QString& name);
std::optional<NodeStatus> parseNodeStatus(const QString& name);

}  // namespace orch::graphview
