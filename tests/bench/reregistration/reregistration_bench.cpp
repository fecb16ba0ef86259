// Benchmark: a newly elected master rebuilding its state from re-registering agents.
// Drives the master engine (the decisions the gRPC shell feeds it) with N agents re-registering
// M tasks each, as after a failover, and prints one JSON object: total time, agents/s, tasks/s.
// The wire (TLS handshakes, protobuf parsing) is not part of this figure; see bench_failover for
// the end-to-end failover time with real processes.
//
//   bench_reregistration [--agents 10000] [--tasks-per-agent 10] [--frameworks 100]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/master_engine.h"

using namespace orch::core;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int agents = 10000, per_agent = 10, frameworks = 100;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--agents" && i + 1 < argc) agents = std::atoi(argv[++i]);
    else if (a == "--tasks-per-agent" && i + 1 < argc) per_agent = std::atoi(argv[++i]);
    else if (a == "--frameworks" && i + 1 < argc) frameworks = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--agents N] [--tasks-per-agent M] [--frameworks F]\n", argv[0]);
      return 2;
    }
  }
  const Resources total = *Resources::parse("cpus:32;mem:131072;disk:1000000;ports:[31000-32000]");
  const Resources each = *Resources::parse("cpus:0.5;mem:512");

  // Everything the agents will report, built before the clock starts.
  struct Report {
    AgentDescription agent;
    std::vector<MasterEngine::ReportedTask> tasks;
  };
  std::vector<Report> reports(agents);
  for (int a = 0; a < agents; ++a) {
    Report& r = reports[a];
    r.agent.id = AgentId("old-S" + std::to_string(a));
    r.agent.hostname = "host" + std::to_string(a);
    r.agent.endpoint = "10.0.0.1:5051";
    r.agent.resources = total;
    for (int t = 0; t < per_agent; ++t) {
      MasterEngine::ReportedTask task;
      task.spec.id = TaskId("t" + std::to_string(a) + "-" + std::to_string(t));
      task.spec.resources = each;
      task.spec.payload = std::string(200, 'x');  // a serialized TaskInfo's size
      task.framework = FrameworkId("old-F" + std::to_string((a * per_agent + t) % frameworks));
      task.status.task = task.spec.id;
      task.status.state = TaskState::kRunning;
      r.tasks.push_back(std::move(task));
    }
  }

  MasterEngine engine(MasterOptions{});
  const TimePoint now{std::chrono::seconds(1)};
  const auto start = Clock::now();
  for (const Report& r : reports) {
    if (!engine.reregisterAgent(r.agent, r.tasks, now).ok()) return 1;
    engine.takeEffects();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const size_t tasks = engine.tasks().size();
  if (tasks != static_cast<size_t>(agents) * per_agent) {
    std::fprintf(stderr, "expected %d tasks, the engine knows %zu\n", agents * per_agent, tasks);
    return 1;
  }
  std::printf(
      "{\"benchmark\":\"reregistration\",\"agents\":%d,\"tasks\":%zu,\"frameworks\":%d,"
      "\"seconds\":%.3f,\"agents_per_second\":%.0f,\"tasks_per_second\":%.0f}\n",
      agents, tasks, frameworks, seconds, agents / seconds, tasks / seconds);
  return 0;
}
