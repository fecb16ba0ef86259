// A simulated cluster around the real master core (orch::core::MasterEngine, with its
// HierarchicalAllocator), under virtual time. N simulated agents register, heartbeat, run the
// tasks the master sends them and report their status; M simulated frameworks subscribe, answer
// SendOffers effects with ACCEPT (LAUNCH operations) or DECLINE (with refuse_seconds), SUPPRESS
// and REVIVE, and acknowledge status updates. Faults: agents lost (they disconnect and stop
// heartbeating, so the master marks them unreachable) and frameworks disconnecting (failover).
// Deterministic: the same seed gives the same run (traceHash() proves it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/hierarchical_allocator.h"
#include "core/master_engine.h"

namespace orch::sim {

using core::AgentId;
using core::Duration;
using core::FrameworkId;
using core::Resources;
using core::RoleName;
using core::TaskId;
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
  Resources task;  // one task's resources
  Duration task_duration{std::chrono::seconds(10)};
  int64_t demand = -1;   // tasks wanted (-1: endless)
  int burst_every = 20;  // kBursty only, in cycles
  bool gpu = false;
};

struct SimOptions {
  unsigned seed = 1;
  int agents = 100;
  Resources agent_resources;  // each agent's total
  Duration cycle{std::chrono::seconds(1)};
  Duration decline_refuse{std::chrono::seconds(5)};  // when a framework wants nothing more
  double duration_jitter = 0.5;                      // task durations vary by +-this fraction
  core::MasterOptions master;  // the engine's options (heartbeats, offer timeout, ...)
};

struct SimFrameworkStats {
  int64_t launched = 0;  // tasks in accepted LAUNCH operations
  int64_t running = 0;   // TASK_RUNNING seen and no terminal update yet
  int64_t finished = 0;  // TASK_FINISHED seen
  int64_t lost = 0;      // TASK_LOST / TASK_UNREACHABLE / killed by the master
  int64_t declined = 0;  // offers declined
};

class SimCluster {
 public:
  explicit SimCluster(SimOptions options);

  core::MasterEngine& engine() { return engine_; }
  const core::MasterEngine& engine() const { return engine_; }
  // The engine's allocator, for its measurements (shares, quota consumption).
  const core::HierarchicalAllocator& allocator() const;
  TimePoint now() const { return now_; }

  // Subscribes a framework through the engine; its id is the engine's.
  FrameworkId addFramework(const SimFrameworkSpec& spec);
  // One cycle: due tasks end (agents report TASK_FINISHED), agents heartbeat, bursts arrive,
  // the engine ticks (and allocates), then every effect is delivered until none is left:
  // frameworks answer offers and acknowledge updates, agents start and kill tasks. Time then
  // advances one cycle.
  void step();
  void run(int cycles);

  // Faults.
  // The agents disconnect and stop heartbeating: the master rescinds their offers at once and
  // marks them unreachable after the heartbeat timeout; frameworks then relaunch the work.
  void loseRandomAgents(int count);
  void addAgents(int count);
  // The framework's connection drops (frameworkDisconnected; it keeps its tasks for its
  // failover timeout). reconnect() subscribes again with the same id and revives.
  void disconnect(const FrameworkId& framework);
  void reconnect(const FrameworkId& framework);

  // Measurements.
  // Fraction of the live agents' `resource` held by live tasks (offers are answered within the
  // cycle, so nothing stays offered).
  double utilisation(const std::string& resource) const;
  // The role's dominant share of the live agents, from what its tasks hold.
  double dominantShare(const RoleName& role) const;
  const SimFrameworkStats& stats(const FrameworkId& framework) const;
  std::vector<FrameworkId> frameworkIds() const;
  FrameworkId frameworkNamed(const std::string& name) const;
  // What the simulated tasks hold in all (live and unreachable agents), per scalar.
  std::map<std::string, int64_t> heldByTasks() const;
  // FNV-1a over every effect delivered and every agent and task event so far.
  uint64_t traceHash() const { return hash_; }
  size_t agentCount() const { return live_agents_.size(); }
  // Offers the engine made in the last step() (for "within one cycle" assertions).
  size_t lastOffers() const { return last_offers_; }
  // Calls into the engine that returned an error (a simulated party misbehaved: a bug), and
  // offers the engine made against a framework's refuse filter.
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  struct Framework {
    SimFrameworkSpec spec;
    core::FrameworkDescription description;
    SimFrameworkStats stats;
    int64_t pending = 0;  // tasks queued (kBatch/kBursty), or missing (kService); -1 endless
    bool connected = true;
    bool suppressed = false;
    uint64_t next_task = 0;
  };
  struct Task {
    FrameworkId framework;
    AgentId agent;
    RoleName role;
    Resources resources;
    Duration duration{};
    bool started = false;  // the agent got it and reported TASK_RUNNING
    bool ended = false;    // the agent reported a terminal state
    bool counted_running = false;
    bool written_off = false;  // the framework counted it lost
  };
  struct Agent {
    bool alive = true;
    std::set<TaskId> tasks;
  };
  using Ending = std::tuple<TimePoint, uint64_t, TaskId>;  // (end, sequence, task)

  void mix(const std::string& text);
  void check(const absl::Status& status, const std::string& what);
  void deliverEffects();
  void deliver(core::Effect& effect);
  void answerOffers(const core::SendOffers& offers);
  void answerOffer(const FrameworkId& id, Framework& fw, const core::OfferRecord& offer);
  void startTasks(const core::SendRunTasks& run);
  void killTask(const core::SendKillTask& kill);
  void frameworkUpdate(const core::SendStatusToFramework& update);
  void agentReports(const AgentId& agent, const TaskId& task, core::TaskState state);
  void finishDueTasks();
  void addDemand(const FrameworkId& id, Framework& fw, int64_t tasks);
  void revive(const FrameworkId& id);
  int64_t wanted(const Framework& framework) const;
  Duration jittered(Duration base);

  SimOptions options_;
  std::mt19937_64 rng_;
  core::MasterEngine engine_;
  TimePoint now_ = TimePoint{} + std::chrono::hours(1);
  std::map<AgentId, Agent> agents_;
  std::vector<AgentId> live_agents_;
  int next_agent_ = 0;
  std::map<FrameworkId, Framework> frameworks_;
  std::map<TaskId, Task> tasks_;
  std::priority_queue<Ending, std::vector<Ending>, std::greater<>> endings_;
  uint64_t next_ending_ = 0;
  uint64_t next_update_ = 0;
  int64_t cycles_ = 0;
  size_t last_offers_ = 0;
  std::vector<std::string> errors_;
  // Decline filters the frameworks asked for (refuse_seconds), to check the engine honours them.
  std::map<std::pair<FrameworkId, AgentId>, TimePoint> refused_until_;
  uint64_t hash_ = 1469598103934665603ULL;
};

}  // namespace orch::sim
