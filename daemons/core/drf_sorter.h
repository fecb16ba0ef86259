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

  // kPerAgent keeps what each client holds on each agent (allocation() answers, unallocated()
  // clamps to it). kSharesOnly keeps only the quantities the order needs: allocation() is empty
  // and unallocated() trusts the caller to return only what it granted (the allocator keeps its
  // own per-agent books for the role sorter, so it saves a copy of every allocation).
  enum class Books { kPerAgent, kSharesOnly };

  explicit DrfSorter(Naming naming = Naming::kFlat, Books books = Books::kPerAgent);
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

  // A pool owned by the caller and shared by many sorters (the allocator has one sorter per
  // role, all measured against the same cluster): the owner bumps `version` on every change
  // and each sorter recomputes its order lazily when it sees a new version. Cheaper than
  // addTotal/removeTotal on every sorter for every agent.
  struct Pool {
    Quantities quantities;
    uint64_t version = 0;
  };
  // From now on shares are measured against `*pool` (which must outlive the sorter) instead of
  // the addTotal/removeTotal books; nullptr goes back to those books.
  void usePool(const Pool* pool);

  // An integer the caller attaches to a client (e.g. a dense slot number), visited by
  // forEachTagInOrder; 0 until set. A no-op for an absent client.
  void setTag(const Client& client, uint32_t tag);
  // Like forEachInOrder, but visits the clients' tags: no string copies, no hash lookups.
  void forEachTagInOrder(const std::function<bool(uint32_t)>& visit);
  // Grows on every change that can change the order (allocations, activation, weights, clients,
  // the pool); equal values mean sort() would return the same order.
  uint64_t changes() const { return changes_ + (pool_ != nullptr ? pool_->version : 0); }
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
  bool walkTags(const Node& node, const std::function<bool(uint32_t)>& visit) const;
  const Quantities& pool() const { return pool_ != nullptr ? pool_->quantities : total_; }
  void refreshIfStale();

  Naming naming_;
  Books books_;
  std::unique_ptr<Node> root_;
  std::unordered_map<Client, Node*> clients_;  // client -> its leaf
  std::map<std::string, double> weights_;      // path -> weight (absent = 1)
  std::map<AgentId, Resources> agent_totals_;
  Quantities total_;
  bool dirty_ = false;  // the pool changed since the order was last computed
  const Pool* pool_ = nullptr;
  uint64_t pool_version_seen_ = 0;
  uint64_t changes_ = 0;
  size_t full_recomputations_ = 0;
};

extern template class DrfSorter<RoleName>;
extern template class DrfSorter<FrameworkId>;

}  // namespace orch::core
