#include "model/graph_model.h"

#include <cmath>
#include <unordered_map>

namespace orch::graphview {
namespace {

QString validateNode(const NodeData& node) {
  if (node.id.isEmpty()) {
    return QStringLiteral("node with label '%1' has an empty id").arg(node.label);
  }
  if (node.parentId == node.id) {
    return QStringLiteral("node '%1' names itself as its parent").arg(node.id);
  }
  if (!std::isfinite(node.metric) || node.metric < 0.0f) {
    return QStringLiteral("node '%1' has metric %2; it must be finite and >= 0")
        .arg(node.id)
        .arg(node.metric);
  }
  return {};
}

}  // namespace

const NodeData* GraphModel::node(const QString& id) const {
  const auto it = nodeIndex_.constFind(id);
  return it == nodeIndex_.cend() ? nullptr : &nodes_[*it];
}

const EdgeData* GraphModel::edge(const QString& id) const {
  const auto it = edgeIndex_.constFind(id);
  return it == edgeIndex_.cend() ? nullptr : &edges_[*it];
}

QStringList GraphModel::children(const QString& id) const {
  QStringList result;
  for (const NodeData& n : nodes_) {
    if (n.parentId == id) {
      result.push_back(n.id);
    }
  }
  return result;
}

QString GraphModel::validateEdge(const EdgeData& edge) const {
  if (edge.id.isEmpty()) {
    return QStringLiteral("edge '%1'->'%2' has an empty id").arg(edge.source, edge.target);
  }
  if (!nodeIndex_.contains(edge.source)) {
    return QStringLiteral("edge '%1' has unknown source node '%2'").arg(edge.id, edge.source);
  }
  if (!nodeIndex_.contains(edge.target)) {
    return QStringLiteral("edge '%1' has unknown target node '%2'").arg(edge.id, edge.target);
  }
  if (edge.source == edge.target) {
    return QStringLiteral("edge '%1' is a self-loop on '%2'").arg(edge.id, edge.source);
  }
  if (!std::isfinite(edge.weight) || edge.weight <= 0.0f) {
    return QStringLiteral("edge '%1' has weight %2; it must be finite and > 0")
        .arg(edge.id)
        .arg(edge.weight);
  }
  if (!std::isfinite(edge.traffic) || edge.traffic < 0.0f) {
    return QStringLiteral("edge '%1' has traffic %2; it must be finite and >= 0")
        .arg(edge.id)
        .arg(edge.traffic);
  }
  return {};
}

void GraphModel::eraseNodeAt(int index) {
  nodeIndex_.remove(nodes_[index].id);
  const int last = nodeCount() - 1;
  if (index != last) {
    nodes_[index] = std::move(nodes_[last]);
    nodeIndex_[nodes_[index].id] = index;
  }
  nodes_.pop_back();
}

void GraphModel::eraseEdgeAt(int index) {
  edgeIndex_.remove(edges_[index].id);
  const int last = edgeCount() - 1;
  if (index != last) {
    edges_[index] = std::move(edges_[last]);
    edgeIndex_[edges_[index].id] = index;
  }
  edges_.pop_back();
}

ApplyReport GraphModel::apply(const GraphDelta& delta) {
  ApplyReport report;

  for (const QString& id : delta.removedEdges()) {
    const auto it = edgeIndex_.constFind(id);
    if (it == edgeIndex_.cend()) {
      report.errors.push_back(QStringLiteral("cannot remove edge '%1': no such edge").arg(id));
      continue;
    }
    eraseEdgeAt(*it);
    ++report.applied;
    report.topologyChanged = true;
  }

  QSet<QString> removedNodes;
  for (const QString& id : delta.removedNodes()) {
    const auto it = nodeIndex_.constFind(id);
    if (it == nodeIndex_.cend()) {
      report.errors.push_back(QStringLiteral("cannot remove node '%1': no such node").arg(id));
      continue;
    }
    eraseNodeAt(*it);
    collapsed_.remove(id);
    removedNodes.insert(id);
    ++report.applied;
    report.topologyChanged = true;
  }
  if (!removedNodes.isEmpty()) {
    // Drop edges touching removed nodes in one pass (iterate backwards: eraseEdgeAt swaps in the last).
    for (int i = edgeCount() - 1; i >= 0; --i) {
      if (removedNodes.contains(edges_[i].source) || removedNodes.contains(edges_[i].target)) {
        eraseEdgeAt(i);
      }
    }
  }

  for (const NodeData& node : delta.addedNodes()) {
    if (QString error = validateNode(node); !error.isEmpty()) {
      report.errors.push_back(QStringLiteral("cannot add: ") + error);
      continue;
    }
    if (nodeIndex_.contains(node.id)) {
      report.errors.push_back(QStringLiteral("cannot add node '%1': it already exists").arg(node.id));
      continue;
    }
    nodeIndex_.insert(node.id, nodeCount());
    nodes_.push_back(node);
    ++report.applied;
    report.topologyChanged = true;
  }

  for (const NodeData& node : delta.updatedNodes()) {
    if (QString error = validateNode(node); !error.isEmpty()) {
      report.errors.push_back(QStringLiteral("cannot update: ") + error);
      continue;
    }
    const auto it = nodeIndex_.constFind(node.id);
    if (it == nodeIndex_.cend()) {
      report.errors.push_back(QStringLiteral("cannot update node '%1': no such node").arg(node.id));
      continue;
    }
    NodeData& current = nodes_[*it];
    if (current.parentId != node.parentId) {
      report.topologyChanged = true;
    }
    current = node;
    ++report.applied;
  }

  for (const EdgeData& edge : delta.addedEdges()) {
    if (QString error = validateEdge(edge); !error.isEmpty()) {
      report.errors.push_back(QStringLiteral("cannot add: ") + error);
      continue;
    }
    if (edgeIndex_.contains(edge.id)) {
      report.errors.push_back(QStringLiteral("cannot add edge '%1': it already exists").arg(edge.id));
      continue;
    }
    edgeIndex_.insert(edge.id, edgeCount());
    edges_.push_back(edge);
    ++report.applied;
    report.topologyChanged = true;
  }

  for (const EdgeData& edge : delta.updatedEdges()) {
    const auto it = edgeIndex_.constFind(edge.id);
    if (it == edgeIndex_.cend()) {
      report.errors.push_back(QStringLiteral("cannot update edge '%1': no such edge").arg(edge.id));
      continue;
    }
    if (QString error = validateEdge(edge); !error.isEmpty()) {
      report.errors.push_back(QStringLiteral("cannot update: ") + error);
      continue;
    }
    EdgeData& current = edges_[*it];
    if (current.source != edge.source || current.target != edge.target) {
      report.topologyChanged = true;
    }
    current = edge;
    ++report.applied;
  }

  if (report.applied > 0) {
    ++version_;
    if (report.topologyChanged) {
      ++topologyVersion_;
    }
  }
  return report;
}

GroupResult GraphModel::collapse(const QString& groupId) {
  if (!nodeIndex_.contains(groupId)) {
    return {QStringLiteral("cannot collapse '%1': no such node").arg(groupId)};
  }
  if (children(groupId).isEmpty()) {
    return {QStringLiteral("cannot collapse '%1': it has no children").arg(groupId)};
  }
  if (!collapsed_.contains(groupId)) {
    collapsed_.insert(groupId);
    ++version_;
    ++topologyVersion_;
  }
  return {};
}

GroupResult GraphModel::expand(const QString& groupId) {
  if (!nodeIndex_.contains(groupId)) {
    return {QStringLiteral("cannot expand '%1': no such node").arg(groupId)};
  }
  if (!collapsed_.remove(groupId)) {
    return {QStringLiteral("cannot expand '%1': it is not collapsed").arg(groupId)};
  }
  ++version_;
  ++topologyVersion_;
  return {};
}

void GraphModel::expandAll() {
  if (!collapsed_.isEmpty()) {
    collapsed_.clear();
    ++version_;
    ++topologyVersion_;
  }
}

std::shared_ptr<const VisibleGraph> GraphModel::project() const {
  auto graph = std::make_shared<VisibleGraph>();
  graph->version = version_;
  graph->topologyVersion = topologyVersion_;
  const int n = nodeCount();

  // parentOf[i]: model index of i's parent, or -1 when absent.
  std::vector<int> parentOf(n, -1);
  for (int i = 0; i < n; ++i) {
    if (!nodes_[i].parentId.isEmpty()) {
      parentOf[i] = nodeIndex_.value(nodes_[i].parentId, -1);
    }
  }
  // hiddenBy[i]: topmost collapsed strict ancestor of i, or -1. Computed iteratively with a
  // state marker so a parent cycle (possible through updates) cannot recurse forever.
  constexpr int kUnknown = -2;
  constexpr int kInProgress = -3;
  std::vector<int> hiddenBy(n, kUnknown);
  std::vector<int> chain;
  for (int start = 0; start < n; ++start) {
    chain.clear();
    int cur = start;
    while (cur >= 0 && hiddenBy[cur] == kUnknown) {
      hiddenBy[cur] = kInProgress;
      chain.push_back(cur);
      cur = parentOf[cur];
    }
    // Resolve from the top of the chain down.
    int above = (cur >= 0 && hiddenBy[cur] >= -1) ? hiddenBy[cur] : -1;
    int aboveNode = (cur >= 0 && hiddenBy[cur] != kInProgress) ? cur : -1;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      int h = -1;
      if (aboveNode >= 0) {
        h = above >= 0 ? above : (collapsed_.contains(nodes_[aboveNode].id) ? aboveNode : -1);
      }
      hiddenBy[*it] = h;
      above = h;
      aboveNode = *it;
    }
  }

  std::vector<int> visibleIndex(n, -1);
  graph->nodes.reserve(n);
  for (int i = 0; i < n; ++i) {
    if (hiddenBy[i] != -1) {
      continue;
    }
    visibleIndex[i] = graph->nodeCount();
    const NodeData& d = nodes_[i];
    VisibleNode v;
    v.id = d.id;
    v.label = d.label;
    v.kind = d.kind;
    v.status = d.status;
    v.metric = d.metric;
    v.collapsed = collapsed_.contains(d.id);
    graph->nodes.push_back(std::move(v));
  }
  for (int i = 0; i < n; ++i) {
    if (hiddenBy[i] >= 0) {
      ++graph->nodes[visibleIndex[hiddenBy[i]]].hiddenCount;
    } else if (parentOf[i] >= 0 && visibleIndex[parentOf[i]] >= 0 && hiddenBy[parentOf[i]] == -1) {
      const int child = visibleIndex[i];
      const int parent = visibleIndex[parentOf[i]];
      graph->nodes[child].parent = parent;
      graph->edges.push_back(VisibleEdge{parent, child, 2.0f, 0.0f, true});  // groups hold tighter
    }
  }

  // Connection edges, rerouted to the visible representative and merged when folded together.
  std::unordered_map<uint64_t, int> merged;
  for (const EdgeData& e : edges_) {
    const int s = nodeIndex_.value(e.source, -1);
    const int t = nodeIndex_.value(e.target, -1);
    if (s < 0 || t < 0) {
      continue;
    }
    const int vs = visibleIndex[hiddenBy[s] >= 0 ? hiddenBy[s] : s];
    const int vt = visibleIndex[hiddenBy[t] >= 0 ? hiddenBy[t] : t];
    if (vs == vt) {
      continue;
    }
    const uint64_t key = (static_cast<uint64_t>(vs) << 32) | static_cast<uint32_t>(vt);
    const auto [it, inserted] = merged.try_emplace(key, graph->edgeCount());
    if (inserted) {
      graph->edges.push_back(VisibleEdge{vs, vt, e.weight, e.traffic, false});
    } else {
      VisibleEdge& m = graph->edges[it->second];
      m.weight = std::max(m.weight, e.weight);
      m.traffic += e.traffic;
    }
  }
  graph->finalize();
  return graph;
}

}  // namespace orch::graphview
