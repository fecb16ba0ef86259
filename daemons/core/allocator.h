// The allocator decides which framework is offered which agent's resources. The master drives
// it: it reports agents, frameworks and resources coming back, and calls allocate() once per
// cycle to get the offers to make. It is pure and deterministic: time is a parameter.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clock.h"
#include "ids.h"
#include "quota.h"
#include "resources.h"

namespace orch::core {

struct FrameworkCapabilities {
  std::vector<RoleName> roles;  // the roles the framework subscribes with (at least one)
  bool gpu_resources = false;   // may be offered agents that have gpus
};

// One offer to make: resources of one agent for one framework, allocated to one role.
struct OfferGrant {
  FrameworkId framework;
  AgentId agent;
  RoleName role;
  Resources resources;
};

struct AllocatorOptions {
  // Resources below this (for every scalar present) are not offered on their own.
  Scalar min_cpus = Scalar::fromMilli(10);
  Scalar min_mem = Scalar::fromMilli(32'000);  // 32 MB
  // Minimum allocatable resources (Mesos --min_allocatable_resources). When not empty it
  // replaces min_cpus/min_mem: an offer is made only when it holds, for at least one entry,
  // every scalar of that entry (summed across reservation roles), e.g. {"cpus:0.1;mem:64",
  // "gpus:1"}.
  std::vector<Resources> min_allocatable;
};

class Allocator {
 public:
  virtual ~Allocator() = default;

  // An agent with `total` resources joins. `used` lists what running tasks already hold, per
  // framework and role (agent re-registration after a master restart).
  struct UsedResources {
    FrameworkId framework;
    RoleName role;
    Resources resources;
  };
  virtual void addAgent(const AgentId& agent, const Resources& total,
                        const std::vector<UsedResources>& used) = 0;
  // The agent and everything allocated on it are gone.
  virtual void removeAgent(const AgentId& agent) = 0;
  // An inactive agent (draining, unreachable) is never offered; its allocations stay counted.
  virtual void setAgentActive(const AgentId& agent, bool active) = 0;

  virtual void addFramework(const FrameworkId& framework, const FrameworkCapabilities& caps) = 0;
  // The framework and its allocations are gone (the master recovers resources first).
  virtual void removeFramework(const FrameworkId& framework) = 0;
  // An inactive framework (disconnected) gets no offers but keeps its allocations.
  virtual void setFrameworkActive(const FrameworkId& framework, bool active) = 0;
  // SUPPRESS: no offers until revive. REVIVE: offers again and every refuse filter is cleared.
  virtual void suppress(const FrameworkId& framework) = 0;
  virtual void revive(const FrameworkId& framework) = 0;

  // Weighted DRF: a role's share is divided by its weight (default 1).
  virtual void setWeight(const RoleName& role, double weight) = 0;

  // Resources allocated to `framework` on `agent` come back (offer declined, rescinded, the
  // unused part of an accept, a task that ended). With `refuse_for`, the agent's resources are
  // not offered to that framework again until now + refuse_for (a decline filter).
  virtual void recoverResources(const FrameworkId& framework, const AgentId& agent,
                                const Resources& resources, std::optional<Duration> refuse_for,
                                TimePoint now) = 0;

  // One allocation cycle: every free resource of every active agent is offered to the
  // framework that is furthest below its weighted fair share, respecting filters, suppression,
  // reservations and gpu capability. Granted resources count as allocated from now on.
  virtual std::vector<OfferGrant> allocate(TimePoint now) = 0;

  // ---- Quota (operator API: `orchctl quota set|get|remove`) ----
  // Sets the role's quota (validated with validateQuota): a guarantee set aside for the role
  // before other roles are offered unreserved resources, and a limit the role's allocation
  // never exceeds. Both count the role's whole subtree. Takes effect on the next allocate().
  virtual absl::Status setQuota(const RoleName& role, const Quota& quota) {
    (void)role;
    (void)quota;
    return absl::UnimplementedError("this allocator has no quota");
  }
  // Removes the role's quota; a no-op when it has none.
  virtual void removeQuota(const RoleName& role) { (void)role; }
  // Every role's quota, by role.
  virtual std::map<RoleName, Quota> quotas() const { return {}; }
  // Every weight set with setWeight, by role (roles absent here weigh 1).
  virtual std::map<RoleName, double> weights() const { return {}; }

  // ---- Dynamic reservations (RESERVE / UNRESERVE offer operations, operator reserve) ----
  // Turns the unreserved `resources` of `agent` into resources reserved to `role`. Without
  // `holder` they must be free; with it they must be allocated to `holder` under `role` (an
  // offer it holds) and stay allocated to it, now reserved. Errors name what is missing.
  virtual absl::Status reserve(const AgentId& agent, const Resources& resources,
                               const RoleName& role, const std::optional<FrameworkId>& holder) {
    (void)agent;
    (void)resources;
    (void)role;
    (void)holder;
    return absl::UnimplementedError("this allocator has no dynamic reservations");
  }
  // The reverse: reserved `resources` (e.g. "cpus(eng):2") become unreserved again; free, or
  // held by `holder` under their reservation role.
  virtual absl::Status unreserve(const AgentId& agent, const Resources& resources,
                                 const std::optional<FrameworkId>& holder) {
    (void)agent;
    (void)resources;
    (void)holder;
    return absl::UnimplementedError("this allocator has no dynamic reservations");
  }

  // Read-only views for metrics and the operator API.
  virtual Resources allocated(const FrameworkId& framework) const = 0;
  virtual Resources totalResources() const = 0;
  virtual Resources allocatedResources() const = 0;
};

std::unique_ptr<Allocator> makeHierarchicalDrfAllocator(const AllocatorOptions& options = {});

}  // namespace orch::core
