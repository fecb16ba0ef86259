#include "model/graph_delta.h"

namespace orch::graphview {

void GraphDelta::addEdge(EdgeData edge) {
  if (edge.id.isEmpty()) {
    edge.id = edgeKey(edge.source, edge.target);
  }
  addedEdges_.push_back(std::move(edge));
}

void GraphDelta::updateEdge(EdgeData edge) {
  if (edge.id.isEmpty()) {
    edge.id = edgeKey(edge.source, edge.target);
  }
  updatedEdges_.push_back(std::move(edge));
}

int GraphDelta::size() const {
  return static_cast<int>(addedNodes_.size() + updatedNodes_.size() + removedNodes_.size() +
                          addedEdges_.size() + updatedEdges_.size() + removedEdges_.size());
}

void GraphDelta::clear() {
  addedNodes_.clear();
  updatedNodes_.clear();
  removedNodes_.clear();
  addedEdges_.clear();
  updatedEdges_.clear();
  removedEdges_.clear();
}

QString GraphDelta::edgeKey(const QString& source, const QString& target) {
  return source + QStringLiteral("->") + target;
}

}  // namespace orch::graphview
