#pragma once

#include "model/graph_types.h"

#include <vector>

namespace orch::graphview {

// A batch of changes as the live topology feed sends them. GraphModel::apply() applies a batch
// in a fixed order: edge removals, node removals (with their edges), node additions, node updates,
// edge additions, edge updates. Within each list entries apply in insertion order.
class GraphDelta {
 public:
  void addNode(NodeData node) { addedNodes_.push_back(std::move(node)); }
  void updateNode(NodeData node) { updatedNodes_.push_back(std::move(node)); }
  void removeNode(const QString& id) { removedNodes_.push_back(id); }
  // An edge with an empty id gets edgeKey(source, target).
  void addEdge(EdgeData edge);
  void updateEdge(EdgeData edge);
  void removeEdge(const QString& id) { removedEdges_.push_back(id); }

  bool isEmpty() const { return size() == 0; }
  // Total number of entries in the batch.
  int size() const;
  void clear();

  const std::vector<NodeData>& addedNodes() const { return addedNodes_; }
  const std::vector<NodeData>& updatedNodes() const { return updatedNodes_; }
  const std::vector<QString>& removedNodes() const { return removedNodes_; }
  const std::vector<EdgeData>& addedEdges() const { return addedEdges_; }
  const std::vector<EdgeData>& updatedEdges() const { return updatedEdges_; }
  const std::vector<QString>& removedEdges() const { return removedEdges_; }

  // The id given to an edge added without one.
  static QString edgeKey(const QString& source, const QString& target);

 private:
  std::vector<NodeData> addedNodes_;
  std::vector<NodeData> updatedNodes_;
  std::vector<QString> removedNodes_;
  std::vector<EdgeData> addedEdges_;
  std::vector<EdgeData> updatedEdges_;
  std::vector<QString> removedEdges_;
};

}  // namespace orch::graphview
