// Allocator benchmarks, printed as one JSON object:
//  - cycles: Apache Mesos's HierarchicalAllocator_BENCHMARK_Test shapes (agents x frameworks).
//    For each shape: the first cycle (every agent offered) and the worst case, a cycle after
//    every framework declined every agent with a long filter (all declining: every
//    (agent, framework) pair is considered and rejected);
//  - throughput: offer-to-launch through MasterEngine (the real master core) with simulated
//    agents: allocate, accept offers with single-task launches, until `--tasks` are placed;
//  - memory: resident bytes per agent and per task at that scale (from /proc/self/statm);
//  - reference: the fast allocator's offers compared one for one with the slow reference
//    allocator (fresh shares and sorts per decision) on small random clusters.
#include <malloc.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/hierarchical_allocator.h"
#include "core/master_engine.h"
#include "reference_allocator.h"
#include "sim_cluster.h"

using namespace orch::core;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

namespace {

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// CPU time of this thread: the machine is shared, so wall time includes other people's work.
double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Wall and CPU milliseconds since construction (or restart()).
class Stopwatch {
 public:
  Stopwatch() { restart(); }
  void restart() {
    wall_ = Clock::now();
    cpu_ = threadCpuMs();
  }
  double wallMs() const { return msSince(wall_); }
  double cpuMs() const { return threadCpuMs() - cpu_; }

 private:
  Clock::time_point wall_;
  double cpu_ = 0;
};

// Heap bytes in use (glibc): unlike RSS it drops when earlier runs free their memory.
long heapBytes() { return static_cast<long>(mallinfo2().uordblks); }

Resources agentResources() {
  return *Resources::parse("cpus:24;mem:4096;disk:4096;ports:[31000-32000]");
}

// One Mesos-shaped cycle benchmark.
json cycleShape(int agents, int frameworks, int roles, bool declined_phase) {
  const TimePoint now = TimePoint{} + std::chrono::hours(1);
  HierarchicalAllocator allocator({});
  for (int f = 0; f < frameworks; ++f) {
    const RoleName role(roles <= 1 ? "*" : "role" + std::to_string(f % roles));
    allocator.addFramework(FrameworkId("framework" + std::to_string(f)),
                           FrameworkCapabilities{{role}, false});
  }
  const Resources total = agentResources();
  std::vector<AgentId> ids;
  for (int a = 0; a < agents; ++a) {
    ids.emplace_back("agent" + std::to_string(a));
    allocator.addAgent(ids.back(), total, {});
  }

  Stopwatch watch;
  std::vector<OfferGrant> grants = allocator.allocate(now);
  const double first_ms = watch.wallMs();
  const double first_cpu_ms = watch.cpuMs();
  const size_t first_offers = grants.size();

  // Steady state: everything comes back without a filter and is offered again.
  for (const OfferGrant& g : grants) {
    allocator.recoverResources(g.framework, g.agent, g.resources, std::nullopt, now);
  }
  watch.restart();
  grants = allocator.allocate(now);
  const double full_ms = watch.wallMs();
  const double full_cpu_ms = watch.cpuMs();

  json out{{"agents", agents},
           {"frameworks", frameworks},
           {"roles", std::max(roles, 1)},
           {"first_cycle_ms", first_ms},
           {"first_cycle_cpu_ms", first_cpu_ms},
           {"first_cycle_offers", first_offers},
           {"full_cycle_ms", full_ms},
           {"full_cycle_cpu_ms", full_cpu_ms},
           {"full_cycle_offers", grants.size()}};
  if (!declined_phase) return out;

  // Every framework declines every agent for a day: the offers made, then filters everywhere.
  const auto day = std::chrono::hours(24);
  watch.restart();
  for (const OfferGrant& g : grants) {
    allocator.recoverResources(g.framework, g.agent, g.resources, day, now);
  }
  for (int f = 0; f < frameworks; ++f) {
    const FrameworkId id("framework" + std::to_string(f));
    for (const AgentId& agent : ids) allocator.recoverResources(id, agent, Resources{}, day, now);
  }
  const double setup_ms = watch.wallMs();

  std::vector<double> runs;
  std::vector<double> cpu_runs;
  size_t declined_offers = 0;
  for (int run = 0; run < 5; ++run) {
    watch.restart();
    declined_offers += allocator.allocate(now + std::chrono::seconds(run)).size();
    runs.push_back(watch.wallMs());
    cpu_runs.push_back(watch.cpuMs());
  }
  std::sort(runs.begin(), runs.end());
  std::sort(cpu_runs.begin(), cpu_runs.end());
  out["declined_cycle_ms_median"] = runs[runs.size() / 2];
  out["declined_cycle_ms_min"] = runs.front();
  out["declined_cycle_cpu_ms_median"] = cpu_runs[cpu_runs.size() / 2];
  out["declined_cycle_offers"] = declined_offers;
  out["filters"] = allocator.refuseFilterCount();
  out["filter_bytes"] = allocator.refuseFilterBytes();
  out["decline_setup_ms"] = setup_ms;
  return out;
}

// Offer-to-launch through MasterEngine: every offer is accepted with as many single-task
// launches (cpus:1;mem:128) as fit, until `tasks` are placed. Then every task reports
// TASK_RUNNING from its agent and the framework acknowledges it, so the memory figures are of
// a steady cluster: agents registered, tasks running, nothing in flight. The shell's work is
// imitated: effects and registry deltas are taken (and dropped) as they come.
json throughput(int agents, int frameworks, int tasks) {
  TimePoint now = TimePoint{} + std::chrono::hours(1);
  const long heap0 = heapBytes();
  MasterOptions options;
  MasterEngine engine(options);
  for (int a = 0; a < agents; ++a) {
    AgentDescription d;
    d.hostname = "host" + std::to_string(a);
    d.endpoint = d.hostname + ":5051";
    d.resources = *Resources::parse("cpus:16;mem:65536;disk:100000;ports:[31000-32000]");
    engine.registerAgent(d, now);
  }
  (void)engine.takeEffects();
  (void)engine.takeRegistryDelta();
  const long heap_agents = heapBytes();
  std::vector<FrameworkId> fws;
  for (int f = 0; f < frameworks; ++f) {
    FrameworkDescription d;
    d.name = "fw" + std::to_string(f);
    d.user = "bench";
    d.roles = {RoleName("role" + std::to_string(f % 4))};
    auto id = engine.subscribe(d, now);
    if (!id.ok()) return json{{"error", std::string(id.status().message())}};
    fws.push_back(*id);
  }
  (void)engine.takeEffects();
  (void)engine.takeRegistryDelta();
  const long heap_frameworks = heapBytes();

  const Resources task = *Resources::parse("cpus:1;mem:128");
  int placed = 0;
  int cycles = 0;
  int next_task = 0;
  std::vector<SendRunTasks> launched;
  Stopwatch watch;
  while (placed < tasks && cycles < 1000) {
    ++cycles;
    now += std::chrono::milliseconds(1);
    engine.allocate(now);
    for (Effect& effect : engine.takeEffects()) {
      auto* offers = std::get_if<SendOffers>(&effect);
      if (offers == nullptr) continue;
      for (const OfferRecord& offer : offers->offers) {
        std::vector<LaunchOperation> ops;
        Resources left = offer.resources;
        while (placed < tasks && left.contains(task)) {
          LaunchOperation op;
          op.tasks.push_back(TaskSpec{TaskId("t" + std::to_string(next_task++)), "bench", task,
                                      std::chrono::seconds(3), ""});
          ops.push_back(std::move(op));
          left -= task;
          ++placed;
        }
        absl::Status s = engine.accept(offers->framework, {offer.id}, ops, std::nullopt, now);
        if (!s.ok()) return json{{"error", std::string(s.message())}};
      }
    }
    for (Effect& effect : engine.takeEffects()) {
      if (auto* run = std::get_if<SendRunTasks>(&effect)) launched.push_back(std::move(*run));
    }
    (void)engine.takeRegistryDelta();
  }
  const double seconds = watch.wallMs() / 1000.0;
  const double cpu_seconds = watch.cpuMs() / 1000.0;

  // TASK_RUNNING for every task, acknowledged by its framework.
  watch.restart();
  uint64_t uuid = 0;
  size_t updates = 0;
  for (const SendRunTasks& run : launched) {
    for (const TaskSpec& spec : run.tasks) {
      TaskStatus status;
      status.task = spec.id;
      status.framework = run.framework;
      status.agent = run.agent;
      status.state = TaskState::kRunning;
      status.source = StatusSource::kExecutor;
      status.uuid = "agent-u" + std::to_string(++uuid);
      if (absl::Status s = engine.statusUpdate(run.agent, status, now); !s.ok()) {
        return json{{"error", std::string(s.message())}};
      }
      ++updates;
    }
    for (Effect& effect : engine.takeEffects()) {
      auto* forwarded = std::get_if<SendStatusToFramework>(&effect);
      if (forwarded == nullptr) continue;
      (void)engine.acknowledge(forwarded->framework, forwarded->status.task,
                               forwarded->status.uuid, now);
    }
    (void)engine.takeEffects();
  }
  (void)engine.takeRegistryDelta();
  const double update_seconds = watch.cpuMs() / 1000.0;
  launched.clear();
  launched.shrink_to_fit();
  const long heap_tasks = heapBytes();
  const double per_agent = static_cast<double>(heap_agents - heap0) / agents;
  const double per_task = static_cast<double>(heap_tasks - heap_frameworks) / std::max(placed, 1);
  return json{{"agents", agents},
              {"frameworks", frameworks},
              {"tasks_placed", placed},
              {"tasks_running", engine.tasks().size()},
              {"allocation_cycles", cycles},
              {"seconds", seconds},
              {"cpu_seconds", cpu_seconds},
              {"placements_per_second", placed / std::max(seconds, 1e-9)},
              {"placements_per_cpu_second", placed / std::max(cpu_seconds, 1e-9)},
              {"status_updates", updates},
              {"status_updates_per_cpu_second", static_cast<double>(updates) / std::max(update_seconds, 1e-9)},
              {"heap_bytes_per_agent", per_agent},
              {"heap_bytes_per_task", per_task},
              {"heap_total_mb", static_cast<double>(heap_tasks - heap0) / (1 << 20)}};
}

// The simulator at datacenter scale: `agents` simulated agents and `frameworks` simulated
// frameworks (batch in 10 roles with weights 1..10, services, bursty ones, one greedy) drive
// MasterEngine for `cycles` virtual seconds, with faults: 1% of the agents lost at cycle
// cycles/3, 1% of the frameworks disconnected then and reconnected at 2*cycles/3.
json simulation(int agents, int frameworks, int cycles) {
  using namespace orch::sim;
  const long heap0 = heapBytes();
  SimOptions options;
  options.seed = 1;
  options.agents = agents;
  options.agent_resources = *Resources::parse("cpus:16;mem:65536;disk:100000;ports:[31000-32000]");
  Stopwatch watch;
  SimCluster sim(options);
  for (int r = 0; r < 10; ++r) {
    (void)sim.engine().setWeight(RoleName("role" + std::to_string(r)), 1.0 + r);
  }
  std::vector<FrameworkId> ids;
  for (int f = 0; f < frameworks; ++f) {
    SimFrameworkSpec spec;
    spec.name = "fw" + std::to_string(f);
    spec.role = RoleName("role" + std::to_string(f % 10));
    spec.task = *Resources::parse(f % 3 == 0 ? "cpus:2;mem:2048" : "cpus:1;mem:4096");
    spec.task_duration = std::chrono::seconds(5 + f % 20);
    if (f == 0) {
      spec.profile = Profile::kGreedy;
    } else if (f % 10 == 1) {
      spec.profile = Profile::kService;
      spec.demand = 200;
      spec.task_duration = std::chrono::hours(1);
    } else if (f % 10 == 2) {
      spec.profile = Profile::kBursty;
      spec.demand = 500;
      spec.burst_every = 15;
    }
    ids.push_back(sim.addFramework(spec));
  }
  const double setup_ms = watch.cpuMs();
  watch.restart();
  std::vector<double> step_ms;
  double min_utilisation = 1.0;
  size_t offers = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    if (cycle == cycles / 3) {
      sim.loseRandomAgents(agents / 100);
      for (int f = 3; f < frameworks; f += 100) sim.disconnect(ids[static_cast<size_t>(f)]);
    }
    if (cycle == 2 * cycles / 3) {
      for (int f = 3; f < frameworks; f += 100) sim.reconnect(ids[static_cast<size_t>(f)]);
    }
    Stopwatch step;
    sim.step();
    step_ms.push_back(step.cpuMs());
    offers += sim.lastOffers();
    if (cycle >= cycles / 2) min_utilisation = std::min(min_utilisation, sim.utilisation("cpus"));
  }
  const double run_cpu_s = watch.cpuMs() / 1000.0;
  const double run_wall_s = watch.wallMs() / 1000.0;
  std::sort(step_ms.begin(), step_ms.end());
  int64_t launched = 0;
  int64_t starved = 0;
  for (const FrameworkId& id : ids) {
    launched += sim.stats(id).launched;
    starved += sim.stats(id).launched == 0 ? 1 : 0;
  }
  const long heap = heapBytes();
  return json{{"agents", agents},
              {"frameworks", frameworks},
              {"virtual_seconds", cycles},
              {"setup_cpu_ms", setup_ms},
              {"run_cpu_seconds", run_cpu_s},
              {"run_wall_seconds", run_wall_s},
              {"step_cpu_ms_median", step_ms[step_ms.size() / 2]},
              {"step_cpu_ms_max", step_ms.back()},
              {"offers", offers},
              {"tasks_launched", launched},
              {"tasks_active", sim.engine().tasks().size()},
              {"frameworks_starved", starved},
              {"cpus_utilisation_min_second_half", min_utilisation},
              {"engine_errors", sim.errors().size()},
              {"heap_mb", static_cast<double>(heap - heap0) / (1 << 20)}};
}

// Random small clusters; both allocators see the same calls; offers must match one for one.
json referenceCheck(int seeds) {
  int mismatches = 0;
  int cycles = 0;
  size_t offers = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    HierarchicalAllocator fast({});
    testing::ReferenceAllocator slow({});
    auto both = [&](auto f) {
      f(static_cast<Allocator&>(fast));
      f(static_cast<Allocator&>(slow));
    };
    const int roles = 1 + pick(3);
    for (int r = 0; r < roles; ++r) {
      const double w = 0.5 + pick(4);
      both([&](Allocator& a) { a.setWeight(RoleName("r" + std::to_string(r)), w); });
    }
    const int agents = 3 + pick(20);
    for (int i = 0; i < agents; ++i) {
      Resources total = Resources::scalar("cpus", Scalar::fromMilli(1000 * (1 + pick(8)))) +
                        Resources::scalar("mem", Scalar::fromMilli(256'000 * (1 + pick(16))));
      if (pick(5) == 0) total += Resources::scalar("gpus", Scalar::fromMilli(1000));
      both([&](Allocator& a) { a.addAgent(AgentId("a" + std::to_string(i)), total, {}); });
    }
    const int frameworks = 1 + pick(12);
    for (int i = 0; i < frameworks; ++i) {
      FrameworkCapabilities caps{{RoleName("r" + std::to_string(pick(roles)))}, pick(2) == 0};
      both([&](Allocator& a) { a.addFramework(FrameworkId("f" + std::to_string(i)), caps); });
    }
    TimePoint now = TimePoint{} + std::chrono::seconds(100);
    for (int cycle = 0; cycle < 30; ++cycle) {
      ++cycles;
      const auto got = fast.allocate(now);
      const auto want = slow.allocate(now);
      bool same = got.size() == want.size();
      for (size_t i = 0; same && i < got.size(); ++i) {
        same = got[i].framework == want[i].framework && got[i].agent == want[i].agent &&
               got[i].role == want[i].role && got[i].resources == want[i].resources;
      }
      if (!same) {
        ++mismatches;
        break;
      }
      offers += got.size();
      for (const OfferGrant& g : got) {
        // Keep a task's worth, decline the rest with a random filter.
        const Resources keep = Resources::scalar("cpus", Scalar::fromMilli(500)) +
                               Resources::scalar("mem", Scalar::fromMilli(64'000));
        const Resources back = pick(3) == 0 && g.resources.contains(keep) ? g.resources - keep
                                                                           : g.resources;
        const std::optional<Duration> refuse =
            pick(2) == 0 ? std::optional<Duration>(std::chrono::seconds(pick(5))) : std::nullopt;
        both([&](Allocator& a) { a.recoverResources(g.framework, g.agent, back, refuse, now); });
      }
      now += std::chrono::seconds(1);
    }
  }
  return json{{"seeds", seeds}, {"cycles", cycles}, {"offers_compared", offers},
              {"mismatches", mismatches}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_allocator: allocation cycle, placement throughput, memory, reference check"};
  std::vector<std::string> shapes = {"1000x10",  "1000x100",  "1000x1000", "5000x10",
                                     "5000x100", "5000x1000", "10000x10",  "10000x100",
                                     "10000x1000", "20000x10", "20000x100", "20000x1000"};
  int roles = 1;
  int tasks = 100'000;
  int throughput_agents = 10'000;
  int throughput_frameworks = 100;
  int reference_seeds = 200;
  bool no_declined = false;
  int sim_agents = 0;
  int sim_frameworks = 1000;
  int sim_cycles = 60;
  app.add_option("--shapes", shapes, "agents x frameworks, e.g. 10000x1000");
  app.add_option("--roles", roles, "spread frameworks over this many roles (1: all in '*')");
  app.add_option("--tasks", tasks, "tasks to place in the throughput run (0: skip)");
  app.add_option("--throughput-agents", throughput_agents, "agents in the throughput run");
  app.add_option("--throughput-frameworks", throughput_frameworks, "frameworks there");
  app.add_option("--reference-seeds", reference_seeds, "random clusters for the reference check");
  app.add_flag("--no-declined", no_declined,
               "skip the all-declining phase (its setup files frameworks x agents filters)");
  app.add_option("--sim-agents", sim_agents,
                 "agents in a simulator run through MasterEngine (0: skip)");
  app.add_option("--sim-frameworks", sim_frameworks, "frameworks in the simulator run");
  app.add_option("--sim-cycles", sim_cycles, "virtual seconds the simulator runs");
  CLI11_PARSE(app, argc, argv);

  json out;
  out["benchmark"] = "allocator";
  out["cycles"] = json::array();
  for (const std::string& shape : shapes) {
    const size_t x = shape.find('x');
    if (x == std::string::npos) {
      std::cerr << "shape '" << shape << "' is not AGENTSxFRAMEWORKS\n";
      return 2;
    }
    const int agents = std::stoi(shape.substr(0, x));
    const int frameworks = std::stoi(shape.substr(x + 1));
    out["cycles"].push_back(cycleShape(agents, frameworks, roles, !no_declined));
    std::cerr << out["cycles"].back().dump() << "\n";
  }
  if (tasks > 0) out["throughput"] = throughput(throughput_agents, throughput_frameworks, tasks);
  if (sim_agents > 0) {
    out["simulation"] = simulation(sim_agents, sim_frameworks, sim_cycles);
    std::cerr << out["simulation"].dump() << "\n";
    if (out["simulation"]["engine_errors"].get<size_t>() != 0) {
      std::cout << out.dump(2) << "\n";
      std::cerr << "a simulated agent or framework got an error from the engine\n";
      return 1;
    }
  }
  if (reference_seeds > 0) {
    out["reference"] = referenceCheck(reference_seeds);
    if (out["reference"]["mismatches"].get<int>() != 0) {
      std::cout << out.dump(2) << "\n";
      std::cerr << "the fast allocator disagreed with the reference\n";
      return 1;
    }
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}
