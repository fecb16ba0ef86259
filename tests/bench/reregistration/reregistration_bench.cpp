// Benchmark: a newly elected master rebuilding its state from re-registering agents.
// Drives the master engine (the decisions the gRPC shell feeds it) with N agents re-registering
// M tasks each, as after a failover, and prints one JSON object: total time, agents/s, tasks/s.
// The wire (TLS handshakes, protobuf parsing) is not part of this figure; see bench_failover for
// the end-to-end failover time with real processes.
//
// Second part, the path a new leader really takes: the registry of that engine is encoded into
// store entries (as ZooKeeper or the file store hold them), then a fresh engine decodes and
// recovers it ("recovery_seconds") and the same agents re-register against the known tasks
// ("reregistration_known_seconds").
//
//   bench_reregistration [--agents 10000] [--tasks-per-agent 10] [--frameworks 100]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "core/master_engine.h"
#include "common/wire/wire_convert.h"
#include "master/state/registry_codec.h"
#include "orchestrator/v1/common.pb.h"

using namespace orch::core;
using Clock = std::chrono::steady_clock;

namespace {

std::string taskInfoBytes(const std::string& id) {
  orchestrator::v1::TaskInfo info;
  info.set_task_id(id);
  info.set_name(id);
  info.mutable_command()->set_shell(true);
  info.mutable_command()->set_value("exec /usr/local/bin/service --port $PORT0 --config /etc/service/" + id);
  orch::wire::resourcesToProto(*Resources::parse("cpus:0.5;mem:512"), info.mutable_resources());
  return info.SerializeAsString();
}

}  // namespace

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
      task.spec.payload = taskInfoBytes(task.spec.id.value());  // ~200 bytes, as on the wire
      task.framework = FrameworkId("old-F" + std::to_string((a * per_agent + t) % frameworks));
      task.status.task = task.spec.id;
      task.status.state = TaskState::kRunning;
      r.tasks.push_back(std::move(task));
    }
  }

  MasterEngine engine(MasterOptions{});
  const TimePoint now{std::chrono::seconds(1)};
  auto cpuNow = [] {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
  };
  const double cpu_start = cpuNow();
  const auto start = Clock::now();
  for (const Report& r : reports) {
    if (!engine.reregisterAgent(r.agent, r.tasks, now).ok()) return 1;
    engine.takeEffects();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // CPU time too: on a shared machine wall time includes waiting for a core.
  const double cpu_seconds = cpuNow() - cpu_start;
  const size_t tasks = engine.tasks().size();
  if (tasks != static_cast<size_t>(agents) * per_agent) {
    std::fprintf(stderr, "expected %d tasks, the engine knows %zu\n", agents * per_agent, tasks);
    return 1;
  }
  // The failover path: registry -> fresh engine -> agents re-register against known tasks.
  std::map<std::string, std::string> entries;
  for (auto& w : orch::master::encodeDelta(engine, orch::master::fullDelta(engine))) {
    if (w.value) entries[w.key] = std::move(*w.value);
  }
  size_t registry_bytes = 0;
  for (const auto& [key, value] : entries) registry_bytes += key.size() + value.size();
  const auto recover_start = Clock::now();
  const double recover_cpu_start = cpuNow();
  orch::master::DecodedRegistry decoded = orch::master::decodeRegistry(entries, now);
  MasterEngine successor(MasterOptions{});
  auto problems = successor.recover(decoded.state, now);
  const double recovery_seconds = std::chrono::duration<double>(Clock::now() - recover_start).count();
  const double recovery_cpu = cpuNow() - recover_cpu_start;
  if (!problems.empty() || !decoded.problems.empty() || successor.tasks().size() != tasks) {
    std::fprintf(stderr, "recovery lost state: %zu problems, %zu tasks\n",
                 problems.size() + decoded.problems.size(), successor.tasks().size());
    return 1;
  }
  const auto known_start = Clock::now();
  const double known_cpu_start = cpuNow();
  for (const Report& r : reports) {
    if (!successor.reregisterAgent(r.agent, r.tasks, now).ok()) return 1;
    successor.takeEffects();
  }
  successor.takeRegistryDelta();
  const double known_seconds = std::chrono::duration<double>(Clock::now() - known_start).count();
  const double known_cpu = cpuNow() - known_cpu_start;
  if (successor.tasks().size() != tasks) return 1;

  std::printf(
      "{\"benchmark\":\"reregistration\",\"agents\":%d,\"tasks\":%zu,\"frameworks\":%d,"
      "\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"agents_per_second\":%.0f,\"tasks_per_second\":%.0f,"
      "\"registry_entries\":%zu,\"registry_bytes\":%zu,\"recovery_seconds\":%.3f,"
      "\"recovery_cpu_seconds\":%.3f,\"reregistration_known_seconds\":%.3f,"
      "\"reregistration_known_cpu_seconds\":%.3f}\n",
      agents, tasks, frameworks, seconds, cpu_seconds, agents / seconds, tasks / seconds,
      entries.size(), registry_bytes, recovery_seconds, recovery_cpu, known_seconds, known_cpu);
  return 0;
}
