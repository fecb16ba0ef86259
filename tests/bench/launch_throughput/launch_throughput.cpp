// Benchmark: real `true` tasks through a real master + one agent over mTLS.
// Prints one JSON object: sustained tasks/s, p50/p99 latency from ACCEPT to TASK_RUNNING and
// to TASK_FINISHED, and the ratio to a bare posix_spawn + waitpid loop of /bin/true measured in
// the same run. The machine is shared, so it also reports CPU time: the master's, the agent's own,
// the supervisors' and tasks' (reaped by the agent, so its children's time), the benchmark's (the
// framework client), CPU ms per task for all of it and for the spawn loop, and how busy the whole
// machine was meanwhile (other users' load shows there).
//
//   bench_launch_throughput [--tasks N] [--in-flight K] [--spawn-baseline N]
#include <dirent.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "local_cluster.h"
#include "test_framework.h"

namespace v1 = orchestrator::v1;
using Clock = std::chrono::steady_clock;
using orch::testing::LocalCluster;
using orch::testing::TestFramework;

extern char** environ;

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

double cpuSeconds(const rusage& r) {
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

// CPU seconds of one process from /proc/<pid>/stat: its own and its reaped children's.
struct ProcCpu {
  double self = 0;
  double children = 0;
};

ProcCpu procCpu(pid_t pid) {
  ProcCpu out;
  if (pid <= 0) return out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream fields(text.substr(close + 2));
  std::vector<std::string> f;
  for (std::string w; fields >> w && f.size() < 20;) f.push_back(w);
  if (f.size() < 15) return out;
  // After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime(11) stime(12) cutime(13) cstime(14).
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  out.self = (std::stod(f[11]) + std::stod(f[12])) / tick;
  out.children = (std::stod(f[13]) + std::stod(f[14])) / tick;
  return out;
}

// A child of `parent` (started by any of its threads) whose command name is `comm`.
pid_t childOf(pid_t parent, const std::string& comm) {
  if (parent <= 0) return 0;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(
           "/proc/" + std::to_string(parent) + "/task", ec)) {
    std::ifstream in(task.path() / "children");
    for (pid_t pid; in >> pid;) {
      std::ifstream c("/proc/" + std::to_string(pid) + "/comm");
      std::string name;
      std::getline(c, name);
      if (name == comm) return pid;
    }
  }
  return 0;
}

// Busy and total jiffies of the whole machine (all cores), from /proc/stat.
std::pair<double, double> machineTicks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  double v[10] = {};
  for (double& x : v) in >> x;
  double total = 0;
  for (int i = 0; i < 8; ++i) total += v[i];
  return {total - v[3] - v[4], total};  // minus idle and iowait
}

double spawnBaseline(int count) {
  char arg0[] = "/bin/true";
  char* argv[] = {arg0, nullptr};
  auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    pid_t pid;
    if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) != 0) return 0;
    waitpid(pid, nullptr, 0);
  }
  return count / std::chrono::duration<double>(Clock::now() - start).count();
}

v1::TaskInfo trueTask(const std::string& id) {
  v1::TaskInfo task;
  task.set_task_id(id);
  task.mutable_command()->set_shell(false);
  task.mutable_command()->set_value("/bin/true");
  task.mutable_command()->add_arguments("/bin/true");
  for (auto [name, value] : {std::pair{"cpus", 0.01}, std::pair{"mem", 4.0}}) {
    auto* r = task.add_resources();
    r->set_name(name);
    r->set_type(v1::Resource::SCALAR);
    r->mutable_scalar()->set_value(value);
  }
  return task;
}

struct Timing {
  Clock::time_point accepted{};
  Clock::time_point running{};
  Clock::time_point finished{};
  bool ok = false;
};

}  // namespace

int main(int argc, char** argv) {
  int tasks = 2000;
  int in_flight = 64;
  int baseline_count = 2000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--tasks" && i + 1 < argc) tasks = std::atoi(argv[++i]);
    else if (a == "--in-flight" && i + 1 < argc) in_flight = std::atoi(argv[++i]);
    else if (a == "--spawn-baseline" && i + 1 < argc) baseline_count = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--tasks N] [--in-flight K] [--spawn-baseline N]\n", argv[0]);
      return 2;
    }
  }

  const auto began = Clock::now();
  auto since = [&] { return std::chrono::duration<double>(Clock::now() - began).count(); };
  LocalCluster cluster;
  LocalCluster::Options options;
  options.agents = 1;
  options.agent_resources = "cpus:64;mem:65536;disk:1000";
  if (auto s = cluster.start(options); !s.ok()) {
    std::fprintf(stderr, "cluster: %s\n", std::string(s.message()).c_str());
    return 1;
  }

  std::fprintf(stderr, "cluster up after %.2f s\n", since());
  std::mutex mu;
  std::vector<Timing> timing(tasks);
  std::atomic<int> done{0};
  std::atomic<int> failed{0};
  TestFramework framework(cluster.frameworkConfig(), "bench-launch");
  framework.setUpdateObserver([&](const v1::TaskStatus& status) {
    auto now = Clock::now();
    int index = std::atoi(status.task_id().c_str() + 1);
    if (index < 0 || index >= tasks) return;
    std::lock_guard<std::mutex> lock(mu);
    if (status.state() == v1::TASK_RUNNING && timing[index].running == Clock::time_point{}) {
      timing[index].running = now;
    } else if (TestFramework::isTerminal(status.state()) &&
               timing[index].finished == Clock::time_point{}) {
      timing[index].finished = now;
      timing[index].ok = status.state() == v1::TASK_FINISHED;
      if (!timing[index].ok) failed++;
      done++;
    }
  });
  if (auto s = framework.subscribe(); !s.ok()) {
    std::fprintf(stderr, "subscribe: %s\n", std::string(s.message()).c_str());
    return 1;
  }

  std::fprintf(stderr, "subscribed after %.2f s\n", since());
  // Keep `in_flight` tasks outstanding: launch onto each offer as many as are allowed.
  const pid_t master_pid = childOf(::getpid(), "orch-master");
  const pid_t agent_pid = childOf(::getpid(), "orch-agent");
  const ProcCpu master_before = procCpu(master_pid), agent_before = procCpu(agent_pid);
  // The agent's supervisor spawner (forks one supervisor per task; started at the first launch):
  // the supervisors' and tasks' CPU is in its reaped-children time, not the agent's.
  pid_t spawner_pid = childOf(agent_pid, "orch-task-super");
  const ProcCpu spawner_before = procCpu(spawner_pid);
  rusage self_before{};
  ::getrusage(RUSAGE_SELF, &self_before);
  const auto machine_before = machineTicks();
  int next = 0;
  int accepts = 0, declines = 0;
  auto start = Clock::now();
  auto deadline = start + std::chrono::seconds(300);
  while (done.load() < tasks && Clock::now() < deadline) {
    auto offer = framework.takeOffer(0.5);
    if (!offer) continue;
    int outstanding = next - done.load();
    int room = std::min(in_flight - outstanding, tasks - next);
    double cpus = 0, mem = 0;
    for (const auto& r : offer->resources()) {
      if (r.name() == "cpus") cpus += r.scalar().value();
      if (r.name() == "mem") mem += r.scalar().value();
    }
    room = std::min(room, static_cast<int>(std::min(cpus / 0.01 + 1e-6, mem / 4.0 + 1e-6)));
    if (room <= 0) {
      framework.session().decline({offer->offer_id()}, 0.0).IgnoreError();
      ++declines;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      continue;
    }
    std::vector<v1::TaskInfo> batch;
    for (int i = 0; i < room; ++i) batch.push_back(trueTask(absl::StrCat("t", next + i)));
    auto now = Clock::now();
    {
      std::lock_guard<std::mutex> lock(mu);
      for (int i = 0; i < room; ++i) timing[next + i].accepted = now;
    }
    v1::Filters filters;
    filters.set_refuse_seconds(0);
    if (auto s = framework.session().launch(offer->offer_id(), batch, filters); !s.ok()) {
      std::fprintf(stderr, "launch: %s\n", std::string(s.message()).c_str());
      continue;
    }
    next += room;
    ++accepts;
  }
  auto end = Clock::now();
  const ProcCpu master_after = procCpu(master_pid), agent_after = procCpu(agent_pid);
  rusage self_after{};
  ::getrusage(RUSAGE_SELF, &self_after);
  const auto machine_after = machineTicks();
  const double master_cpu = master_after.self - master_before.self;
  const double agent_cpu = agent_after.self - agent_before.self;
  if (spawner_pid == 0) spawner_pid = childOf(agent_pid, "orch-task-super");
  const ProcCpu spawner_after = procCpu(spawner_pid);
  const double supervisors_cpu = agent_after.children - agent_before.children +
                                 (spawner_after.self + spawner_after.children) -
                                 (spawner_before.self + spawner_before.children);
  const double bench_cpu = cpuSeconds(self_after) - cpuSeconds(self_before);
  const double total_cpu = master_cpu + agent_cpu + supervisors_cpu + bench_cpu;
  const double machine_busy_cores =
      machine_after.second > machine_before.second
          ? static_cast<double>(::sysconf(_SC_NPROCESSORS_ONLN)) *
                          (machine_after.first - machine_before.first) /
                          (machine_after.second - machine_before.second)
          : 0.0;
  const double seconds = std::chrono::duration<double>(end - start).count();

  std::vector<double> to_running, to_finished;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const Timing& t : timing) {
      if (t.running != Clock::time_point{})
        to_running.push_back(std::chrono::duration<double, std::milli>(t.running - t.accepted).count());
      if (t.finished != Clock::time_point{})
        to_finished.push_back(std::chrono::duration<double, std::milli>(t.finished - t.accepted).count());
    }
  }
  const double rate = done.load() / seconds;
  rusage spawn_self_before{}, spawn_children_before{}, spawn_self_after{}, spawn_children_after{};
  ::getrusage(RUSAGE_SELF, &spawn_self_before);
  ::getrusage(RUSAGE_CHILDREN, &spawn_children_before);
  const double baseline = spawnBaseline(baseline_count);
  ::getrusage(RUSAGE_SELF, &spawn_self_after);
  ::getrusage(RUSAGE_CHILDREN, &spawn_children_after);
  const double spawn_cpu = cpuSeconds(spawn_self_after) - cpuSeconds(spawn_self_before) +
                           cpuSeconds(spawn_children_after) - cpuSeconds(spawn_children_before);
  const int completed = std::max(1, done.load());
  std::printf(
      "{\"benchmark\":\"launch_throughput\",\"tasks\":%d,\"completed\":%d,\"failed\":%d,"
      "\"in_flight\":%d,\"seconds\":%.3f,\"tasks_per_second\":%.1f,"
      "\"accept_to_running_ms\":{\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f},"
      "\"accept_to_finished_ms\":{\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f},"
      "\"posix_spawn_true_per_second\":%.1f,\"ratio_to_posix_spawn\":%.3f,"
      "\"cpu_seconds\":{\"master\":%.2f,\"agent\":%.2f,\"supervisors_and_tasks\":%.2f,"
      "\"bench_framework\":%.2f,\"total\":%.2f},\"cpu_ms_per_task\":%.3f,"
      "\"posix_spawn_cpu_ms_per_task\":%.3f,\"cpu_ratio_to_posix_spawn\":%.2f,"
      "\"machine_busy_cores\":%.2f,\"accepts\":%d,\"declines\":%d}\n",
      tasks, done.load(), failed.load(), in_flight, seconds, rate, percentile(to_running, 0.5),
      percentile(to_running, 0.99), percentile(to_running, 1.0), percentile(to_finished, 0.5),
      percentile(to_finished, 0.99), percentile(to_finished, 1.0), baseline,
      baseline > 0 ? rate / baseline : 0.0, master_cpu, agent_cpu, supervisors_cpu, bench_cpu,
      total_cpu, 1000.0 * total_cpu / completed, 1000.0 * spawn_cpu / std::max(1, baseline_count),
      spawn_cpu > 0 ? (total_cpu / completed) / (spawn_cpu / std::max(1, baseline_count)) : 0.0,
      machine_busy_cores, accepts, declines);
  return done.load() == tasks && failed.load() == 0 ? 0 : 1;
}
