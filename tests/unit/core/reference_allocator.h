// A deliberately slow reference allocator for tests: it keeps plain books and recomputes every
// DRF share and sorts afresh for each decision. It implements the same contract as the
// hierarchical allocator for flat role names, so both can be driven with the same events and
// their offers compared one for one.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/allocator.h"

namespace orch::core::testing {

class ReferenceAllocator final : public Allocator {
 public:
  explicit ReferenceAllocator(const AllocatorOptions& options) : options_(options) {}

  void addAgent(const AgentId& agent, const Resources& total,
                const std::vector<UsedResources>& used) override {
    removeAgent(agent);
    Agent& a = agents_[agent];
    a.total = total;
    a.free = total;
    for (const UsedResources& use : used) {
      const Resources part = a.free.intersection(use.resources);
      if (part.empty()) continue;
      frameworks_.try_emplace(use.framework);
      a.free -= part;
      a.allocations[{use.framework, use.role}] += part;
    }
  }
  void removeAgent(const AgentId& agent) override {
    agents_.erase(agent);
    for (auto& [id, fw] : frameworks_) fw.refused_until.erase(agent);
  }
  void setAgentActive(const AgentId& agent, bool active) override {
    if (agents_.contains(agent)) agents_[agent].active = active;
  }

  void addFramework(const FrameworkId& framework, const FrameworkCapabilities& caps) override {
    Framework& fw = frameworks_[framework];
    fw.caps = caps;
    fw.registered = true;
    fw.active = true;
  }
  void removeFramework(const FrameworkId& framework) override {
    for (auto& [id, agent] : agents_) {
      for (auto it = agent.allocations.begin(); it != agent.allocations.end();) {
        if (it->first.first == framework) {
          agent.free += it->second;
          it = agent.allocations.erase(it);
        } else {
          ++it;
        }
      }
    }
    frameworks_.erase(framework);
  }
  void setFrameworkActive(const FrameworkId& framework, bool active) override {
    if (frameworks_.contains(framework)) frameworks_[framework].active = active;
  }
  void suppress(const FrameworkId& framework) override {
    if (frameworks_.contains(framework)) frameworks_[framework].suppressed = true;
  }
  void revive(const FrameworkId& framework) override {
    if (!frameworks_.contains(framework)) return;
    frameworks_[framework].suppressed = false;
    frameworks_[framework].refused_until.clear();
  }
  void setWeight(const RoleName& role, double weight) override {
    if (weight > 0.0) weights_[role] = weight;
  }

  void recoverResources(const FrameworkId& framework, const AgentId& agent,
                        const Resources& resources, std::optional<Duration> refuse_for,
                        TimePoint now) override {
    if (!frameworks_.contains(framework) || !agents_.contains(agent)) return;
    Agent& a = agents_[agent];
    Resources remaining = resources;
    for (auto it = a.allocations.begin(); it != a.allocations.end();) {
      if (it->first.first != framework) {
        ++it;
        continue;
      }
      const Resources part = it->second.intersection(remaining);
      it->second -= part;
      a.free += part;
      remaining -= part;
      it = it->second.empty() ? a.allocations.erase(it) : std::next(it);
    }
    if (refuse_for && *refuse_for > Duration::zero()) {
      TimePoint& until = frameworks_[framework].refused_until[agent];
      until = std::max(until, now + *refuse_for);
    }
  }

  std::vector<OfferGrant> allocate(TimePoint now) override {
    std::vector<OfferGrant> grants;
    for (auto& [agent_id, agent] : agents_) {
      if (!agent.active || agent.free.empty()) continue;
      const bool has_gpus = agent.total.scalar("gpus") > Scalar{};
      for (const RoleName& role : sortedRoles()) {
        const Resources offer = agent.free.allocatableTo(role.value());
        if (offer.empty() ||
            (offer.scalar("cpus") < options_.min_cpus && offer.scalar("mem") < options_.min_mem)) {
          continue;
        }
        std::optional<FrameworkId> chosen;
        for (const FrameworkId& id : sortedFrameworks(role)) {
          const Framework& fw = frameworks_.at(id);
          if (has_gpus && !fw.caps.gpu_resources) continue;
          auto filter = fw.refused_until.find(agent_id);
          if (filter != fw.refused_until.end() && now < filter->second) continue;
          chosen = id;
          break;
        }
        if (!chosen) continue;
        agent.free -= offer;
        agent.allocations[{*chosen, role}] += offer;
        grants.push_back(OfferGrant{*chosen, agent_id, role, offer});
        if (agent.free.empty()) break;
      }
    }
    return grants;
  }

  Resources allocated(const FrameworkId& framework) const override {
    Resources sum;
    for (const auto& [id, agent] : agents_) {
      for (const auto& [key, r] : agent.allocations) {
        if (key.first == framework) sum += r;
      }
    }
    return sum;
  }
  Resources totalResources() const override {
    Resources sum;
    for (const auto& [id, agent] : agents_) sum += agent.total;
    return sum;
  }
  Resources allocatedResources() const override {
    Resources sum;
    for (const auto& [id, agent] : agents_) {
      for (const auto& [key, r] : agent.allocations) sum += r;
    }
    return sum;
  }

 private:
  struct Framework {
    FrameworkCapabilities caps;
    bool registered = false;
    bool active = false;
    bool suppressed = false;
    std::map<AgentId, TimePoint> refused_until;
  };
  struct Agent {
    Resources total;
    Resources free;
    bool active = true;
    std::map<std::pair<FrameworkId, RoleName>, Resources> allocations;
  };

  // max over scalar names of allocated / total, from scratch.
  double dominant(const std::map<std::string, int64_t>& held) const {
    std::map<std::string, int64_t> total;
    for (const auto& [id, agent] : agents_) {
      for (const auto& [key, e] : agent.total.entries()) {
        if (e.kind == Resources::Kind::kScalar) total[e.name] += e.scalar.milli();
      }
    }
    double best = 0.0;
    for (const auto& [name, milli] : held) {
      if (total[name] > 0) {
        best = std::max(best, static_cast<double>(milli) / static_cast<double>(total[name]));
      }
    }
    return best;
  }

  template <typename Pred>
  std::map<std::string, int64_t> heldWhere(Pred pred) const {
    std::map<std::string, int64_t> held;
    for (const auto& [id, agent] : agents_) {
      for (const auto& [key, r] : agent.allocations) {
        if (!pred(key.first, key.second)) continue;
        for (const auto& [k, e] : r.entries()) {
          if (e.kind == Resources::Kind::kScalar) held[e.name] += e.scalar.milli();
        }
      }
    }
    return held;
  }

  std::vector<RoleName> sortedRoles() const {
    std::set<RoleName> roles;
    for (const auto& [id, fw] : frameworks_) {
      if (fw.registered) roles.insert(fw.caps.roles.begin(), fw.caps.roles.end());
    }
    std::vector<std::tuple<double, std::string>> keyed;
    for (const RoleName& role : roles) {
      const double weight = weights_.contains(role) ? weights_.at(role) : 1.0;
      const auto held = heldWhere([&](const FrameworkId&, const RoleName& r) { return r == role; });
      keyed.emplace_back(dominant(held) / weight, role.value());
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<RoleName> out;
    for (const auto& [share, name] : keyed) out.emplace_back(name);
    return out;
  }

  std::vector<FrameworkId> sortedFrameworks(const RoleName& role) const {
    std::vector<std::tuple<double, std::string>> keyed;
    for (const auto& [id, fw] : frameworks_) {
      const bool subscribed =
          std::find(fw.caps.roles.begin(), fw.caps.roles.end(), role) != fw.caps.roles.end();
      if (!fw.registered || !fw.active || fw.suppressed || !subscribed) continue;
      const auto held =
          heldWhere([&](const FrameworkId& f, const RoleName& r) { return f == id && r == role; });
      keyed.emplace_back(dominant(held), id.value());
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<FrameworkId> out;
    for (const auto& [share, name] : keyed) out.emplace_back(name);
    return out;
  }

  AllocatorOptions options_;
  std::map<AgentId, Agent> agents_;
  std::map<FrameworkId, Framework> frameworks_;
  std::map<RoleName, double> weights_;
};

}  // namespace orch::core::testing
