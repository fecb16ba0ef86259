// The hierarchical DRF allocator: weighted DRF across roles (role paths form a tree), then DRF
// among the frameworks of the chosen role. Each cycle walks the active agents in id order and
// offers each agent's free resources (whole-agent offers, Mesos style) to the first eligible
// framework in that order. The fairness math lives in DrfSorter; this class only does the
// bookkeeping and the eligibility rules.
//
// Built for 10,000s of agents and 1,000s of frameworks (see docs/allocator.md):
// - frameworks and agents have dense slot numbers; decline filters are per-agent bitsets over
//   framework slots (RefuseFilters), and each role keeps a bitset of its offerable frameworks,
//   so "does anybody in this role still want this agent?" is a few word operations;
// - the role order is cached and rebuilt only when an allocation changed it;
// - every sorter is measured against one shared pool (no per-sorter per-agent totals);
// - an offer's Resources are copied only once a taker is known to exist.
//
// Quota: with any quota set, a cycle has two stages: first roles below an unmet guarantee are
// offered whole agents until the guarantee is covered, then everyone, except that an agent
// whose unreserved resources are needed to cover guarantees still unmet (headroom) is held
// back. Limits cap every offer in both stages, and a role at its limit is offered nothing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "core/allocator.h"
#include "core/drf_sorter.h"
#include "core/quota.h"
#include "core/refuse_filters.h"

namespace orch::core {

class HierarchicalAllocator final : public Allocator {
 public:
  explicit HierarchicalAllocator(const AllocatorOptions& options);
  ~HierarchicalAllocator() override;

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

  // An offer is made only when it passes the minimum allocatable resources.
  std::vector<OfferGrant> allocate(TimePoint now) override;

  absl::Status setQuota(const RoleName& role, const Quota& quota) override;
  void removeQuota(const RoleName& role) override;
  std::map<RoleName, Quota> quotas() const override;
  std::map<RoleName, double> weights() const override { return weights_; }

  absl::Status reserve(const AgentId& agent, const Resources& resources, const RoleName& role,
                       const std::optional<FrameworkId>& holder) override;
  absl::Status unreserve(const AgentId& agent, const Resources& resources,
                         const std::optional<FrameworkId>& holder) override;

  Resources allocated(const FrameworkId& framework) const override;
  Resources totalResources() const override;
  Resources allocatedResources() const override;

  // Free (unallocated) resources of an agent; empty for an unknown agent.
  Resources available(const AgentId& agent) const;
  // The total of an agent (with its current reservations); empty for an unknown agent.
  Resources agentTotal(const AgentId& agent) const;
  // The framework's weighted DRF share within `role` and the role's share among roles.
  double frameworkShare(const FrameworkId& framework, const RoleName& role) const;
  double roleShare(const RoleName& role) const;
  // What the role's subtree holds (scalars); what quota counts.
  ScalarQuantities roleAllocation(const RoleName& role) const;
  // Decline filters in force (after the last allocate() expired old ones).
  size_t refuseFilterCount() const { return filters_.size(); }
  size_t refuseFilterBytes() const { return filters_.bytes(); }

 private:
  struct FrameworkState;
  struct AgentState;
  struct RoleState;
  struct QuotaState;
  enum class Stage { kGuarantees, kEveryone };

  bool sufficient(const Resources& resources) const;
  RoleState& ensureRole(const RoleName& role);
  void dropRoleIfUnused(const RoleName& role);
  FrameworkState& frameworkEntry(const FrameworkId& id);
  void eraseFramework(const FrameworkId& id);
  void joinRole(const FrameworkId& id, FrameworkState& framework, const RoleName& role);
  void leaveRoleIfIdle(const FrameworkId& id, FrameworkState& framework, const RoleName& role);
  void updateActivation(const FrameworkId& id, const FrameworkState& framework);
  void forgetIfPlaceholder(const FrameworkId& id);
  // The two places where an allocation changes; both keep agent, role, framework and quota
  // books equal.
  void grant(const FrameworkId& framework, const RoleName& role, const AgentId& agent,
             const Resources& resources);
  void release(const FrameworkId& framework, const RoleName& role, const AgentId& agent,
               const Resources& resources);
  void changePool(const Resources& resources, int sign);

  // The allocation loop and its helpers.
  struct Candidate {
    const FrameworkId* framework = nullptr;
    Resources offer;
  };
  void allocateStage(Stage stage, std::vector<OfferGrant>& grants);
  // What `role` would be offered of `agent` now, and to which framework; nullopt when the role
  // takes nothing there (no eligible framework, quota, nothing sufficient).
  std::optional<Candidate> candidate(Stage stage, RoleState& role, const AgentState& agent) const;
  void commit(Stage stage, RoleState& role, const AgentId& agent, Candidate taken,
              std::vector<OfferGrant>& grants);
  // Materialises the role order (cached until the role sorter changes).
  void refreshRoleOrder();
  bool anyEligible(RoleState& role, const AgentState& agent) const;
  bool anyoneWants(const AgentState& agent);
  const FrameworkId* chooseFramework(RoleState& role, const AgentState& agent) const;
  // Quota: the offer capped by the limits above `role`; in stage 2, empty when the agent is
  // needed for the headroom of unmet guarantees.
  Resources applyQuota(Stage stage, const RoleName& role, Resources offer) const;
  const QuotaState* unmetGuaranteeOver(const RoleName& role) const;
  bool atLimit(const RoleName& role) const;
  void computeHeadroom();
  void accountQuota(const RoleName& role, const Resources& resources, int sign);

  AllocatorOptions options_;
  std::vector<ScalarQuantities> min_allocatable_;
  DrfSorter<FrameworkId>::Pool framework_pool_;
  DrfSorter<RoleName>::Pool role_pool_;
  DrfSorter<RoleName> role_sorter_{DrfSorter<RoleName>::Naming::kHierarchical,
                                   DrfSorter<RoleName>::Books::kSharesOnly};
  std::map<AgentId, AgentState> agents_;
  std::map<FrameworkId, FrameworkState> frameworks_;
  std::map<RoleName, RoleState> roles_;
  std::map<RoleName, double> weights_;
  std::map<RoleName, QuotaState> quotas_;

  // Dense slots: frameworks (for filter bitsets), agents (for filters), roles (sorter tags).
  std::vector<const FrameworkId*> framework_by_slot_;
  std::vector<uint32_t> free_framework_slots_;
  std::vector<uint64_t> gpu_capable_;  // bitset over framework slots
  uint32_t next_agent_slot_ = 0;
  std::vector<uint32_t> free_agent_slots_;
  std::vector<RoleState*> role_by_slot_;
  std::vector<uint32_t> free_role_slots_;
  RefuseFilters filters_;
  std::vector<uint64_t> offerable_any_;  // union of every role's offerable frameworks
  bool offerable_any_stale_ = true;

  std::vector<RoleState*> role_order_;
  uint64_t role_order_changes_ = UINT64_MAX;
  ScalarQuantities headroom_spare_;  // stage 2: unreserved quantities others may still take
};

}  // namespace orch::core
