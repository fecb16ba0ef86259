#pragma once

#include "model/graph_types.h"

#include <QHash>

#include <cstdint>
#include <span>
#include <vector>

namespace orch::graphview {

// A node as shown: either a model node, or a collapsed group standing for its hidden descendants.
struct VisibleNode {
  QString id;
  QString label;
  NodeKind kind = NodeKind::Other;
  NodeStatus status = NodeStatus::Unknown;
  float metric = 0.0f;
  int parent = -1;        // index of the visible parent, -1 for a root
  int hiddenCount = 0;    // descendants folded into this node while it is collapsed
  bool collapsed = false;
};

// An edge as shown, between visible node indices. Parallel model edges folded by a collapse are
// merged into one (traffic summed, weight maximised). Containment edges (parent -> child) come
// from the group hierarchy; they pull children to their parents and are drawn faintly.
struct VisibleEdge {
  int source = -1;
  int target = -1;
  float weight = 1.0f;
  float traffic = 0.0f;
  bool containment = false;
};

// An immutable projection of GraphModel: dense indices for the layout and the renderer.
// Shared between threads through std::shared_ptr<const VisibleGraph>.
struct VisibleGraph {
  std::vector<VisibleNode> nodes;
  std::vector<VisibleEdge> edges;
  QHash<QString, int> indexOf;         // node id -> index
  std::vector<int> adjacencyOffsets;   // CSR over undirected adjacency, size nodes+1
  std::vector<int> adjacency;
  uint64_t version = 0;                // GraphModel::version() at projection time
  uint64_t topologyVersion = 0;        // GraphModel::topologyVersion() at projection time

  int nodeCount() const { return static_cast<int>(nodes.size()); }
  int edgeCount() const { return static_cast<int>(edges.size()); }
  // Index of a node id, or -1 when it is not visible.
  int find(const QString& id) const { return indexOf.value(id, -1); }
  // Undirected neighbours of node i (may contain duplicates when both directions exist).
  std::span<const int> neighbours(int i) const;
  int degree(int i) const { return adjacencyOffsets[i + 1] - adjacencyOffsets[i]; }
  // Builds indexOf and the adjacency from nodes and edges.
  void finalize();
};

}  // namespace orch::graphview
