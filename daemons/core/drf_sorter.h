// Weighted Dominant Resource Fairness: a client's share is the largest fraction it holds of any
// scalar resource in the pool, divided by its weight; the client with the smallest share goes
// first. With hierarchical names ("eng", "eng/ml") clients form a tree: siblings are ordered by
// the share of everything allocated in their subtree, and sort() walks the tree depth first.
//
// The order is kept incrementally: every node keeps its children in an ordered set keyed by
// (weighted share, name), and an allocation change re-keys only the nodes on the path from the
// client to the root (O(depth * log n)). Only a change of the total pool, which changes every
// share, recomputes the whole order, and it does so lazily on the next sort().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ids.h"
#include "core/resources.h"
#include "core/sorter.h"

namespace orch::core {

template <typename Client>
class DrfSorter final : public Sorter<Client> {
 public:
  // kFlat: a client name is opaque. kHierarchical: '/' separates path components and a client
  // "a/b" is a child of path "a" (which may itself be a client).
  enum class Naming { kFlat, kHierarchical };

  explicit DrfSorter(Naming naming = Naming::kFlat);
  ~DrfSorter() override;
  DrfSorter(const DrfSorter&) = delete;
  DrfSorter& operator=(const DrfSorter&) = delete;

  void addClient(const Client& client) override;
  void removeClient(const Client& client) override;
  void activate(const Client& client) override;
  void deactivate(const Client& client) override;
  void updateWeight(const Client& path, double weight) override;

  void allocated(const Client& client, const AgentId& agent, const Resources& resources) override;
  void unallocated(const Client& client, const AgentId& agent, const Resources& resources) override;
  const std::map<AgentId, Resources>& allocation(const Client& client) const override;

  void addTotal(const AgentId& agent, const Resources& resources) override;
  void removeTotal(const AgentId& agent, const Resources& resources) override;

  std::vector<Client> sort() override;
  void forEachInOrder(const std::function<bool(const Client&)>& visit) override;
  // The weighted dominant share of the client's subtree (just the client when it has no
  // children), computed from the current allocation and pool.
  double share(const Client& client) const override;

  bool contains(const Client& client) const override;
  size_t count() const override;

  // How many times the whole order was recomputed; only a change of the pool causes one.
  size_t fullRecomputations() const { return full_recomputations_; }

  // Scalar quantities (thousandths) by resource name.
  using Quantities = std::map<std::string, int64_t>;
  // The weighted dominant share of `allocated` against `total` — the formula the order uses.
  static double dominantShare(const Quantities& allocated, const Quantities& total, double weight);

 private:
  struct Node;
  struct OrderKey;

  std::vector<std::string> components(const Client& client) const;
  Node* findPath(const std::string& path) const;
  double weightFor(const std::string& path) const;
  double computeShare(const Node& node) const;
  void insertIntoParent(Node& node);
  void eraseFromParent(Node& node);
  void propagate(Node& leaf, const Quantities& delta, int sign);
  void recomputeAll();
  void recompute(Node& node);
  bool walk(const Node& node, const std::function<bool(const Client&)>& visit) const;

  Naming naming_;
  std::unique_ptr<Node> root_;
  std::unordered_map<Client, Node*> clients_;  // client -> its leaf
  std::map<std::string, double> weights_;      // path -> weight (absent = 1)
  std::map<AgentId, Resources> agent_totals_;
  Quantities total_;
  bool dirty_ = false;  // the pool changed since the order was last computed
  size_t full_recomputations_ = 0;
};

extern template class DrfSorter<RoleName>;
extern template class DrfSorter<FrameworkId>;

}  // namespace orch::core
