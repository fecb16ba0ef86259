#include "sim_cluster.h"

#include <algorithm>

namespace orch::sim {
namespace {

void addScalars(std::map<std::string, int64_t>& into, const Resources& resources, int sign) {
  for (const auto& [key, entry] : resources.entries()) {
    if (entry.kind != Resources::Kind::kScalar) continue;
    into[entry.name] += sign * entry.scalar.milli();
  }
}

}  // namespace

SimCluster::SimCluster(SimOptions options)
    : options_(std::move(options)),
      rng_(options_.seed),
      allocator_(std::make_unique<core::HierarchicalAllocator>(core::AllocatorOptions{})) {
  addAgents(options_.agents);
}

void SimCluster::mix(const std::string& text) {
  for (unsigned char c : text) {
    hash_ ^= c;
    hash_ *= 1099511628211ULL;
  }
  hash_ ^= 0xff;
  hash_ *= 1099511628211ULL;
}

Duration SimCluster::jittered(Duration base) {
  std::uniform_real_distribution<double> spread(1.0 - options_.duration_jitter,
                                                1.0 + options_.duration_jitter);
  return std::chrono::duration_cast<Duration>(base * spread(rng_));
}

void SimCluster::addAgents(int count) {
  for (int i = 0; i < count; ++i) {
    const AgentId id("agent" + std::to_string(next_agent_++));
    allocator_->addAgent(id, options_.agent_resources, {});
    agents_.push_back(id);
    addScalars(total_, options_.agent_resources, +1);
    mix("+agent " + id.value());
  }
}

FrameworkId SimCluster::addFramework(const SimFrameworkSpec& spec) {
  const FrameworkId id(spec.name);
  Framework& fw = frameworks_[id];
  fw.spec = spec;
  fw.pending = spec.profile == Profile::kBursty ? 0 : spec.demand;
  allocator_->addFramework(id, core::FrameworkCapabilities{{spec.role}, spec.gpu});
  mix("+framework " + spec.name);
  return id;
}

int64_t SimCluster::wanted(const Framework& fw) const {
  if (!fw.connected) return 0;
  switch (fw.spec.profile) {
    case Profile::kGreedy:
      return -1;
    case Profile::kService:
      return std::max<int64_t>(0, fw.pending);
    case Profile::kBatch:
    case Profile::kBursty:
      return fw.pending;
  }
  return 0;
}

void SimCluster::answer(const core::OfferGrant& grant) {
  Framework& fw = frameworks_.at(grant.framework);
  mix("offer " + grant.framework.value() + "@" + grant.agent.value() + " " +
      grant.resources.toString());
  Resources left = grant.resources;
  int64_t want = wanted(fw);
  auto launch = [&](const Resources& resources, Duration duration) {
    const uint64_t number = next_task_++;
    tasks_.emplace(number, Task{grant.framework, grant.agent, grant.role, resources});
    endings_.emplace(now_ + duration, number);
    addScalars(used_, resources, +1);
    addScalars(role_used_[grant.role], resources, +1);
    ++fw.stats.launched;
    ++fw.stats.running;
  };
  if (fw.spec.profile == Profile::kGreedy && fw.connected) {
    launch(left, std::chrono::hours(24 * 365));
    left = Resources{};
  } else {
    while (want != 0 && left.contains(fw.spec.task)) {
      launch(fw.spec.task, jittered(fw.spec.task_duration));
      left -= fw.spec.task;
      if (want > 0) --want;
      if (fw.pending > 0) --fw.pending;
    }
  }
  if (!left.empty()) {
    // Nothing more wanted: decline with a filter; otherwise the rest is just too small.
    const bool declining = wanted(fw) == 0;
    allocator_->recoverResources(
        grant.framework, grant.agent, left,
        declining ? std::optional<Duration>(options_.decline_refuse) : std::nullopt, now_);
  }
  if (fw.spec.profile == Profile::kService && fw.pending == 0 && !fw.suppressed) {
    allocator_->suppress(grant.framework);
    fw.suppressed = true;
  }
}

void SimCluster::finishDueTasks() {
  while (!endings_.empty() && endings_.top().first <= now_) {
    const uint64_t number = endings_.top().second;
    endings_.pop();
    auto it = tasks_.find(number);
    if (it == tasks_.end()) continue;  // lost with its agent
    const Task& task = it->second;
    Framework& fw = frameworks_.at(task.framework);
    allocator_->recoverResources(task.framework, task.agent, task.resources, std::nullopt, now_);
    addScalars(used_, task.resources, -1);
    addScalars(role_used_[task.role], task.resources, -1);
    --fw.stats.running;
    ++fw.stats.finished;
    if (fw.spec.profile == Profile::kService) {
      // A service task that ends is replaced.
      ++fw.pending;
      if (fw.suppressed) {
        allocator_->revive(task.framework);
        fw.suppressed = false;
      }
    }
    mix("end " + std::to_string(number));
    tasks_.erase(it);
  }
}

void SimCluster::step() {
  finishDueTasks();
  for (auto& [id, fw] : frameworks_) {
    if (fw.spec.profile == Profile::kBursty && cycles_ % fw.spec.burst_every == 0) {
      fw.pending += fw.spec.demand;
      allocator_->revive(id);
    }
  }
  last_grants_ = allocator_->allocate(now_);
  for (const core::OfferGrant& grant : last_grants_) answer(grant);
  ++cycles_;
  now_ += options_.cycle;
}

void SimCluster::run(int cycles) {
  for (int i = 0; i < cycles; ++i) step();
}

void SimCluster::loseRandomAgents(int count) {
  for (int i = 0; i < count && !agents_.empty(); ++i) {
    const size_t index = rng_() % agents_.size();
    const AgentId agent = agents_[index];
    agents_.erase(agents_.begin() + static_cast<std::ptrdiff_t>(index));
    allocator_->removeAgent(agent);
    addScalars(total_, options_.agent_resources, -1);
    for (auto it = tasks_.begin(); it != tasks_.end();) {
      if (it->second.agent != agent) {
        ++it;
        continue;
      }
      Framework& fw = frameworks_.at(it->second.framework);
      addScalars(used_, it->second.resources, -1);
      addScalars(role_used_[it->second.role], it->second.resources, -1);
      --fw.stats.running;
      ++fw.stats.lost;
      if (fw.pending >= 0 && fw.spec.profile != Profile::kGreedy) ++fw.pending;  // try again
      if (fw.suppressed) {
        allocator_->revive(it->second.framework);
        fw.suppressed = false;
      }
      it = tasks_.erase(it);
    }
    mix("-agent " + agent.value());
  }
}

void SimCluster::disconnect(const FrameworkId& framework) {
  auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return;
  it->second.connected = false;
  allocator_->setFrameworkActive(framework, false);
  mix("disconnect " + framework.value());
}

void SimCluster::reconnect(const FrameworkId& framework) {
  auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return;
  it->second.connected = true;
  allocator_->setFrameworkActive(framework, true);
  allocator_->revive(framework);
  it->second.suppressed = false;
  mix("reconnect " + framework.value());
}

double SimCluster::utilisation(const std::string& resource) const {
  auto total = total_.find(resource);
  if (total == total_.end() || total->second <= 0) return 0.0;
  auto used = used_.find(resource);
  return used == used_.end() ? 0.0
                             : static_cast<double>(used->second) / static_cast<double>(total->second);
}

double SimCluster::dominantShare(const RoleName& role) const {
  auto it = role_used_.find(role);
  if (it == role_used_.end()) return 0.0;
  double best = 0.0;
  for (const auto& [name, value] : it->second) {
    auto total = total_.find(name);
    if (total == total_.end() || total->second <= 0) continue;
    best = std::max(best, static_cast<double>(value) / static_cast<double>(total->second));
  }
  return best;
}

const SimFrameworkStats& SimCluster::stats(const FrameworkId& framework) const {
  return frameworks_.at(framework).stats;
}

std::vector<FrameworkId> SimCluster::frameworkIds() const {
  std::vector<FrameworkId> out;
  for (const auto& [id, fw] : frameworks_) out.push_back(id);
  return out;
}

}  // namespace orch::sim
