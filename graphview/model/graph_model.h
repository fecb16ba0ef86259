#pragma once

#include "model/graph_delta.h"
#include "model/visible_graph.h"

#include <QHash>
#include <QSet>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

namespace orch::graphview {

// What GraphModel::apply() did. Bad entries are skipped and named in `errors`; the rest apply.
struct ApplyReport {
  int applied = 0;               // entries that took effect
  QStringList errors;            // one message per rejected entry, naming it
  bool topologyChanged = false;  // nodes or edges were added or removed, or a parent changed
  bool ok() const { return errors.isEmpty(); }
};

// Outcome of a group operation: empty error means success.
struct GroupResult {
  QString error;
  bool ok() const { return error.isEmpty(); }
};

// The full topology: nodes and directed edges with stable ids, plus which groups are collapsed.
// Not thread-safe; owned by the GUI thread. project() gives the immutable view the layout thread
// and the renderer share.
class GraphModel {
 public:
  // Applies a batch (see GraphDelta for the order). Never throws; invalid entries are reported.
  ApplyReport apply(const GraphDelta& delta);

  int nodeCount() const { return static_cast<int>(nodes_.size()); }
  int edgeCount() const { return static_cast<int>(edges_.size()); }
  // The node / edge with this id, or nullptr.
  const NodeData* node(const QString& id) const;
  const EdgeData* edge(const QString& id) const;
  const std::vector<NodeData>& nodes() const { return nodes_; }
  const std::vector<EdgeData>& edges() const { return edges_; }
  // Ids of the nodes whose parentId is `id` (model order).
  QStringList children(const QString& id) const;

  // Folds every descendant of `groupId` into it. Fails for an unknown id or a node without children.
  GroupResult collapse(const QString& groupId);
  // Shows the direct children of `groupId` again. Fails for an unknown id or a group not collapsed.
  GroupResult expand(const QString& groupId);
  bool isCollapsed(const QString& groupId) const { return collapsed_.contains(groupId); }
  void expandAll();

  // Increases on every change; topologyVersion only when nodes/edges/parents/collapse change.
  uint64_t version() const { return version_; }
  uint64_t topologyVersion() const { return topologyVersion_; }

  // The visible graph under the current collapse state.
  std::shared_ptr<const VisibleGraph> project() const;

 private:
  void eraseNodeAt(int index);
  void eraseEdgeAt(int index);
  QString validateEdge(const EdgeData& edge) const;

  std::vector<NodeData> nodes_;
  QHash<QString, int> nodeIndex_;
  std::vector<EdgeData> edges_;
  QHash<QString, int> edgeIndex_;
  QSet<QString> collapsed_;
  uint64_t version_ = 0;
  uint64_t topologyVersion_ = 0;
};

}  // namespace orch::graphview
