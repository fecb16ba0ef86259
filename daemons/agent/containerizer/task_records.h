// The JSON documents the containerizer and orch-task-supervisor exchange through the task's state
// directory (see task_layout.h): the launch spec, the supervisor's checkpoint and the final status.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/containerizer/process_containerizer.h"

namespace orch::agent {

// Cgroup directories one task runs in. version 0 = no cgroups; 1 = one directory per v1
// controller ("memory", "cpu", "freezer", ...); 2 = the single "unified" directory.
struct TaskCgroups {
  int version = 0;
  std::map<std::string, std::string> dirs;
};

// spec.json: everything the supervisor needs to start and watch the task.
struct SupervisorSpec {
  ProcessTaskSpec task;
  std::string sandbox;
  std::string state_dir;
  uint64_t log_max_bytes = 10 << 20;
  int log_keep_files = 3;
  TaskCgroups cgroups;
  // The cgroup is one of the containerizer's pooled ones (it may have run earlier tasks): it is
  // reset to this task's limits, its OOM counter is read relative to the start, and it is left
  // (empty) for the containerizer to reuse instead of being removed at the end.
  bool cgroup_pooled = false;
  // The host's boot id as the agent read it (saves every supervisor reading it); empty: the
  // supervisor reads /proc/sys/kernel/random/boot_id itself.
  std::string boot_id;
};

// checkpoint.json: written by the supervisor once the task's process runs.
struct SupervisorCheckpoint {
  int supervisor_pid = 0;
  uint64_t supervisor_start_ticks = 0;  // /proc/<pid>/stat field 22: guards against pid reuse
  std::string boot_id;
  int task_pid = 0;  // also the task's process group id
  bool cgroups_active = false;
  int64_t started_at_ms = 0;  // wall clock, ms since the epoch
};

// status.json: how the task ended.
struct TaskStatusRecord {
  TaskEnd end = TaskEnd::kExited;
  int exit_code = 0;
  int signal = 0;
  std::string message;
  int task_pid = 0;
  int64_t finished_at_ms = 0;
};

absl::string_view taskEndName(TaskEnd end);
absl::StatusOr<TaskEnd> parseTaskEnd(absl::string_view name);

std::string toJson(const SupervisorSpec& spec);
absl::StatusOr<SupervisorSpec> parseSupervisorSpec(absl::string_view json);
std::string toJson(const SupervisorCheckpoint& checkpoint);
absl::StatusOr<SupervisorCheckpoint> parseSupervisorCheckpoint(absl::string_view json);
std::string toJson(const TaskStatusRecord& status);
absl::StatusOr<TaskStatusRecord> parseTaskStatus(absl::string_view json);

}  // namespace orch::agent
