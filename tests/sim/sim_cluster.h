// A simulated cluster around the real HierarchicalAllocator, under virtual time: N agents, M
// frameworks with workload profiles, tasks that end, agents that are lost and frameworks that
// disconnect. Deterministic: the same seed gives the same run (traceHash() proves it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/hierarchical_allocator.h"

namespace orch::sim {

using core::AgentId;
using core::Duration;
using core::FrameworkId;
using core::Resources;
using core::RoleName;
using core::TimePoint;

enum class Profile {
  kService,  // wants `demand` long-running tasks; suppresses when it has them
  kBatch,    // a queue of `demand` short tasks (-1: endless)
  kBursty,   // every `burst_every` cycles, `demand` more short tasks arrive
  kGreedy,   // keeps whatever it is offered, as one task that never ends
};

struct SimFrameworkSpec {
  std::string name;
  RoleName role{"*"};
  Profile profile = Profile::kBatch;
  Resources task;                    // one task's resources
  Duration task_duration{std::chrono::seconds(10)};
  int64_t demand = -1;               // tasks wanted (-1: endless)
  int burst_every = 20;              // kBursty only, in cycles
  bool gpu = false;
};

struct SimOptions {
  unsigned seed = 1;
  int agents = 100;
  Resources agent_resources;         // each agent's total
  Duration cycle{std::chrono::seconds(1)};
  Duration decline_refuse{std::chrono::seconds(5)};  // when a framework wants nothing more
  double duration_jitter = 0.5;      // task durations vary by +-this fraction
};

struct SimFrameworkStats {
  int64_t launched = 0;
  int64_t running = 0;
  int64_t finished = 0;
  int64_t lost = 0;
};

class SimCluster {
 public:
  explicit SimCluster(SimOptions options);

  core::HierarchicalAllocator& allocator() { return *allocator_; }
  const core::HierarchicalAllocator& allocator() const { return *allocator_; }
  TimePoint now() const { return now_; }

  FrameworkId addFramework(const SimFrameworkSpec& spec);
  // One cycle: due tasks end, bursts arrive, the allocator runs, every framework answers its
  // offers at once (launch what fits and is wanted, return the rest), time advances one cycle.
  void step();
  void run(int cycles);

  // Faults.
  void loseRandomAgents(int count);  // tasks there are lost; services and batch queue them again
  void addAgents(int count);
  void disconnect(const FrameworkId& framework);
  void reconnect(const FrameworkId& framework);

  // Measurements.
  // Fraction of the cluster's `resource` held by tasks (offers are answered within a cycle).
  double utilisation(const std::string& resource) const;
  // The role's dominant share of the cluster, from what its tasks hold.
  double dominantShare(const RoleName& role) const;
  const SimFrameworkStats& stats(const FrameworkId& framework) const;
  std::vector<FrameworkId> frameworkIds() const;
  // FNV-1a over every offer and every task event so far.
  uint64_t traceHash() const { return hash_; }
  size_t agentCount() const { return agents_.size(); }
  // Grants made by the last step() (for "within one cycle" assertions).
  const std::vector<core::OfferGrant>& lastGrants() const { return last_grants_; }

 private:
  struct Framework {
    SimFrameworkSpec spec;
    SimFrameworkStats stats;
    int64_t pending = 0;  // tasks queued (kBatch/kBursty), or missing (kService); -1 endless
    bool connected = true;
    bool suppressed = false;
  };
  struct Task {
    FrameworkId framework;
    AgentId agent;
    RoleName role;
    Resources resources;
  };
  using Ending = std::pair<TimePoint, uint64_t>;  // (end, task number)

  void mix(const std::string& text);
  void answer(const core::OfferGrant& grant);
  int64_t wanted(const Framework& framework) const;
  void finishDueTasks();
  Duration jittered(Duration base);

  SimOptions options_;
  std::mt19937_64 rng_;
  std::unique_ptr<core::HierarchicalAllocator> allocator_;
  TimePoint now_ = TimePoint{} + std::chrono::hours(1);
  std::vector<AgentId> agents_;
  int next_agent_ = 0;
  std::map<FrameworkId, Framework> frameworks_;
  std::map<uint64_t, Task> tasks_;
  std::priority_queue<Ending, std::vector<Ending>, std::greater<>> endings_;
  uint64_t next_task_ = 0;
  int64_t cycles_ = 0;
  std::map<std::string, int64_t> total_;          // cluster total per scalar (thousandths)
  std::map<std::string, int64_t> used_;           // held by tasks
  std::map<RoleName, std::map<std::string, int64_t>> role_used_;
  std::vector<core::OfferGrant> last_grants_;
  uint64_t hash_ = 1469598103934665603ULL;
};

}  // namespace orch::sim
