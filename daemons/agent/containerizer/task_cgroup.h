// One task's cgroup (v1: one directory per controller; v2: one directory): create it, apply the
// task's limits, move a process in, list and kill everything inside, read the OOM-kill counter,
// remove it. Used by orch-task-supervisor and, for tasks whose supervisor died, the containerizer.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/containerizer/task_records.h"

namespace orch::agent {

class TaskCgroup {
 public:
  explicit TaskCgroup(TaskCgroups cgroups) : cgroups_(std::move(cgroups)) {}

  bool enabled() const { return cgroups_.version != 0 && !cgroups_.dirs.empty(); }
  // Creates the directories (OK when they exist already).
  absl::Status create() const;
  // cpus > 0: cpu shares (v1 1024 per cpu; v2 the equivalent cpu.weight) and a CFS quota of
  // cpus * 100 ms per 100 ms. mem_bytes > 0: memory limit, swap limited to the same, and (v2)
  // the whole group killed on OOM. reset (a reused cgroup): what is not limited is set back to
  // the kernel's defaults (no quota, no memory limit, default shares/weight).
  absl::Status applyLimits(double cpus, uint64_t mem_bytes, bool reset = false) const;
  // The cgroup.procs file of every directory (writing "0" to each moves the writer in).
  std::vector<std::string> procsFiles() const;
  // Moves process pid (0 = the caller) into every directory.
  absl::Status addProcess(pid_t pid) const;
  // Pids in the cgroup (empty when disabled or gone).
  std::vector<pid_t> processes() const;
  // SIGKILLs everything inside (atomically through cgroup.kill or the v1 freezer when there)
  // and waits up to `timeout` for the cgroup to empty (timeout 0: one kill pass, no waiting).
  // Zombies are not listed, so the caller may reap its own children afterwards.
  absl::Status killAll(std::chrono::milliseconds timeout) const;
  // The kernel's OOM-kill count for this cgroup (memory.oom_control / memory.events oom_kill);
  // on old v1 kernels without that counter, whether memory.failcnt is non-zero.
  uint64_t oomKills() const;
  // Removes the directories; retries briefly while the last processes are being reaped.
  absl::Status destroy() const;

 private:
  std::string procsFile() const;

  TaskCgroups cgroups_;
};

}  // namespace orch::agent
