// A Sorter decides the order in which clients (roles, or the frameworks of one role) are offered
// resources. It only does the fairness math; the allocation loop lives in the allocator.
// The idea follows the Apache Mesos allocator sorter, with typed clients instead of strings and an
// order that is kept up to date on every change instead of being re-sorted each cycle.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <vector>

#include "core/ids.h"
#include "core/resources.h"

namespace orch::core {

template <typename Client>
class Sorter {
 public:
  virtual ~Sorter() = default;

  // Adds an inactive client with no allocation; a no-op when the client is already present.
  virtual void addClient(const Client& client) = 0;
  // Removes the client and forgets its allocation; a no-op when the client is absent.
  virtual void removeClient(const Client& client) = 0;
  // The client takes part in sort() again; a no-op when absent or already active.
  virtual void activate(const Client& client) = 0;
  // The client is left out of sort() but its allocation still counts; a no-op when absent.
  virtual void deactivate(const Client& client) = 0;
  // Sets the weight (> 0, default 1) of a client or, for hierarchical names, of a path prefix,
  // for present and future clients; a non-positive or non-finite weight is ignored.
  virtual void updateWeight(const Client& path, double weight) = 0;

  // `resources` on `agent` are now allocated to `client`; ignored when the client is absent.
  virtual void allocated(const Client& client, const AgentId& agent,
                         const Resources& resources) = 0;
  // `resources` on `agent` are no longer allocated to `client` (clamped to what it holds).
  virtual void unallocated(const Client& client, const AgentId& agent,
                           const Resources& resources) = 0;
  // What `client` holds, per agent (empty when the client is absent).
  virtual const std::map<AgentId, Resources>& allocation(const Client& client) const = 0;

  // `resources` of `agent` join the pool that shares are measured against.
  virtual void addTotal(const AgentId& agent, const Resources& resources) = 0;
  // `resources` of `agent` leave the pool (clamped to what the agent contributed).
  virtual void removeTotal(const AgentId& agent, const Resources& resources) = 0;

  // Active clients, furthest below their fair share first; ties break by name.
  virtual std::vector<Client> sort() = 0;
  // Visits active clients in sort() order until `visit` returns false; never copies the order.
  virtual void forEachInOrder(const std::function<bool(const Client&)>& visit) = 0;
  // The client's current share as the order uses it (0 when absent).
  virtual double share(const Client& client) const = 0;

  // True when the client is present, active or not.
  virtual bool contains(const Client& client) const = 0;
  // Number of clients present, active or not.
  virtual size_t count() const = 0;
};

}  // namespace orch::core
