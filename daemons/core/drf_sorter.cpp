#include "core/drf_sorter.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace orch::core {
namespace {

using Quantities = std::map<std::string, int64_t>;

Quantities scalarQuantities(const Resources& resources) {
  Quantities q;
  for (const auto& [key, entry] : resources.entries()) {
    if (entry.kind == Resources::Kind::kScalar) q[entry.name] += entry.scalar.milli();
  }
  return q;
}

void apply(Quantities& into, const Quantities& delta, int sign) {
  for (const auto& [name, value] : delta) {
    int64_t& slot = into[name];
    slot += sign * value;
    if (slot == 0) into.erase(name);
  }
}

}  // namespace

// The order of a node among its siblings: lowest weighted share first, then by name; the
// client's own leaf (self) goes before a sibling of equal share and name.
template <typename Client>
struct DrfSorter<Client>::OrderKey {
  double share = 0.0;
  const std::string* name = nullptr;
  bool self = false;
  Node* node = nullptr;

  friend bool operator<(const OrderKey& a, const OrderKey& b) {
    if (a.share != b.share) return a.share < b.share;
    if (*a.name != *b.name) return *a.name < *b.name;
    return a.self && !b.self;
  }
};

// A path node. Every client is a "self" leaf hanging off the node of its path, so that a path
// can be both a client and the parent of other clients ("eng" and "eng/ml").
template <typename Client>
struct DrfSorter<Client>::Node {
  std::string name;  // path component; empty for the root and for self leaves
  std::string path;  // full path; for a self leaf, the client's name
  Node* parent = nullptr;
  bool self = false;
  bool active = false;  // self leaves only
  double weight = 1.0;
  double share = 0.0;    // cached: the key this node has in parent->order
  Quantities allocated;  // everything allocated in this subtree
  std::map<std::string, std::unique_ptr<Node>> children;
  std::unique_ptr<Node> self_leaf;
  std::set<OrderKey> order;  // children and self_leaf, ordered
  // Self leaves only.
  Client client;
  uint32_t tag = 0;
  std::map<AgentId, Resources> allocation;

  OrderKey key() { return OrderKey{share, &name, self, this}; }
};

template <typename Client>
DrfSorter<Client>::DrfSorter(Naming naming, Books books)
    : naming_(naming), books_(books), root_(std::make_unique<Node>()) {}

template <typename Client>
DrfSorter<Client>::~DrfSorter() = default;

template <typename Client>
double DrfSorter<Client>::dominantShare(const Quantities& allocated, const Quantities& total,
                                        double weight) {
  double dominant = 0.0;
  for (const auto& [name, value] : allocated) {
    auto it = total.find(name);
    if (it == total.end() || it->second <= 0) continue;
    dominant = std::max(dominant, static_cast<double>(value) / static_cast<double>(it->second));
  }
  return dominant / weight;
}

template <typename Client>
std::vector<std::string> DrfSorter<Client>::components(const Client& client) const {
  if (naming_ == Naming::kFlat) return {client.value()};
  return absl::StrSplit(client.value(), '/');
}

template <typename Client>
typename DrfSorter<Client>::Node* DrfSorter<Client>::findPath(const std::string& path) const {
  Node* node = root_.get();
  const std::vector<std::string> parts = components(Client(path));
  for (const std::string& part : parts) {
    auto it = node->children.find(part);
    if (it == node->children.end()) return nullptr;
    node = it->second.get();
  }
  return node;
}

template <typename Client>
double DrfSorter<Client>::weightFor(const std::string& path) const {
  auto it = weights_.find(path);
  return it == weights_.end() ? 1.0 : it->second;
}

template <typename Client>
double DrfSorter<Client>::computeShare(const Node& node) const {
  return dominantShare(node.allocated, pool(), node.weight);
}

template <typename Client>
void DrfSorter<Client>::insertIntoParent(Node& node) {
  node.share = computeShare(node);
  node.parent->order.insert(node.key());
}

template <typename Client>
void DrfSorter<Client>::eraseFromParent(Node& node) {
  node.parent->order.erase(node.key());
}

template <typename Client>
void DrfSorter<Client>::addClient(const Client& client) {
  if (clients_.contains(client)) return;
  Node* node = root_.get();
  for (const std::string& part : components(client)) {
    auto it = node->children.find(part);
    if (it == node->children.end()) {
      auto child = std::make_unique<Node>();
      child->name = part;
      child->path = node == root_.get() ? part : absl::StrCat(node->path, "/", part);
      child->parent = node;
      child->weight = weightFor(child->path);
      it = node->children.emplace(part, std::move(child)).first;
      insertIntoParent(*it->second);
    }
    node = it->second.get();
  }
  auto leaf = std::make_unique<Node>();
  leaf->path = client.value();
  leaf->parent = node;
  leaf->self = true;
  leaf->client = client;
  node->self_leaf = std::move(leaf);
  insertIntoParent(*node->self_leaf);
  clients_.emplace(client, node->self_leaf.get());
  ++changes_;
}

template <typename Client>
void DrfSorter<Client>::removeClient(const Client& client) {
  auto found = clients_.find(client);
  if (found == clients_.end()) return;
  Node* leaf = found->second;
  const Quantities held = leaf->allocated;
  propagate(*leaf, held, -1);
  clients_.erase(found);
  ++changes_;

  Node* node = leaf->parent;
  eraseFromParent(*leaf);
  node->self_leaf.reset();
  // Prune path nodes that no longer lead to any client.
  while (node != root_.get() && node->children.empty() && !node->self_leaf) {
    Node* parent = node->parent;
    eraseFromParent(*node);
    parent->children.erase(node->name);
    node = parent;
  }
}

template <typename Client>
void DrfSorter<Client>::activate(const Client& client) {
  if (auto it = clients_.find(client); it != clients_.end() && !it->second->active) {
    it->second->active = true;
    ++changes_;
  }
}

template <typename Client>
void DrfSorter<Client>::deactivate(const Client& client) {
  if (auto it = clients_.find(client); it != clients_.end() && it->second->active) {
    it->second->active = false;
    ++changes_;
  }
}

template <typename Client>
void DrfSorter<Client>::updateWeight(const Client& path, double weight) {
  if (!std::isfinite(weight) || weight <= 0.0) return;
  weights_[path.value()] = weight;
  ++changes_;
  Node* node = findPath(path.value());
  if (node == nullptr || node == root_.get()) return;
  eraseFromParent(*node);
  node->weight = weight;
  insertIntoParent(*node);
}

// Applies `delta` (times `sign`) to every node from the leaf up to the root, re-keying each one
// in its parent's order. Siblings elsewhere in the tree keep their keys: their shares did not
// change.
template <typename Client>
void DrfSorter<Client>::propagate(Node& leaf, const Quantities& delta, int sign) {
  if (delta.empty()) return;
  ++changes_;
  for (Node* node = &leaf; node != nullptr; node = node->parent) {
    if (node->parent != nullptr) eraseFromParent(*node);
    apply(node->allocated, delta, sign);
    if (node->parent != nullptr) insertIntoParent(*node);
  }
}

template <typename Client>
void DrfSorter<Client>::allocated(const Client& client, const AgentId& agent,
                                  const Resources& resources) {
  auto found = clients_.find(client);
  if (found == clients_.end() || resources.empty()) return;
  Node* leaf = found->second;
  if (books_ == Books::kPerAgent) leaf->allocation[agent] += resources;
  propagate(*leaf, scalarQuantities(resources), +1);
}

template <typename Client>
void DrfSorter<Client>::unallocated(const Client& client, const AgentId& agent,
                                    const Resources& resources) {
  auto found = clients_.find(client);
  if (found == clients_.end()) return;
  Node* leaf = found->second;
  if (books_ == Books::kSharesOnly) {
    propagate(*leaf, scalarQuantities(resources), -1);
    return;
  }
  auto held = leaf->allocation.find(agent);
  if (held == leaf->allocation.end()) return;
  const Resources part = held->second.intersection(resources);
  held->second -= part;
  if (held->second.empty()) leaf->allocation.erase(held);
  propagate(*leaf, scalarQuantities(part), -1);
}

template <typename Client>
const std::map<AgentId, Resources>& DrfSorter<Client>::allocation(const Client& client) const {
  static const std::map<AgentId, Resources> kNone;
  auto found = clients_.find(client);
  return found == clients_.end() ? kNone : found->second->allocation;
}

template <typename Client>
void DrfSorter<Client>::addTotal(const AgentId& agent, const Resources& resources) {
  if (resources.empty()) return;
  agent_totals_[agent] += resources;
  apply(total_, scalarQuantities(resources), +1);
  dirty_ = true;
  ++changes_;
}

template <typename Client>
void DrfSorter<Client>::removeTotal(const AgentId& agent, const Resources& resources) {
  auto found = agent_totals_.find(agent);
  if (found == agent_totals_.end()) return;
  const Resources part = found->second.intersection(resources);
  if (part.empty()) return;
  found->second -= part;
  if (found->second.empty()) agent_totals_.erase(found);
  apply(total_, scalarQuantities(part), -1);
  dirty_ = true;
  ++changes_;
}

template <typename Client>
void DrfSorter<Client>::recompute(Node& node) {
  node.order.clear();
  for (auto& [name, child] : node.children) {
    recompute(*child);
    child->share = computeShare(*child);
    node.order.insert(child->key());
  }
  if (node.self_leaf) {
    node.self_leaf->share = computeShare(*node.self_leaf);
    node.order.insert(node.self_leaf->key());
  }
}

template <typename Client>
void DrfSorter<Client>::recomputeAll() {
  recompute(*root_);
  dirty_ = false;
  if (pool_ != nullptr) pool_version_seen_ = pool_->version;
  ++full_recomputations_;
}

template <typename Client>
bool DrfSorter<Client>::walk(const Node& node,
                             const std::function<bool(const Client&)>& visit) const {
  for (const OrderKey& key : node.order) {
    const Node& child = *key.node;
    if (child.self) {
      if (child.active && !visit(child.client)) return false;
    } else if (!walk(child, visit)) {
      return false;
    }
  }
  return true;
}

template <typename Client>
bool DrfSorter<Client>::walkTags(const Node& node,
                                 const std::function<bool(uint32_t)>& visit) const {
  for (const OrderKey& key : node.order) {
    const Node& child = *key.node;
    if (child.self) {
      if (child.active && !visit(child.tag)) return false;
    } else if (!walkTags(child, visit)) {
      return false;
    }
  }
  return true;
}

template <typename Client>
void DrfSorter<Client>::refreshIfStale() {
  if (dirty_ || (pool_ != nullptr && pool_->version != pool_version_seen_)) recomputeAll();
}

template <typename Client>
void DrfSorter<Client>::forEachInOrder(const std::function<bool(const Client&)>& visit) {
  refreshIfStale();
  walk(*root_, visit);
}

template <typename Client>
void DrfSorter<Client>::forEachTagInOrder(const std::function<bool(uint32_t)>& visit) {
  refreshIfStale();
  walkTags(*root_, visit);
}

template <typename Client>
void DrfSorter<Client>::usePool(const Pool* pool) {
  pool_ = pool;
  dirty_ = true;
  ++changes_;
}

template <typename Client>
void DrfSorter<Client>::setTag(const Client& client, uint32_t tag) {
  if (auto it = clients_.find(client); it != clients_.end()) it->second->tag = tag;
}

template <typename Client>
std::vector<Client> DrfSorter<Client>::sort() {
  std::vector<Client> out;
  forEachInOrder([&out](const Client& client) {
    out.push_back(client);
    return true;
  });
  return out;
}

template <typename Client>
double DrfSorter<Client>::share(const Client& client) const {
  auto found = clients_.find(client);
  if (found == clients_.end()) return 0.0;
  return computeShare(*found->second->parent);
}

template <typename Client>
bool DrfSorter<Client>::contains(const Client& client) const {
  return clients_.contains(client);
}

template <typename Client>
size_t DrfSorter<Client>::count() const {
  return clients_.size();
}

template class DrfSorter<RoleName>;
template class DrfSorter<FrameworkId>;

}  // namespace orch::core
