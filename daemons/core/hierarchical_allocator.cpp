#include "core/hierarchical_allocator.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace orch::core {

struct HierarchicalAllocator::FrameworkState {
  uint32_t slot = 0;
  FrameworkCapabilities caps;
  std::set<RoleName> subscribed;  // caps.roles as a set
  bool registered = false;        // false: known only from an agent's used resources
  bool active = false;
  bool suppressed = false;
  std::set<RoleName> roles;  // roles whose framework sorter holds this framework
  // Per role, the agents where it holds something (the amounts are in AgentState::allocations;
  // the framework sorters keep shares only).
  std::map<RoleName, std::set<AgentId>> held;
};

struct HierarchicalAllocator::AgentState {
  uint32_t slot = 0;
  Resources total;
  Resources free;
  bool active = true;
  bool has_gpus = false;
  bool has_reserved = false;  // some of total is reserved to a role
  std::map<std::pair<FrameworkId, RoleName>, Resources> allocations;
};

struct HierarchicalAllocator::RoleState {
  RoleName name;
  uint32_t slot = 0;
  std::unique_ptr<DrfSorter<FrameworkId>> frameworks;
  std::set<uint32_t> offerable;  // slots of the frameworks active in `frameworks`
  std::vector<std::pair<uint32_t, uint64_t>> words;  // `offerable` as (word index, bits)
  bool words_stale = false;
};

struct HierarchicalAllocator::QuotaState {
  Quota quota;
  ScalarQuantities guarantee;
  ScalarQuantities limit;
  ScalarQuantities consumed;  // what the role's subtree holds
};

namespace {

int64_t sumOf(const Resources& resources, std::string_view name) {
  int64_t sum = 0;
  for (const auto& [key, entry] : resources.entries()) {
    if (entry.kind == Resources::Kind::kScalar && entry.name == name) sum += entry.scalar.milli();
  }
  return sum;
}

bool hasReserved(const Resources& resources) {
  for (const auto& [key, entry] : resources.entries()) {
    if (entry.role != "*") return true;
  }
  return false;
}

void applyDelta(ScalarQuantities& into, const ScalarQuantities& delta, int sign) {
  for (const auto& [name, value] : delta) {
    int64_t& slot = into[name];
    slot += sign * value;
    if (slot == 0) into.erase(name);
  }
}

// `resources` with every scalar named in `room` cut down so that, per name, the sum taken is at
// most room[name] (consumed from `room`). Reserved entries take their room first: only their
// role can use them, so a capped offer should hold them rather than unreserved resources that
// others could have. With `unreserved_only`, reserved entries pass as is.
Resources capScalars(const Resources& resources, ScalarQuantities room, bool unreserved_only) {
  Resources out;
  for (const bool reserved_pass : {true, false}) {
    for (const auto& [key, entry] : resources.entries()) {
      if ((entry.role != "*") != reserved_pass) continue;
      auto it = room.find(entry.name);
      if (entry.kind != Resources::Kind::kScalar || it == room.end() ||
          (unreserved_only && entry.role != "*")) {
        (void)out.add(entry);
        continue;
      }
      const int64_t take =
          std::clamp<int64_t>(entry.scalar.milli(), 0, std::max<int64_t>(0, it->second));
      it->second -= take;
      if (take == 0) continue;
      Resources::Entry capped = entry;
      capped.scalar = Scalar::fromMilli(take);
      (void)out.add(capped);
    }
  }
  return out;
}

// `resources` with every entry moved to reservation role `role`.
Resources withRole(const Resources& resources, const std::string& role) {
  Resources out;
  for (const auto& [key, entry] : resources.entries()) {
    Resources::Entry moved = entry;
    moved.role = role;
    (void)out.add(moved);
  }
  return out;
}

void setBit(std::vector<uint64_t>& bits, uint32_t index, bool value) {
  const size_t word = index / 64;
  if (word >= bits.size()) bits.resize(word + 1, 0);
  const uint64_t bit = uint64_t{1} << (index % 64);
  bits[word] = value ? (bits[word] | bit) : (bits[word] & ~bit);
}

bool testBit(const std::vector<uint64_t>& bits, uint32_t index) {
  const size_t word = index / 64;
  return word < bits.size() && ((bits[word] >> (index % 64)) & 1U) != 0;
}

}  // namespace

HierarchicalAllocator::HierarchicalAllocator(const AllocatorOptions& options) : options_(options) {
  for (const Resources& min : options_.min_allocatable) {
    ScalarQuantities q = scalarQuantitiesOf(min);
    if (!q.empty()) min_allocatable_.push_back(std::move(q));
  }
  role_sorter_.usePool(&role_pool_);
}

HierarchicalAllocator::~HierarchicalAllocator() = default;

std::unique_ptr<Allocator> makeHierarchicalDrfAllocator(const AllocatorOptions& options) {
  return std::make_unique<HierarchicalAllocator>(options);
}

// ---- bookkeeping --------------------------------------------------------------------------------

bool HierarchicalAllocator::sufficient(const Resources& resources) const {
  if (resources.empty()) return false;
  if (min_allocatable_.empty()) {
    return sumOf(resources, "cpus") >= options_.min_cpus.milli() ||
           sumOf(resources, "mem") >= options_.min_mem.milli();
  }
  for (const ScalarQuantities& min : min_allocatable_) {
    bool all = true;
    for (const auto& [name, value] : min) all = all && sumOf(resources, name) >= value;
    if (all) return true;
  }
  return false;
}

void HierarchicalAllocator::changePool(const Resources& resources, int sign) {
  const ScalarQuantities delta = scalarQuantitiesOf(resources);
  if (delta.empty()) return;
  applyDelta(framework_pool_.quantities, delta, sign);
  applyDelta(role_pool_.quantities, delta, sign);
  ++framework_pool_.version;
  ++role_pool_.version;
}

HierarchicalAllocator::RoleState& HierarchicalAllocator::ensureRole(const RoleName& role) {
  auto it = roles_.find(role);
  if (it != roles_.end()) return it->second;
  RoleState& state = roles_[role];
  state.name = role;
  state.frameworks = std::make_unique<DrfSorter<FrameworkId>>(
      DrfSorter<FrameworkId>::Naming::kFlat, DrfSorter<FrameworkId>::Books::kSharesOnly);
  state.frameworks->usePool(&framework_pool_);
  if (free_role_slots_.empty()) {
    state.slot = static_cast<uint32_t>(role_by_slot_.size());
    role_by_slot_.push_back(&state);
  } else {
    state.slot = free_role_slots_.back();
    free_role_slots_.pop_back();
    role_by_slot_[state.slot] = &state;
  }
  role_sorter_.addClient(role);
  role_sorter_.setTag(role, state.slot);
  role_sorter_.activate(role);
  return state;
}

void HierarchicalAllocator::dropRoleIfUnused(const RoleName& role) {
  auto it = roles_.find(role);
  if (it == roles_.end() || it->second.frameworks->count() > 0) return;
  role_by_slot_[it->second.slot] = nullptr;
  free_role_slots_.push_back(it->second.slot);
  roles_.erase(it);
  role_sorter_.removeClient(role);
}

HierarchicalAllocator::FrameworkState& HierarchicalAllocator::frameworkEntry(
    const FrameworkId& id) {
  auto [it, inserted] = frameworks_.try_emplace(id);
  if (inserted) {
    if (free_framework_slots_.empty()) {
      it->second.slot = static_cast<uint32_t>(framework_by_slot_.size());
      framework_by_slot_.push_back(&it->first);
    } else {
      it->second.slot = free_framework_slots_.back();
      free_framework_slots_.pop_back();
      framework_by_slot_[it->second.slot] = &it->first;
    }
  }
  return it->second;
}

void HierarchicalAllocator::eraseFramework(const FrameworkId& id) {
  auto it = frameworks_.find(id);
  if (it == frameworks_.end()) return;
  const uint32_t slot = it->second.slot;
  filters_.clearFramework(slot);
  setBit(gpu_capable_, slot, false);
  framework_by_slot_[slot] = nullptr;
  free_framework_slots_.push_back(slot);
  frameworks_.erase(it);
}

void HierarchicalAllocator::joinRole(const FrameworkId& id, FrameworkState& framework,
                                     const RoleName& role) {
  RoleState& state = ensureRole(role);
  state.frameworks->addClient(id);
  state.frameworks->setTag(id, framework.slot);
  framework.roles.insert(role);
}

// A framework stays in a role's sorter while it subscribes to the role or holds something in it.
void HierarchicalAllocator::leaveRoleIfIdle(const FrameworkId& id, FrameworkState& framework,
                                            const RoleName& role) {
  if (framework.registered && framework.subscribed.contains(role)) return;
  auto it = roles_.find(role);
  if (it == roles_.end()) return;
  if (framework.held.contains(role)) return;
  it->second.frameworks->removeClient(id);
  if (it->second.offerable.erase(framework.slot) > 0) { it->second.words_stale = true; offerable_any_stale_ = true; }
  framework.roles.erase(role);
  dropRoleIfUnused(role);
}

void HierarchicalAllocator::updateActivation(const FrameworkId& id,
                                             const FrameworkState& framework) {
  const bool offerable = framework.registered && framework.active && !framework.suppressed;
  for (const RoleName& role : framework.roles) {
    RoleState& state = roles_.at(role);
    if (offerable && framework.subscribed.contains(role)) {
      state.frameworks->activate(id);
      if (state.offerable.insert(framework.slot).second) { state.words_stale = true; offerable_any_stale_ = true; }
    } else {
      state.frameworks->deactivate(id);
      if (state.offerable.erase(framework.slot) > 0) { state.words_stale = true; offerable_any_stale_ = true; }
    }
  }
}

void HierarchicalAllocator::forgetIfPlaceholder(const FrameworkId& id) {
  auto it = frameworks_.find(id);
  if (it == frameworks_.end() || it->second.registered || !it->second.roles.empty()) return;
  eraseFramework(id);
}

void HierarchicalAllocator::accountQuota(const RoleName& role, const Resources& resources,
                                         int sign) {
  if (quotas_.empty()) return;
  ScalarQuantities delta;
  for (auto& [quota_role, quota] : quotas_) {
    if (!roleIsWithin(role.value(), quota_role.value())) continue;
    if (delta.empty()) delta = scalarQuantitiesOf(resources);
    applyDelta(quota.consumed, delta, sign);
  }
}

void HierarchicalAllocator::grant(const FrameworkId& framework, const RoleName& role,
                                  const AgentId& agent, const Resources& resources) {
  AgentState& state = agents_.at(agent);
  state.free -= resources;
  Resources& held = state.allocations[{framework, role}];
  if (held.empty()) {
    if (auto fw = frameworks_.find(framework); fw != frameworks_.end()) {
      fw->second.held[role].insert(agent);
    }
  }
  held += resources;
  role_sorter_.allocated(role, agent, resources);
  roles_.at(role).frameworks->allocated(framework, agent, resources);
  accountQuota(role, resources, +1);
}

void HierarchicalAllocator::release(const FrameworkId& framework, const RoleName& role,
                                    const AgentId& agent, const Resources& resources) {
  AgentState& state = agents_.at(agent);
  auto held = state.allocations.find({framework, role});
  if (held == state.allocations.end()) return;
  const Resources part = held->second.intersection(resources);
  if (part.empty()) return;
  held->second -= part;
  if (held->second.empty()) {
    state.allocations.erase(held);
    if (auto fw = frameworks_.find(framework); fw != frameworks_.end()) {
      if (auto r = fw->second.held.find(role); r != fw->second.held.end()) {
        r->second.erase(agent);
        if (r->second.empty()) fw->second.held.erase(r);
      }
    }
  }
  state.free += part;
  role_sorter_.unallocated(role, agent, part);
  roles_.at(role).frameworks->unallocated(framework, agent, part);
  accountQuota(role, part, -1);
}

// ---- agents -------------------------------------------------------------------------------------

void HierarchicalAllocator::addAgent(const AgentId& agent, const Resources& total,
                                     const std::vector<UsedResources>& used) {
  if (agents_.contains(agent)) removeAgent(agent);
  AgentState state;
  if (free_agent_slots_.empty()) {
    state.slot = next_agent_slot_++;
  } else {
    state.slot = free_agent_slots_.back();
    free_agent_slots_.pop_back();
  }
  state.total = total;
  state.free = total;
  state.has_gpus = sumOf(total, "gpus") > 0;
  state.has_reserved = hasReserved(total);
  agents_.emplace(agent, std::move(state));
  changePool(total, +1);

  for (const UsedResources& use : used) {
    const Resources part = agents_.at(agent).free.intersection(use.resources);
    if (part.empty()) continue;
    FrameworkState& framework = frameworkEntry(use.framework);
    if (!framework.roles.contains(use.role)) {
      joinRole(use.framework, framework, use.role);
      updateActivation(use.framework, framework);
    }
    grant(use.framework, use.role, agent, part);
  }
}

void HierarchicalAllocator::removeAgent(const AgentId& agent) {
  auto it = agents_.find(agent);
  if (it == agents_.end()) return;
  const auto allocations = it->second.allocations;  // copy: release() edits the original
  for (const auto& [key, resources] : allocations) {
    const auto& [framework, role] = key;
    release(framework, role, agent, resources);
    auto fw = frameworks_.find(framework);
    if (fw == frameworks_.end()) continue;
    leaveRoleIfIdle(framework, fw->second, role);
    forgetIfPlaceholder(framework);
  }
  changePool(it->second.total, -1);
  filters_.clearAgent(it->second.slot);
  free_agent_slots_.push_back(it->second.slot);
  agents_.erase(it);
}

void HierarchicalAllocator::setAgentActive(const AgentId& agent, bool active) {
  if (auto it = agents_.find(agent); it != agents_.end()) it->second.active = active;
}

// ---- frameworks ---------------------------------------------------------------------------------

void HierarchicalAllocator::addFramework(const FrameworkId& framework,
                                         const FrameworkCapabilities& caps) {
  FrameworkState& state = frameworkEntry(framework);
  state.caps = caps;
  state.subscribed = std::set<RoleName>(caps.roles.begin(), caps.roles.end());
  state.registered = true;
  state.active = true;
  setBit(gpu_capable_, state.slot, caps.gpu_resources);
  for (const RoleName& role : state.subscribed) {
    if (!state.roles.contains(role)) joinRole(framework, state, role);
  }
  const std::set<RoleName> roles = state.roles;  // copy: leaveRoleIfIdle edits it
  for (const RoleName& role : roles) leaveRoleIfIdle(framework, state, role);
  updateActivation(framework, state);
}

void HierarchicalAllocator::removeFramework(const FrameworkId& framework) {
  auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return;
  for (const RoleName& role : it->second.roles) {
    RoleState& state = roles_.at(role);
    auto held = it->second.held.find(role);
    if (held != it->second.held.end()) {
      const std::set<AgentId> agents = held->second;  // copy: release() edits it
      for (const AgentId& agent : agents) {
        const Resources resources = agents_.at(agent).allocations.at({framework, role});
        release(framework, role, agent, resources);
      }
    }
    state.frameworks->removeClient(framework);
    if (state.offerable.erase(it->second.slot) > 0) { state.words_stale = true; offerable_any_stale_ = true; }
    dropRoleIfUnused(role);
  }
  eraseFramework(framework);
}

void HierarchicalAllocator::setFrameworkActive(const FrameworkId& framework, bool active) {
  auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return;
  it->second.active = active;
  updateActivation(framework, it->second);
}

void HierarchicalAllocator::suppress(const FrameworkId& framework) {
  auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return;
  it->second.suppressed = true;
  updateActivation(framework, it->second);
}

void HierarchicalAllocator::revive(const FrameworkId& framework) {
  auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return;
  it->second.suppressed = false;
  filters_.clearFramework(it->second.slot);
  updateActivation(framework, it->second);
}

void HierarchicalAllocator::setWeight(const RoleName& role, double weight) {
  if (!std::isfinite(weight) || weight <= 0.0) return;
  weights_[role] = weight;
  role_sorter_.updateWeight(role, weight);
}

// ---- resources coming back ----------------------------------------------------------------------

void HierarchicalAllocator::recoverResources(const FrameworkId& framework, const AgentId& agent,
                                             const Resources& resources,
                                             std::optional<Duration> refuse_for, TimePoint now) {
  auto fw = frameworks_.find(framework);
  auto ag = agents_.find(agent);
  if (fw == frameworks_.end() || ag == agents_.end()) return;

  Resources remaining = resources;
  const std::set<RoleName> roles = fw->second.roles;  // copy: leaveRoleIfIdle edits it
  for (const RoleName& role : roles) {
    auto held = ag->second.allocations.find({framework, role});
    if (held == ag->second.allocations.end()) continue;
    const Resources part = held->second.intersection(remaining);
    if (part.empty()) continue;
    release(framework, role, agent, part);
    remaining -= part;
    leaveRoleIfIdle(framework, fw->second, role);
  }

  if (refuse_for && *refuse_for > Duration::zero()) {
    filters_.refuse(fw->second.slot, ag->second.slot, now + *refuse_for);
  }
  forgetIfPlaceholder(framework);
}

// ---- the allocation cycle -----------------------------------------------------------------------

void HierarchicalAllocator::refreshRoleOrder() {
  if (role_sorter_.changes() == role_order_changes_) return;
  role_order_.clear();
  role_sorter_.forEachTagInOrder([this](uint32_t slot) {
    role_order_.push_back(role_by_slot_[slot]);
    return true;
  });
  role_order_changes_ = role_sorter_.changes();
}

bool HierarchicalAllocator::anyEligible(RoleState& role, const AgentState& agent) const {
  if (role.words_stale) {
    role.words.clear();
    for (uint32_t slot : role.offerable) {
      const uint32_t word = slot / 64;
      if (role.words.empty() || role.words.back().first != word) role.words.emplace_back(word, 0);
      role.words.back().second |= uint64_t{1} << (slot % 64);
    }
    role.words_stale = false;
  }
  for (const auto& [word, bits] : role.words) {
    uint64_t wanting = bits & ~filters_.word(agent.slot, word);
    if (agent.has_gpus) wanting &= word < gpu_capable_.size() ? gpu_capable_[word] : 0;
    if (wanting != 0) return true;
  }
  return false;
}

const FrameworkId* HierarchicalAllocator::chooseFramework(RoleState& role,
                                                          const AgentState& agent) const {
  const FrameworkId* chosen = nullptr;
  role.frameworks->forEachTagInOrder([&](uint32_t slot) {
    if (filters_.refused(slot, agent.slot)) return true;
    if (agent.has_gpus && !testBit(gpu_capable_, slot)) return true;
    chosen = framework_by_slot_[slot];
    return false;
  });
  return chosen;
}

// True when some offerable framework, in any role, is not filtered on the agent: one pass over
// a bitset lets the all-declining case skip an agent without looking at its roles.
bool HierarchicalAllocator::anyoneWants(const AgentState& agent) {
  if (offerable_any_stale_) {
    offerable_any_.assign(framework_by_slot_.size() / 64 + 1, 0);
    for (const auto& [name, role] : roles_) {
      for (uint32_t slot : role.offerable) setBit(offerable_any_, slot, true);
    }
    offerable_any_stale_ = false;
  }
  for (size_t word = 0; word < offerable_any_.size(); ++word) {
    uint64_t wanting = offerable_any_[word] & ~filters_.word(agent.slot, word);
    if (agent.has_gpus) wanting &= word < gpu_capable_.size() ? gpu_capable_[word] : 0;
    if (wanting != 0) return true;
  }
  return false;
}

std::optional<HierarchicalAllocator::Candidate> HierarchicalAllocator::candidate(
    Stage stage, RoleState& role, const AgentState& agent) const {
  if (role.offerable.empty() || !anyEligible(role, agent)) return std::nullopt;
  if (stage == Stage::kGuarantees && unmetGuaranteeOver(role.name) == nullptr) return std::nullopt;
  Resources offer = agent.has_reserved ? agent.free.allocatableTo(role.name.value()) : agent.free;
  if (!quotas_.empty()) {
    if (atLimit(role.name)) return std::nullopt;
    offer = applyQuota(stage, role.name, std::move(offer));
  }
  if (!sufficient(offer)) return std::nullopt;
  const FrameworkId* chosen = chooseFramework(role, agent);
  if (chosen == nullptr) return std::nullopt;
  return Candidate{chosen, std::move(offer)};
}

void HierarchicalAllocator::commit(Stage stage, RoleState& role, const AgentId& agent,
                                   Candidate taken, std::vector<OfferGrant>& grants) {
  grant(*taken.framework, role.name, agent, taken.offer);
  if (!quotas_.empty() && stage == Stage::kEveryone && unmetGuaranteeOver(role.name) == nullptr) {
    // Not applyDelta: a spare of zero must stay (it means "nothing more to take").
    for (const auto& [name, value] : scalarQuantitiesOf(taken.offer.unreserved())) {
      if (auto it = headroom_spare_.find(name); it != headroom_spare_.end()) it->second -= value;
    }
  }
  grants.push_back(OfferGrant{*taken.framework, agent, role.name, std::move(taken.offer)});
}

// Each agent's turn uses the role order as it stands when the turn starts (a grant re-sorts
// the granted role, which only counts from the next agent on). The order is walked lazily and
// left at the first role that takes an offer: usually that offer is all the agent has free, so
// a turn costs the ineligible roles before the taker, not the whole order. Only when the taker
// leaves something (reservations for other roles, a quota cap) is the order materialised, still
// before the grant so it is the order of this turn, and the turn goes on down that list.
void HierarchicalAllocator::allocateStage(Stage stage, std::vector<OfferGrant>& grants) {
  for (auto& [agent_id, agent] : agents_) {
    if (!agent.active || agent.free.empty() || !anyoneWants(agent)) continue;
    RoleState* first = nullptr;
    std::optional<Candidate> taken;
    role_sorter_.forEachTagInOrder([&](uint32_t slot) {
      RoleState* role = role_by_slot_[slot];
      taken = candidate(stage, *role, agent);
      if (!taken) return true;
      first = role;
      return false;
    });
    if (first == nullptr) continue;
    if (taken->offer == agent.free) {
      commit(stage, *first, agent_id, std::move(*taken), grants);
      continue;
    }
    refreshRoleOrder();
    auto at = std::find(role_order_.begin(), role_order_.end(), first);
    commit(stage, *first, agent_id, std::move(*taken), grants);
    for (++at; at != role_order_.end() && !agent.free.empty(); ++at) {
      std::optional<Candidate> next = candidate(stage, **at, agent);
      if (next) commit(stage, **at, agent_id, std::move(*next), grants);
    }
  }
}

std::vector<OfferGrant> HierarchicalAllocator::allocate(TimePoint now) {
  // Expired decline filters go first, so they cannot pile up.
  filters_.expire(now);
  std::vector<OfferGrant> grants;
  if (!quotas_.empty()) {
    allocateStage(Stage::kGuarantees, grants);
    computeHeadroom();
  }
  allocateStage(Stage::kEveryone, grants);
  return grants;
}

// ---- quota --------------------------------------------------------------------------------------

const HierarchicalAllocator::QuotaState* HierarchicalAllocator::unmetGuaranteeOver(
    const RoleName& role) const {
  const QuotaState* deepest = nullptr;
  size_t depth = 0;
  for (const auto& [quota_role, quota] : quotas_) {
    if (!roleIsWithin(role.value(), quota_role.value())) continue;
    bool unmet = false;
    for (const auto& [name, value] : quota.guarantee) {
      auto it = quota.consumed.find(name);
      unmet = unmet || (it == quota.consumed.end() ? 0 : it->second) < value;
    }
    if (unmet && (deepest == nullptr || quota_role.value().size() > depth)) {
      deepest = &quota;
      depth = quota_role.value().size();
    }
  }
  return deepest;
}

// A role (or a role above it) that holds all its limit of some resource is offered nothing:
// an offer without that resource would only be declined, and would block other roles.
bool HierarchicalAllocator::atLimit(const RoleName& role) const {
  for (const auto& [quota_role, quota] : quotas_) {
    if (!roleIsWithin(role.value(), quota_role.value())) continue;
    for (const auto& [name, limit] : quota.limit) {
      auto used = quota.consumed.find(name);
      if ((used == quota.consumed.end() ? 0 : used->second) >= limit) return true;
    }
  }
  return false;
}

Resources HierarchicalAllocator::applyQuota(Stage stage, const RoleName& role,
                                            Resources offer) const {
  // Limits of the role and of every role above it.
  ScalarQuantities room;
  for (const auto& [quota_role, quota] : quotas_) {
    if (!roleIsWithin(role.value(), quota_role.value())) continue;
    for (const auto& [name, limit] : quota.limit) {
      auto used = quota.consumed.find(name);
      const int64_t left = limit - (used == quota.consumed.end() ? 0 : used->second);
      auto [it, inserted] = room.emplace(name, left);
      if (!inserted) it->second = std::min(it->second, left);
    }
  }
  if (!room.empty()) offer = capScalars(offer, room, false);

  // Stage 1 offers whole agents (within limits) while the guarantee is unmet: capping each
  // resource at what is still missing would leave offers of one resource without the others.
  const QuotaState* unmet = unmetGuaranteeOver(role);
  if (stage == Stage::kGuarantees) {
    return offer;
  } else if (stage == Stage::kEveryone && unmet == nullptr && !headroom_spare_.empty()) {
    // Offering this agent would eat into what the unmet guarantees need: hold the whole agent
    // back (cutting single resources out would leave fragments nobody can use).
    for (const auto& [name, spare] : headroom_spare_) {
      int64_t unreserved = 0;
      for (const auto& [key, entry] : offer.entries()) {
        if (entry.kind == Resources::Kind::kScalar && entry.role == "*" && entry.name == name) {
          unreserved += entry.scalar.milli();
        }
      }
      if (unreserved > 0 && unreserved > spare) return Resources{};
    }
  }
  return offer;
}

// Unreserved quantities others may take in stage 2: what is free on active agents minus what the
// unmet guarantees still need.
void HierarchicalAllocator::computeHeadroom() {
  ScalarQuantities needed;
  for (const auto& [role, quota] : quotas_) {
    for (const auto& [name, value] : quota.guarantee) {
      auto used = quota.consumed.find(name);
      const int64_t missing = value - (used == quota.consumed.end() ? 0 : used->second);
      if (missing > 0) needed[name] += missing;
    }
  }
  headroom_spare_.clear();
  if (needed.empty()) return;
  for (const auto& [name, value] : needed) headroom_spare_[name] = -value;
  for (const auto& [id, agent] : agents_) {
    if (!agent.active) continue;
    for (const auto& [key, entry] : agent.free.entries()) {
      if (entry.kind != Resources::Kind::kScalar || entry.role != "*") continue;
      auto it = headroom_spare_.find(entry.name);
      if (it != headroom_spare_.end()) it->second += entry.scalar.milli();
    }
  }
}

absl::Status HierarchicalAllocator::setQuota(const RoleName& role, const Quota& quota) {
  if (absl::Status s = validateQuota(role.value(), quota); !s.ok()) return s;
  QuotaState state;
  state.quota = quota;
  state.guarantee = scalarQuantitiesOf(quota.guarantee);
  state.limit = scalarQuantitiesOf(quota.limit);
  for (const auto& [id, agent] : agents_) {
    for (const auto& [key, resources] : agent.allocations) {
      if (roleIsWithin(key.second.value(), role.value())) {
        applyDelta(state.consumed, scalarQuantitiesOf(resources), +1);
      }
    }
  }
  quotas_[role] = std::move(state);
  return absl::OkStatus();
}

void HierarchicalAllocator::removeQuota(const RoleName& role) { quotas_.erase(role); }

std::map<RoleName, Quota> HierarchicalAllocator::quotas() const {
  std::map<RoleName, Quota> out;
  for (const auto& [role, state] : quotas_) out.emplace(role, state.quota);
  return out;
}

ScalarQuantities HierarchicalAllocator::roleAllocation(const RoleName& role) const {
  ScalarQuantities out;
  for (const auto& [id, agent] : agents_) {
    for (const auto& [key, resources] : agent.allocations) {
      if (roleIsWithin(key.second.value(), role.value())) {
        applyDelta(out, scalarQuantitiesOf(resources), +1);
      }
    }
  }
  return out;
}

// ---- dynamic reservations -----------------------------------------------------------------------

absl::Status HierarchicalAllocator::reserve(const AgentId& agent, const Resources& resources,
                                            const RoleName& role,
                                            const std::optional<FrameworkId>& holder) {
  auto ag = agents_.find(agent);
  if (ag == agents_.end()) {
    return absl::NotFoundError(absl::StrCat("reserve: unknown agent '", agent.value(), "'"));
  }
  if (role.empty() || role.value() == "*") {
    return absl::InvalidArgumentError("reserve: name the role to reserve for (not '*')");
  }
  if (resources.empty() || resources.unreserved() != resources) {
    return absl::InvalidArgumentError(absl::StrCat(
        "reserve: resources '", resources.toString(), "' must be non-empty and unreserved"));
  }
  AgentState& state = ag->second;
  const Resources reserved = withRole(resources, role.value());
  if (holder) {
    auto held = state.allocations.find({*holder, role});
    if (held == state.allocations.end() || !held->second.contains(resources)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "reserve: framework '", holder->value(), "' does not hold '", resources.toString(),
          "' for role '", role.value(), "' on agent '", agent.value(), "'"));
    }
    release(*holder, role, agent, resources);
  } else if (!state.free.contains(resources)) {
    return absl::FailedPreconditionError(
        absl::StrCat("reserve: '", resources.toString(), "' is not free on agent '",
                     agent.value(), "' (free: '", state.free.toString(), "')"));
  }
  state.total -= resources;
  state.total += reserved;
  state.free -= resources;
  state.free += reserved;
  state.has_reserved = true;
  if (holder) grant(*holder, role, agent, reserved);
  return absl::OkStatus();
}

absl::Status HierarchicalAllocator::unreserve(const AgentId& agent, const Resources& resources,
                                              const std::optional<FrameworkId>& holder) {
  auto ag = agents_.find(agent);
  if (ag == agents_.end()) {
    return absl::NotFoundError(absl::StrCat("unreserve: unknown agent '", agent.value(), "'"));
  }
  std::set<std::string> roles;
  for (const auto& [key, entry] : resources.entries()) roles.insert(entry.role);
  if (resources.empty() || roles.size() != 1 || *roles.begin() == "*") {
    return absl::InvalidArgumentError(
        absl::StrCat("unreserve: resources '", resources.toString(),
                     "' must be non-empty and reserved to exactly one role"));
  }
  const RoleName role(*roles.begin());
  AgentState& state = ag->second;
  const Resources unreserved = withRole(resources, "*");
  if (holder) {
    auto held = state.allocations.find({*holder, role});
    if (held == state.allocations.end() || !held->second.contains(resources)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "unreserve: framework '", holder->value(), "' does not hold '", resources.toString(),
          "' on agent '", agent.value(), "'"));
    }
    release(*holder, role, agent, resources);
  } else if (!state.free.contains(resources)) {
    return absl::FailedPreconditionError(
        absl::StrCat("unreserve: '", resources.toString(), "' is not free on agent '",
                     agent.value(), "' (free: '", state.free.toString(), "')"));
  }
  state.total -= resources;
  state.total += unreserved;
  state.free -= resources;
  state.free += unreserved;
  state.has_reserved = hasReserved(state.total);
  if (holder) grant(*holder, role, agent, unreserved);
  return absl::OkStatus();
}

// ---- views --------------------------------------------------------------------------------------

Resources HierarchicalAllocator::allocated(const FrameworkId& framework) const {
  Resources sum;
  auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return sum;
  for (const auto& [role, agents] : it->second.held) {
    for (const AgentId& agent : agents) sum += agents_.at(agent).allocations.at({framework, role});
  }
  return sum;
}

Resources HierarchicalAllocator::totalResources() const {
  Resources sum;
  for (const auto& [id, agent] : agents_) sum += agent.total;
  return sum;
}

Resources HierarchicalAllocator::allocatedResources() const {
  Resources sum;
  for (const auto& [id, agent] : agents_) {
    for (const auto& [key, resources] : agent.allocations) sum += resources;
  }
  return sum;
}

Resources HierarchicalAllocator::available(const AgentId& agent) const {
  auto it = agents_.find(agent);
  return it == agents_.end() ? Resources{} : it->second.free;
}

Resources HierarchicalAllocator::agentTotal(const AgentId& agent) const {
  auto it = agents_.find(agent);
  return it == agents_.end() ? Resources{} : it->second.total;
}

double HierarchicalAllocator::frameworkShare(const FrameworkId& framework,
                                             const RoleName& role) const {
  auto it = roles_.find(role);
  return it == roles_.end() ? 0.0 : it->second.frameworks->share(framework);
}

double HierarchicalAllocator::roleShare(const RoleName& role) const {
  return role_sorter_.share(role);
}

}  // namespace orch::core
