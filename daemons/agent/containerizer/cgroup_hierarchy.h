// Finds the cgroup hierarchy this machine offers (pure v2, or v1 with memory and cpu controllers;
// hybrid machines count as v1 unless the v2 root has the memory controller) and prepares the
// parent cgroup the process containerizer puts its tasks under.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "agent/containerizer/task_records.h"

namespace orch::agent {

class CgroupHierarchy {
 public:
  // parent: "/x/y" is relative to each hierarchy's root; "x/y" is nested under the cgroup the
  // calling process is in (so tasks stay inside whatever limits the agent itself runs under;
  // on v2, where a cgroup holding the agent cannot delegate controllers, under the root).
  // Creates the parent cgroups (and on v2 enables the cpu, memory and pids controllers on the way
  // down). Fails with a message saying why when cgroups cannot be used (not root, read-only,
  // missing controllers, v2 internal-process rule).
  static absl::StatusOr<CgroupHierarchy> prepare(const std::string& parent,
                                                 const std::string& root = "/sys/fs/cgroup");

  int version() const { return version_; }
  // The directories a task's cgroup gets, one per controller (not created here).
  TaskCgroups forTask(const std::string& task_id) const;
  // e.g. "cgroup v1 (memory: /sys/fs/cgroup/memory/orchestrator, cpu: ...)".
  std::string describe() const;

 private:
  int version_ = 0;
  std::map<std::string, std::string> parent_dirs_;  // controller (or "unified") -> parent dir
};

}  // namespace orch::agent
