// orch-task-supervisor's core: runs one task described by <state_dir>/spec.json in its own
// session, process group and cgroup, pipes its output into size-capped rotated files, handles
// kill requests (SIGTERM/SIGINT to the supervisor; a sigqueue() value carries the grace period in
// ms), and when the task ends kills whatever it left behind, records how it ended in
// <state_dir>/status.json (write, rename) and removes the cgroup.
//
// Start-up report (on report_fd, one line, then the fd is closed):
//   "started <task_pid>\n"  the task's process exists (forked, in its process group); it joins
//                          its cgroup and execs next. If that fails the task ends with code
//                          127 and a message saying why.
//   "error <message>\n"     nothing runs; the supervisor exits 1
#pragma once

#include <sys/signalfd.h>
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/containerizer/task_cgroup.h"
#include "agent/containerizer/task_records.h"
#include "rotating_log.h"

namespace orch::agent {

class TaskSupervisor {
 public:
  TaskSupervisor(std::string state_dir, int report_fd);
  ~TaskSupervisor();
  TaskSupervisor(const TaskSupervisor&) = delete;
  TaskSupervisor& operator=(const TaskSupervisor&) = delete;

  // Runs the task to its end; returns the supervisor's exit code.
  int run();

 private:
  absl::Status setUp();
  absl::Status startTask();
  // What the forked child does before it execs the task: prepared by startTask().
  struct ChildPlan {
    int out_fd;
    int err_fd;
    int report_fd;
    const std::vector<std::string>* procs_files;
    const std::vector<std::string>* programs;
    char* const* argv;
    char* const* envp;
    const char* sandbox;
    const char* exec_what;
    const char* chdir_what;
  };
  [[noreturn]] static void runChild(const ChildPlan& plan);
  void report(absl::string_view line);
  void eventLoop();
  void onSignal(const signalfd_siginfo& info);
  void reapChildren();
  void collectExecFailure();
  void beginKill(std::chrono::milliseconds grace);
  void escalate();
  void killLeftovers();
  void pump(int& fd, RotatingLog& log);
  TaskStatusRecord decideEnd() const;
  void finish(const TaskStatusRecord& status);

  std::string state_dir_;
  int report_fd_;
  SupervisorSpec spec_;
  std::unique_ptr<TaskCgroup> cgroup_;
  bool cgroups_active_ = false;
  std::unique_ptr<RotatingLog> stdout_log_;
  std::unique_ptr<RotatingLog> stderr_log_;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int exec_err_fd_ = -1;
  std::string exec_failure_;
  int signal_fd_ = -1;
  int timer_fd_ = -1;
  pid_t task_pid_ = 0;
  bool task_done_ = false;
  int wait_status_ = 0;
  bool kill_requested_ = false;
  bool kill_escalated_ = false;
  std::chrono::milliseconds kill_grace_{0};
  std::optional<std::chrono::steady_clock::time_point> kill_deadline_;
  std::chrono::steady_clock::time_point drain_deadline_;
  uint64_t oom_kills_ = 0;
  uint64_t oom_kills_at_start_ = 0;  // pooled cgroups: the counter before this task
};

}  // namespace orch::agent
