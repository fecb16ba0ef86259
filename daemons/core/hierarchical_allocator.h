// The hierarchical DRF allocator: weighted DRF across roles (role paths form a tree), then DRF
// among the frameworks of the chosen role. Each cycle walks the active agents in id order and
// offers each agent's free resources (whole-agent offers, Mesos style) to the first eligible
// framework in that order. The fairness math lives in DrfSorter; this class only does the
// bookkeeping and the eligibility rules.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "core/allocator.h"
#include "core/drf_sorter.h"

namespace orch::core {

class HierarchicalAllocator final : public Allocator {
 public:
  explicit HierarchicalAllocator(const AllocatorOptions& options);

  // Re-adding a known agent replaces it (its old allocations are released first). `used` is
  // clamped to `total`; a framework named in `used` that has not subscribed yet is tracked
  // (inactive, offered nothing) until addFramework.
  void addAgent(const AgentId& agent, const Resources& total,
                const std::vector<UsedResources>& used) override;
  void removeAgent(const AgentId& agent) override;
  void setAgentActive(const AgentId& agent, bool active) override;

  // Re-adding a known framework updates its capabilities and roles and activates it.
  void addFramework(const FrameworkId& framework, const FrameworkCapabilities& caps) override;
  void removeFramework(const FrameworkId& framework) override;
  void setFrameworkActive(const FrameworkId& framework, bool active) override;
  void suppress(const FrameworkId& framework) override;
  void revive(const FrameworkId& framework) override;

  // A non-positive or non-finite weight is ignored.
  void setWeight(const RoleName& role, double weight) override;

  // Unknown frameworks or agents are ignored; what the framework does not hold is ignored. When
  // the framework holds the resources under several roles, roles are drained in name order.
  void recoverResources(const FrameworkId& framework, const AgentId& agent,
                        const Resources& resources, std::optional<Duration> refuse_for,
                        TimePoint now) override;

  // An offer is made only when it has at least min_cpus cpus or min_mem mem.
  std::vector<OfferGrant> allocate(TimePoint now) override;

  Resources allocated(const FrameworkId& framework) const override;
  Resources totalResources() const override;
  Resources allocatedResources() const override;

  // Free (unallocated) resources of an agent; empty for an unknown agent.
  Resources available(const AgentId& agent) const;
  // The framework's weighted DRF share within `role` and the role's share among roles.
  double frameworkShare(const FrameworkId& framework, const RoleName& role) const;
  double roleShare(const RoleName& role) const;

 private:
  struct FrameworkState {
    FrameworkCapabilities caps;
    std::set<RoleName> subscribed;  // caps.roles as a set
    bool registered = false;        // false: known only from an agent's used resources
    bool active = false;
    bool suppressed = false;
    std::set<RoleName> roles;  // roles whose framework sorter holds this framework
    std::map<AgentId, TimePoint> refused_until;  // decline filters
  };
  struct AgentState {
    Resources total;
    Resources free;
    bool active = true;
    std::map<std::pair<FrameworkId, RoleName>, Resources> allocations;
  };
  struct RoleState {
    std::unique_ptr<DrfSorter<FrameworkId>> frameworks;
  };

  bool sufficient(const Resources& resources) const;
  void ensureRole(const RoleName& role);
  void dropRoleIfUnused(const RoleName& role);
  void joinRole(const FrameworkId& id, FrameworkState& framework, const RoleName& role);
  void leaveRoleIfIdle(const FrameworkId& id, FrameworkState& framework, const RoleName& role);
  void updateActivation(const FrameworkId& id, const FrameworkState& framework);
  void forgetIfPlaceholder(const FrameworkId& id);
  bool eligible(const FrameworkId& id, const AgentId& agent, bool agent_has_gpus,
                TimePoint now) const;
  // The two places where an allocation changes; both keep agent, role and framework books equal.
  void grant(const FrameworkId& framework, const RoleName& role, const AgentId& agent,
             const Resources& resources);
  void release(const FrameworkId& framework, const RoleName& role, const AgentId& agent,
               const Resources& resources);

  AllocatorOptions options_;
  DrfSorter<RoleName> role_sorter_{DrfSorter<RoleName>::Naming::kHierarchical};
  std::map<AgentId, AgentState> agents_;
  std::map<FrameworkId, FrameworkState> frameworks_;
  std::map<RoleName, RoleState> roles_;
};

}  // namespace orch::core
