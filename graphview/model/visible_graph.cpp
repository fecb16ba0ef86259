#include "model/visible_graph.h"

namespace orch::graphview {

std::span<const int> VisibleGraph::neighbours(int i) const {
  const int begin = adjacencyOffsets[i];
  const int end = adjacencyOffsets[i + 1];
  return {adjacency.data() + begin, static_cast<size_t>(end - begin)};
}

void VisibleGraph::finalize() {
  const int n = nodeCount();
  indexOf.clear();
  indexOf.reserve(n);
  for (int i = 0; i < n; ++i) {
    indexOf.insert(nodes[i].id, i);
  }
  adjacencyOffsets.assign(n + 1, 0);
  for (const VisibleEdge& e : edges) {
    ++adjacencyOffsets[e.source + 1];
    ++adjacencyOffsets[e.target + 1];
  }
  for (int i = 0; i < n; ++i) {
    adjacencyOffsets[i + 1] += adjacencyOffsets[i];
  }
  adjacency.assign(adjacencyOffsets[n], 0);
  std::vector<int> fill(adjacencyOffsets.begin(), adjacencyOffsets.end() - 1);
  for (const VisibleEdge& e : edges) {
    adjacency[fill[e.source]++] = e.target;
    adjacency[fill[e.target]++] = e.source;
  }
}

}  // namespace orch::graphview
