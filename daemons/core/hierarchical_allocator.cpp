#include "core/hierarchical_allocator.h"

#include <algorithm>
#include <cmath>

namespace orch::core {

HierarchicalAllocator::HierarchicalAllocator(const AllocatorOptions& options) : options_(options) {}

std::unique_ptr<Allocator> makeHierarchicalDrfAllocator(const AllocatorOptions& options) {
  return std::make_unique<HierarchicalAllocator>(options);
}

// ---- bookkeeping --------------------------------------------------------------------------------

bool HierarchicalAllocator::sufficient(const Resources& resources) const {
  return !resources.empty() && (resources.scalar("cpus") >= options_.min_cpus ||
                                resources.scalar("mem") >= options_.min_mem);
}

void HierarchicalAllocator::ensureRole(const RoleName& role) {
  if (roles_.contains(role)) return;
  RoleState state;
  state.frameworks = std::make_unique<DrfSorter<FrameworkId>>();
  for (const auto& [id, agent] : agents_) state.frameworks->addTotal(id, agent.total);
  roles_.emplace(role, std::move(state));
  role_sorter_.addClient(role);
  role_sorter_.activate(role);
}

void HierarchicalAllocator::dropRoleIfUnused(const RoleName& role) {
  auto it = roles_.find(role);
  if (it == roles_.end() || it->second.frameworks->count() > 0) return;
  roles_.erase(it);
  role_sorter_.removeClient(role);
}

void HierarchicalAllocator::joinRole(const FrameworkId& id, FrameworkState& framework,
                                     const RoleName& role) {
  ensureRole(role);
  roles_.at(role).frameworks->addClient(id);
  framework.roles.insert(role);
}

// A framework stays in a role's sorter while it subscribes to the role or holds something in it.
void HierarchicalAllocator::leaveRoleIfIdle(const FrameworkId& id, FrameworkState& framework,
                                            const RoleName& role) {
  if (framework.registered && framework.subscribed.contains(role)) return;
  auto it = roles_.find(role);
  if (it == roles_.end()) return;
  if (!it->second.frameworks->allocation(id).empty()) return;
  it->second.frameworks->removeClient(id);
  framework.roles.erase(role);
  dropRoleIfUnused(role);
}

void HierarchicalAllocator::updateActivation(const FrameworkId& id,
                                             const FrameworkState& framework) {
  const bool offerable = framework.registered && framework.active && !framework.suppressed;
  for (const RoleName& role : framework.roles) {
    DrfSorter<FrameworkId>& sorter = *roles_.at(role).frameworks;
    if (offerable && framework.subscribed.contains(role)) {
      sorter.activate(id);
    } else {
      sorter.deactivate(id);
    }
  }
}

void HierarchicalAllocator::forgetIfPlaceholder(const FrameworkId& id) {
  auto it = frameworks_.find(id);
  if (it == frameworks_.end() || it->second.registered || !it->second.roles.empty()) return;
  frameworks_.erase(it);
}

void HierarchicalAllocator::grant(const FrameworkId& framework, const RoleName& role,
                                  const AgentId& agent, const Resources& resources) {
  AgentState& state = agents_.at(agent);
  state.free -= resources;
  state.allocations[{framework, role}] += resources;
  role_sorter_.allocated(role, agent, resources);
  roles_.at(role).frameworks->allocated(framework, agent, resources);
}

void HierarchicalAllocator::release(const FrameworkId& framework, const RoleName& role,
                                    const AgentId& agent, const Resources& resources) {
  AgentState& state = agents_.at(agent);
  auto held = state.allocations.find({framework, role});
  if (held == state.allocations.end()) return;
  const Resources part = held->second.intersection(resources);
  if (part.empty()) return;
  held->second -= part;
  if (held->second.empty()) state.allocations.erase(held);
  state.free += part;
  role_sorter_.unallocated(role, agent, part);
  roles_.at(role).frameworks->unallocated(framework, agent, part);
}

// ---- agents -------------------------------------------------------------------------------------

void HierarchicalAllocator::addAgent(const AgentId& agent, const Resources& total,
                                     const std::vector<UsedResources>& used) {
  if (agents_.contains(agent)) removeAgent(agent);
  AgentState state;
  state.total = total;
  state.free = total;
  agents_.emplace(agent, std::move(state));
  role_sorter_.addTotal(agent, total);
  for (auto& [role, role_state] : roles_) role_state.frameworks->addTotal(agent, total);

  for (const UsedResources& use : used) {
    const Resources part = agents_.at(agent).free.intersection(use.resources);
    if (part.empty()) continue;
    FrameworkState& framework = frameworks_.try_emplace(use.framework).first->second;
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
  role_sorter_.removeTotal(agent, it->second.total);
  for (auto& [role, role_state] : roles_)
    role_state.frameworks->removeTotal(agent, it->second.total);
  for (auto& [id, framework] : frameworks_) framework.refused_until.erase(agent);
  agents_.erase(agent);
}

void HierarchicalAllocator::setAgentActive(const AgentId& agent, bool active) {
  if (auto it = agents_.find(agent); it != agents_.end()) it->second.active = active;
}

// ---- frameworks ---------------------------------------------------------------------------------

void HierarchicalAllocator::addFramework(const FrameworkId& framework,
                                         const FrameworkCapabilities& caps) {
  FrameworkState& state = frameworks_[framework];
  state.caps = caps;
  state.subscribed = std::set<RoleName>(caps.roles.begin(), caps.roles.end());
  state.registered = true;
  state.active = true;
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
    DrfSorter<FrameworkId>& sorter = *roles_.at(role).frameworks;
    const auto held = sorter.allocation(framework);  // copy: release() edits the original
    for (const auto& [agent, resources] : held) release(framework, role, agent, resources);
    sorter.removeClient(framework);
    dropRoleIfUnused(role);
  }
  frameworks_.erase(it);
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
  it->second.refused_until.clear();
  updateActivation(framework, it->second);
}

void HierarchicalAllocator::setWeight(const RoleName& role, double weight) {
  role_sorter_.updateWeight(role, weight);  // the sorter ignores invalid weights
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
    TimePoint& until = fw->second.refused_until[agent];
    until = std::max(until, now + *refuse_for);
  }
  forgetIfPlaceholder(framework);
}

// ---- the allocation cycle -----------------------------------------------------------------------

bool HierarchicalAllocator::eligible(const FrameworkId& id, const AgentId& agent,
                                     bool agent_has_gpus, TimePoint now) const {
  const FrameworkState& framework = frameworks_.at(id);
  if (agent_has_gpus && !framework.caps.gpu_resources) return false;
  auto filter = framework.refused_until.find(agent);
  return filter == framework.refused_until.end() || now >= filter->second;
}

std::vector<OfferGrant> HierarchicalAllocator::allocate(TimePoint now) {
  // Expired decline filters go first, so they cannot pile up.
  for (auto& [id, framework] : frameworks_) {
    std::erase_if(framework.refused_until, [now](const auto& kv) { return now >= kv.second; });
  }

  std::vector<OfferGrant> grants;
  for (auto& [agent_id, agent] : agents_) {
    if (!agent.active || agent.free.empty()) continue;
    const bool has_gpus = agent.total.scalar("gpus") > Scalar{};
    // Roles in DRF order. After a role takes the agent's unreserved resources, the later roles
    // can only receive what is reserved to them, so one order per agent suffices.
    for (const RoleName& role : role_sorter_.sort()) {
      const Resources offer = agent.free.allocatableTo(role.value());
      if (!sufficient(offer)) continue;
      std::optional<FrameworkId> chosen;
      roles_.at(role).frameworks->forEachInOrder([&](const FrameworkId& id) {
        if (!eligible(id, agent_id, has_gpus, now)) return true;
        chosen = id;
        return false;
      });
      if (!chosen) continue;
      grant(*chosen, role, agent_id, offer);
      grants.push_back(OfferGrant{*chosen, agent_id, role, offer});
      if (agent.free.empty()) break;
    }
  }
  return grants;
}

// ---- views --------------------------------------------------------------------------------------

Resources HierarchicalAllocator::allocated(const FrameworkId& framework) const {
  Resources sum;
  auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return sum;
  for (const RoleName& role : it->second.roles) {
    for (const auto& [agent, resources] : roles_.at(role).frameworks->allocation(framework)) {
      sum += resources;
    }
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

double HierarchicalAllocator::frameworkShare(const FrameworkId& framework,
                                             const RoleName& role) const {
  auto it = roles_.find(role);
  return it == roles_.end() ? 0.0 : it->second.frameworks->share(framework);
}

double HierarchicalAllocator::roleShare(const RoleName& role) const {
  return role_sorter_.share(role);
}

}  // namespace orch::core
