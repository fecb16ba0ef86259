// The process containerizer runs each task as a process tree in its own sandbox directory and
// cgroup, under a small per-task supervisor (orch-task-supervisor) that outlives the agent and
// records the exit status, so an agent restart neither kills tasks nor loses their exit codes.
// Supervisors are forked by a long-lived spawner process (orch-task-supervisor --spawner), not
// exec'd per task.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace orch::agent {

struct ProcessTaskSpec {
  std::string task_id;               // unique on this agent; used in paths, so validated
  std::string framework_id;
  // Either a shell command (run with /bin/sh -c) or an argv vector.
  bool shell = true;
  std::string command;               // when shell
  std::vector<std::string> argv;     // when !shell; argv[0] resolved through PATH
  std::map<std::string, std::string> environment;
  double cpus = 0;                   // -> cpu shares (1024 per cpu) and CFS quota
  uint64_t mem_bytes = 0;            // -> memory limit (0 = none)
  std::chrono::milliseconds kill_grace{3000};
};

enum class TaskEnd {
  kExited,     // exit_code is valid
  kSignaled,   // signal is valid
  kOomKilled,  // killed by the kernel for exceeding its memory limit
  kKilled,     // killed on request (kill())
  kLost,       // its supervisor vanished without recording a status
};

struct TaskExit {
  std::string task_id;
  std::string framework_id;
  TaskEnd end = TaskEnd::kExited;
  int exit_code = 0;
  int signal = 0;
  std::string message;  // human-readable, e.g. "Memory limit exceeded: 64 MB"
};

struct RunningTask {
  std::string task_id;
  std::string framework_id;
  int pid = 0;  // the task's process (group leader)
  std::string sandbox;
};

struct ContainerizerOptions {
  std::string work_dir;             // sandboxes in <work_dir>/sandboxes/<task_id>/, state in <work_dir>/tasks/
  std::string supervisor_path;      // path of the orch-task-supervisor binary
  uint64_t log_max_bytes = 10 << 20;  // stdout/stderr rotated past this size
  int log_keep_files = 3;             // rotated files kept per stream
  std::string cgroup_parent = "orchestrator";  // cgroups under <controller>/<parent>/<task_id>
  bool use_cgroups = true;          // false where cgroups are not writable (a clear log line says so)
  // Supervisors are forked by one long-lived `orch-task-supervisor --spawner` instead of being
  // exec'd one per task (a cheaper launch); false, or a spawner that cannot start, falls back
  // to posix_spawn per task.
  bool use_spawner = true;
  // Called from another thread when a supervisor started by the spawner has ended (the
  // spawner's children are not ours: no SIGCHLD reaches the agent for them); the next
  // pollExits() reports it. May be empty (then needsPolling() asks for polling).
  std::function<void()> on_task_end;
};

class ProcessContainerizer {
 public:
  explicit ProcessContainerizer(ContainerizerOptions options);
  ~ProcessContainerizer();

  // Starts the task; returns once its process exists (the caller reports TASK_RUNNING).
  absl::Status launch(const ProcessTaskSpec& spec);
  // SIGTERM to the task's process group, SIGKILL after `grace`; asynchronous: the end is
  // reported by pollExits() as kKilled.
  absl::Status kill(const std::string& task_id, std::chrono::milliseconds grace);
  // At agent start: re-attaches to the tasks whose supervisors are still running and returns
  // them; tasks that ended while the agent was down are reported by the next pollExits().
  std::vector<RunningTask> recover();
  // Non-blocking: tasks that ended since the last call (each reported exactly once, then its
  // checkpoint is marked acknowledged).
  std::vector<TaskExit> pollExits();
  std::vector<RunningTask> running() const;
  // Whether some task's end can only be seen by polling pollExits(): a supervisor re-attached
  // after an agent restart is not our child, so its exit raises no SIGCHLD here.
  bool needsPolling() const;
  // <work_dir>/sandboxes/<task_id>, or an error when the task is unknown.
  absl::StatusOr<std::string> sandboxPath(const std::string& task_id) const;

  // Removes the empty pooled task cgroups of the agent with these options (work_dir and
  // cgroup_parent). An agent does so itself when it starts and stops; this is for one that
  // was killed and will not start again (test fixtures, decommissioning).
  static void removeIdleCgroups(const ContainerizerOptions& options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orch::agent
