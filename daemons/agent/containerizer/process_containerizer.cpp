#include "agent/containerizer/process_containerizer.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <csignal>
#include <cstring>
#include <atomic>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "agent/containerizer/cgroup_hierarchy.h"
#include "agent/containerizer/detached_spawn.h"
#include "agent/containerizer/file_io.h"
#include "agent/containerizer/proc_info.h"
#include "agent/containerizer/supervisor_spawner_client.h"
#include "agent/containerizer/task_cgroup.h"
#include "agent/containerizer/task_id.h"
#include "agent/containerizer/task_layout.h"
#include "agent/containerizer/task_records.h"


namespace orch::agent {
namespace {

constexpr int kStartTimeoutMs = 30000;

int pidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int pidfdSendSignal(int pidfd, int sig, siginfo_t* info) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, info, 0));
}

std::string describeWait(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exited with code ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("was killed by signal ", WTERMSIG(status));
  return "ended";
}

bool hasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

absl::Status validateSpec(const ProcessTaskSpec& spec) {
  if (absl::Status st = validateTaskId(spec.task_id); !st.ok()) return st;
  if (hasNul(spec.framework_id)) {
    return absl::InvalidArgumentError("framework id contains a NUL byte");
  }
  if (spec.shell) {
    if (absl::StripAsciiWhitespace(spec.command).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("task ", spec.task_id, ": shell command is empty"));
    }
    if (hasNul(spec.command)) {
      return absl::InvalidArgumentError(
          absl::StrCat("task ", spec.task_id, ": command contains a NUL byte"));
    }
  } else {
    if (spec.argv.empty() || spec.argv[0].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("task ", spec.task_id, ": argv is empty (no program to run)"));
    }
    for (size_t i = 0; i < spec.argv.size(); ++i) {
      if (hasNul(spec.argv[i])) {
        return absl::InvalidArgumentError(
            absl::StrCat("task ", spec.task_id, ": argv[", i, "] contains a NUL byte"));
      }
    }
  }
  for (const auto& [key, value] : spec.environment) {
    if (key.empty() || key.find('=') != std::string::npos || hasNul(key) || hasNul(value)) {
      return absl::InvalidArgumentError(absl::StrCat("task ", spec.task_id,
                                                     ": bad environment variable name '", key,
                                                     "' (must be non-empty, without '=' or NUL)"));
    }
  }
  if (!std::isfinite(spec.cpus) || spec.cpus < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "task ", spec.task_id, ": cpus must be a finite number >= 0, got ", spec.cpus));
  }
  if (spec.kill_grace.count() < 0 || spec.kill_grace.count() > INT_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("task ", spec.task_id, ": kill grace of ",
                                                   spec.kill_grace.count(), " ms is out of range"));
  }
  return absl::OkStatus();
}

// Names of an agent's pooled task cgroups: "pool-<hash of its work dir>-<n>".
std::string poolPrefix(const std::string& work_dir) {
  return absl::StrCat("pool-", absl::Hex(std::hash<std::string>{}(work_dir) & 0xffffffffu, absl::kZeroPad8),
                      "-");
}

// Removes the empty pooled cgroups named with `prefix`; returns one past the highest number seen.
uint64_t removeIdlePooledCgroups(const CgroupHierarchy& cgroups, const std::string& prefix) {
  uint64_t next = 0;
  for (const auto& [controller, dir] : cgroups.forTask(prefix + "0").dirs) {
    const std::string parent = dir.substr(0, dir.rfind('/'));
    DIR* d = ::opendir(parent.c_str());
    if (d == nullptr) continue;
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      uint64_t n = 0;
      if (!absl::StartsWith(name, prefix) || !absl::SimpleAtoi(name.substr(prefix.size()), &n)) {
        continue;
      }
      next = std::max(next, n + 1);
      (void)::rmdir((parent + "/" + name).c_str());
    }
    ::closedir(d);
  }
  return next;
}

// The last few lines of a supervisor's log, for error messages.
std::string logTail(const std::string& path) {
  absl::StatusOr<std::string> text = readWholeFile(path);
  if (!text.ok() || text->empty()) return "";
  std::string tail = text->size() > 600 ? text->substr(text->size() - 600) : *text;
  return std::string(absl::StripTrailingAsciiWhitespace(tail));
}

}  // namespace

struct ProcessContainerizer::Impl {
  // One supervised task. Supervisors forked by the spawner, and those found by recover() after
  // an agent restart, are watched through a pidfd (the spawner announces its children's ends,
  // so those need no polling while it lives); supervisors we posix_spawn'ed ourselves (no
  // spawner) are our children, reaped with waitpid.
  struct Tracked {
    std::string framework_id;
    pid_t supervisor_pid = 0;
    pid_t task_pid = 0;
    bool child = false;
    int pidfd = -1;
    bool announced = false;
    bool launching = true;
    std::string cgroup_slot;  // the pooled cgroup it runs in ("" without cgroups)
  };

  ContainerizerOptions options;
  absl::Status init_status;
  std::optional<CgroupHierarchy> cgroups;
  std::string boot_id;

  mutable std::mutex mu;
  std::map<std::string, Tracked> tasks;  // guarded by mu
  std::vector<TaskExit> pending;         // guarded by mu: ended tasks found by recover()
  std::map<pid_t, int> spawner_exits;    // guarded by mu: wait status of the spawner's children

  // Task cgroups are pooled: an emptied one is reused by the next task instead of being removed
  // and created again (a mkdir and rmdir per controller, the costliest part of a launch).
  // Names are "pool-<agent>-<n>", <agent> a hash of the work dir, so agents sharing a parent
  // cgroup never meet.
  static constexpr size_t kMaxFreeCgroups = 128;
  std::string slot_prefix;
  std::vector<std::string> free_slots;  // guarded by mu
  uint64_t next_slot = 0;               // guarded by mu

  std::mutex spawner_mu;  // starting / replacing the spawner
  std::shared_ptr<SupervisorSpawnerClient> spawner;  // guarded by spawner_mu
  std::atomic<bool> spawner_alive{false};
  std::chrono::steady_clock::time_point spawner_retry_at{};  // guarded by spawner_mu

  explicit Impl(ContainerizerOptions opts) : options(std::move(opts)) {
    boot_id = currentBootId();
    if (options.work_dir.empty()) {
      init_status = absl::InvalidArgumentError("containerizer work_dir is empty");
      return;
    }
    if (options.log_keep_files < 0) options.log_keep_files = 0;
    for (const char* sub : {"/tasks", "/sandboxes"}) {
      if (absl::Status st = makeDirs(options.work_dir + sub); !st.ok()) {
        init_status = absl::FailedPreconditionError(absl::StrCat(
            "containerizer work_dir ", options.work_dir, " is unusable: ", st.message()));
        return;
      }
    }
    char resolved[PATH_MAX];
    if (::realpath(options.work_dir.c_str(), resolved) != nullptr) options.work_dir = resolved;
    if (options.supervisor_path.empty() || ::access(options.supervisor_path.c_str(), X_OK) != 0) {
      init_status = absl::FailedPreconditionError(absl::StrCat(
          "task supervisor '", options.supervisor_path, "' is not an executable file"));
      return;
    }
    if (!options.use_cgroups) {
      spdlog::warn(
          "process containerizer: cgroups disabled by configuration; tasks run without cpu or "
          "memory limits and without OOM detection");
      return;
    }
    absl::StatusOr<CgroupHierarchy> h = CgroupHierarchy::prepare(options.cgroup_parent);
    if (!h.ok()) {
      spdlog::warn(
          "process containerizer: cgroups unavailable ({}); tasks run WITHOUT cpu or memory "
          "limits and without OOM detection",
          std::string(h.status().message()));
      return;
    }
    cgroups = std::move(*h);
    spdlog::info("process containerizer: using {}", cgroups->describe());
    slot_prefix = poolPrefix(options.work_dir);
    // Pooled cgroups an earlier run of this agent left are removed when empty (rmdir fails on
    // one a re-attached task still runs in); new names continue after the highest.
    next_slot = removeIdlePooledCgroups(*cgroups, slot_prefix);
  }

  // A cgroup for a new task: an idle pooled one, or a new name (the supervisor creates it).
  std::string takeSlot() {
    std::lock_guard<std::mutex> lock(mu);
    if (!free_slots.empty()) {
      std::string slot = std::move(free_slots.back());
      free_slots.pop_back();
      return slot;
    }
    return absl::StrCat(slot_prefix, next_slot++);
  }

  // Back to the pool once its task is over (mu held): only when it is empty; one with
  // processes is never shared. (One that someone removed is pooled too: the next supervisor
  // creates its directories again, as it does for a new name. Not checking saves three
  // cgroupfs look-ups per task.)
  void releaseSlot(const std::string& slot) {
    if (slot.empty() || !cgroups) return;
    TaskCgroup cgroup(cgroups->forTask(slot));
    if (!cgroup.processes().empty()) return;
    if (free_slots.size() < kMaxFreeCgroups) {
      free_slots.push_back(slot);
    } else {
      (void)cgroup.destroy();
    }
  }

  // The pooled cgroup a task's spec names ("" when not pooled).
  static std::string slotOf(const SupervisorSpec& spec) {
    if (!spec.cgroup_pooled || spec.cgroups.dirs.empty()) return "";
    const std::string& dir = spec.cgroups.dirs.begin()->second;
    return dir.substr(dir.rfind('/') + 1);
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(spawner_mu);
      spawner.reset();  // the spawner exits; the supervisors it forked keep running
    }
    for (auto& [id, t] : tasks) {
      if (t.pidfd >= 0) ::close(t.pidfd);
    }
    // Idle pooled cgroups go (running tasks keep theirs; a restarted agent collects those).
    if (cgroups) {
      for (const std::string& slot : free_slots) (void)TaskCgroup(cgroups->forTask(slot)).destroy();
    }
  }

  // The running spawner, started (again) when needed; nullptr when it cannot run (retried
  // after a while, meanwhile supervisors are exec'd one by one).
  std::shared_ptr<SupervisorSpawnerClient> currentSpawner() {
    if (!options.use_spawner) return nullptr;
    std::lock_guard<std::mutex> lock(spawner_mu);
    if (spawner && spawner->alive()) return spawner;
    const auto now = std::chrono::steady_clock::now();
    if (now < spawner_retry_at) return nullptr;
    spawner.reset();
    auto started = SupervisorSpawnerClient::start(
        options.supervisor_path, options.work_dir, [this](pid_t pid, int wait_status) {
          if (pid == 0) {
            spawner_alive = false;  // ends are no longer announced: pollExits() polls
          } else {
            std::lock_guard<std::mutex> l(mu);
            spawner_exits[pid] = wait_status;
          }
          if (options.on_task_end) options.on_task_end();
        });
    if (!started.ok()) {
      spdlog::warn("process containerizer: {}; starting one supervisor process per task instead",
                   std::string(started.status().message()));
      spawner_retry_at = now + std::chrono::seconds(10);
      return nullptr;
    }
    spawner = std::move(*started);
    spawner_alive = true;
    return spawner;
  }

  // Spawns the supervisor for a task whose spec is written; returns its pid and the task's pid.
  absl::Status spawnSupervisor(const TaskLayout& layout, pid_t& supervisor_pid, int& pidfd,
                               bool& by_spawner, pid_t& task_pid) {
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) {
      return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
    }
    // Keep the write end clear of 0..3 so dup2 onto 3 always makes a fresh, inheritable fd.
    int write_end = ::fcntl(report[1], F_DUPFD_CLOEXEC, 10);
    ::close(report[1]);
    if (write_end < 0) {
      ::close(report[0]);
      return absl::InternalError(absl::StrCat("fcntl: ", std::strerror(errno)));
    }
    const std::string log_path = layout.supervisorLog();
    if (std::shared_ptr<SupervisorSpawnerClient> s = currentSpawner()) {
      absl::StatusOr<SupervisorSpawnerClient::Pending> pending = s->request(layout.state_dir, write_end);
      if (pending.ok()) {
        ::close(write_end);  // the spawner has its copy: the pipe ends when the supervisor does
        // The report first: the spawner's reply is usually in by then, so this thread sleeps
        // once per launch, not twice.
        const Report started = readReport(report[0]);
        absl::StatusOr<SupervisorSpawnerClient::Spawned> spawned = s->await(*pending);
        if (spawned.ok()) {
          supervisor_pid = spawned->pid;
          pidfd = spawned->pidfd;
          by_spawner = true;
          return finishReport(started, log_path, supervisor_pid, pidfd, task_pid);
        }
        int started_pid = 0;
        if (absl::StartsWith(started.line, "started ") &&
            absl::SimpleAtoi(started.line.substr(8), &started_pid) && started_pid > 0) {
          // The spawner forked a supervisor that started the task, then vanished before
          // answering: that task must not run untracked next to a second copy.
          ::kill(-started_pid, SIGKILL);
          return absl::UnavailableError(absl::StrCat(
              "the supervisor spawner went away while starting the task (",
              spawned.status().message(), "); the started process group was killed"));
        }
        spdlog::warn("process containerizer: {}; starting this supervisor directly",
                     std::string(spawned.status().message()));
        // That report pipe is spent: start over with a new one.
        if (::pipe2(report, O_CLOEXEC) != 0) {
          return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
        }
        write_end = ::fcntl(report[1], F_DUPFD_CLOEXEC, 10);
        ::close(report[1]);
        if (write_end < 0) {
          ::close(report[0]);
          return absl::InternalError(absl::StrCat("fcntl: ", std::strerror(errno)));
        }
      } else {
        spdlog::warn("process containerizer: {}; starting this supervisor directly",
                     std::string(pending.status().message()));
      }
    }
    // The supervisor writes its own log (<state_dir>/supervisor.log) only when it has something
    // to say; its stdio goes nowhere.
    absl::StatusOr<pid_t> spawned =
        spawnDetached(options.supervisor_path, {"--state-dir", layout.state_dir, "--report-fd", "3"}, write_end);
    ::close(write_end);
    if (!spawned.ok()) {
      ::close(report[0]);
      return spawned.status();
    }
    supervisor_pid = *spawned;
    return finishReport(readReport(report[0]), log_path, supervisor_pid, pidfd, task_pid);
  }

  struct Report {
    std::string line;  // without its newline; "" if none came
    bool timed_out = false;
  };

  // Waits for the supervisor's one-line start-up report on `report_fd` (closed here): it writes
  // it once the task's program runs, or an error line; the pipe ends without one if it died.
  static Report readReport(int report_fd) {
    std::string line;
    char buf[1024];
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
    bool timed_out = false;
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        timed_out = true;
        break;
      }
      pollfd p{report_fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) continue;
      const ssize_t n = ::read(report_fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    ::close(report_fd);
    return Report{line.substr(0, line.find('\n')), timed_out};
  }

  // The launch's outcome from its report. pidfd >= 0: the supervisor is the spawner's child
  // (signalled through the pidfd, which is closed on failure); else it is ours (reaped here on
  // failure).
  absl::Status finishReport(const Report& report, const std::string& log_path, pid_t supervisor_pid,
                            int& pidfd, pid_t& task_pid) {
    const std::string& line = report.line;
    const bool timed_out = report.timed_out;
    int pid = 0;
    if (absl::StartsWith(line, "started ") && absl::SimpleAtoi(line.substr(8), &pid) && pid > 0) {
      task_pid = pid;
      return absl::OkStatus();
    }
    // The supervisor failed: collect it so no zombie is left, then say why.
    int status = 0;
    if (pidfd >= 0) {
      if (timed_out) pidfdSendSignal(pidfd, SIGKILL, nullptr);
      pollfd p{pidfd, POLLIN, 0};
      (void)::poll(&p, 1, 2000);  // its end, as the spawner reaps it
      ::close(pidfd);
      pidfd = -1;
      std::lock_guard<std::mutex> lock(mu);
      if (auto e = spawner_exits.find(supervisor_pid); e != spawner_exits.end()) {
        status = e->second;
        spawner_exits.erase(e);
      }
    } else {
      if (timed_out) ::kill(supervisor_pid, SIGKILL);
      while (::waitpid(supervisor_pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (absl::StartsWith(line, "error ")) {
      return absl::FailedPreconditionError(absl::StrCat("task did not start: ", line.substr(6)));
    }
    return absl::InternalError(
        absl::StrCat("task supervisor ",
                     timed_out ? absl::StrCat("did not report within ", kStartTimeoutMs, " ms")
                               : describeWait(status) + " before reporting",
                     "; its log ", log_path, " ends with: ", logTail(log_path)));
  }

  // How an ended task's supervisor left things: its status file, or kLost (and its leftovers
  // killed) when there is none. Marks the record acknowledged on disk.
  // mu held. cgroup_slot: the task's pooled cgroup, returned to the pool.
  TaskExit collect(const std::string& task_id, const std::string& framework_id,
                   const std::string& supervisor_end, const std::string& cgroup_slot) {
    TaskExit exit = collectStatus(task_id, framework_id, supervisor_end);
    releaseSlot(cgroup_slot);
    return exit;
  }

  TaskExit collectStatus(const std::string& task_id, const std::string& framework_id,
                         const std::string& supervisor_end) {
    const TaskLayout layout = TaskLayout::of(options.work_dir, task_id);
    TaskExit exit;
    exit.task_id = task_id;
    exit.framework_id = framework_id;
    absl::StatusOr<std::string> text = readWholeFile(layout.statusFile());
    absl::StatusOr<TaskStatusRecord> status =
        text.ok() ? parseTaskStatus(*text) : absl::StatusOr<TaskStatusRecord>(text.status());
    if (status.ok()) {
      exit.end = status->end;
      exit.exit_code = status->exit_code;
      exit.signal = status->signal;
      exit.message = status->message;
      if (::rename(layout.statusFile().c_str(), layout.ackedStatusFile().c_str()) != 0) {
        spdlog::error("process containerizer: cannot mark {} acknowledged: {}", layout.statusFile(),
                      std::strerror(errno));
      }
      return exit;
    }
    exit.end = TaskEnd::kLost;
    exit.message =
        absl::StrCat("Task supervisor ", supervisor_end, " without recording how the task ended (",
                     status.status().message(), "); see ", layout.supervisorLog());
    cleanUpOrphans(layout);
    TaskStatusRecord lost;
    lost.end = TaskEnd::kLost;
    lost.message = exit.message;
    if (absl::Status st = writeFileAtomic(layout.ackedStatusFile(), toJson(lost), false);
        !st.ok()) {
      spdlog::error("process containerizer: cannot mark task {} acknowledged: {}", task_id,
                    std::string(st.message()));
    }
    return exit;
  }

  // After a supervisor died without a status: kill what it left running (its task's process
  // group and cgroup) and remove the cgroup.
  void cleanUpOrphans(const TaskLayout& layout) {
    absl::StatusOr<std::string> cp_text = readWholeFile(layout.checkpointFile());
    if (cp_text.ok()) {
      absl::StatusOr<SupervisorCheckpoint> cp = parseSupervisorCheckpoint(*cp_text);
      if (cp.ok() && cp->task_pid > 0 && cp->boot_id == boot_id) {
        std::optional<ProcStat> st = readProcStat(cp->task_pid);
        // Only a group that still carries the task's pgid is the task's.
        if (st && st->pgid == cp->task_pid && ::kill(-cp->task_pid, SIGKILL) == 0) {
          // Report the task only once its process is really gone (bounded: 1 s).
          for (int i = 0; i < 1000; ++i) {
            std::optional<ProcStat> now = readProcStat(cp->task_pid);
            if (!now || now->state == 'Z' || now->start_ticks != st->start_ticks) break;
            ::usleep(1000);
          }
        }
      }
    }
    absl::StatusOr<std::string> spec_text = readWholeFile(layout.specFile());
    if (!spec_text.ok()) return;
    absl::StatusOr<SupervisorSpec> spec = parseSupervisorSpec(*spec_text);
    if (!spec.ok()) return;
    TaskCgroup cgroup(spec->cgroups);
    if (!cgroup.enabled()) return;
    if (absl::Status st = cgroup.killAll(std::chrono::milliseconds(2000)); !st.ok()) {
      spdlog::error("process containerizer: {}", std::string(st.message()));
    }
    (void)cgroup.destroy();
  }

  // Whether a tracked supervisor has ended; fills how.
  bool supervisorEnded(const std::string& task_id, Tracked& t, std::string& how) {
    if (t.child) {
      int status = 0;
      const pid_t r = ::waitpid(t.supervisor_pid, &status, WNOHANG);
      if (r == 0) return false;
      if (r == t.supervisor_pid) {
        how = describeWait(status);
        return true;
      }
      if (errno == EINTR) return false;
      // ECHILD: someone else reaped it (or SIGCHLD is ignored); judge by /proc.
      t.child = false;
    }
    if (t.pidfd >= 0) {
      pollfd p{t.pidfd, POLLIN, 0};
      if (::poll(&p, 1, 0) == 0) return false;
      how = "exited";
      if (auto e = spawner_exits.find(t.supervisor_pid); e != spawner_exits.end()) {
        how = describeWait(e->second);
        spawner_exits.erase(e);
      }
      return true;
    }
    std::optional<ProcStat> st = readProcStat(t.supervisor_pid);
    if (st && st->state != 'Z') {
      // Same process as checkpointed? (pid reuse check)
      absl::StatusOr<std::string> cp_text =
          readWholeFile(TaskLayout::of(options.work_dir, task_id).checkpointFile());
      absl::StatusOr<SupervisorCheckpoint> cp =
          cp_text.ok() ? parseSupervisorCheckpoint(*cp_text)
                       : absl::StatusOr<SupervisorCheckpoint>(cp_text.status());
      if (!cp.ok() || cp->supervisor_start_ticks == 0 ||
          cp->supervisor_start_ticks == st->start_ticks) {
        return false;
      }
    }
    how = "exited";
    return true;
  }

  // recover() for one task directory.
  void recoverOne(const std::string& task_id, std::vector<RunningTask>& running) {
    const TaskLayout layout = TaskLayout::of(options.work_dir, task_id);
    if (pathExists(layout.ackedStatusFile())) return;
    std::string framework_id, slot;
    if (absl::StatusOr<std::string> text = readWholeFile(layout.specFile()); text.ok()) {
      if (absl::StatusOr<SupervisorSpec> spec = parseSupervisorSpec(*text); spec.ok()) {
        framework_id = spec->task.framework_id;
        slot = slotOf(*spec);
      }
    }
    absl::StatusOr<std::string> cp_text = readWholeFile(layout.checkpointFile());
    absl::StatusOr<SupervisorCheckpoint> cp =
        cp_text.ok() ? parseSupervisorCheckpoint(*cp_text)
                     : absl::StatusOr<SupervisorCheckpoint>(cp_text.status());
    if (!cp.ok()) {
      // The supervisor never got as far as its checkpoint (e.g. the agent died mid-launch).
      pending.push_back(collect(task_id, framework_id, "never checkpointed", slot));
      return;
    }
    Tracked t;
    t.framework_id = framework_id;
    t.cgroup_slot = slot;
    t.supervisor_pid = cp->supervisor_pid;
    t.task_pid = cp->task_pid;
    t.launching = false;
    std::optional<ProcStat> st = readProcStat(cp->supervisor_pid);
    const bool same_process =
        cp->boot_id == boot_id && st &&
        (cp->supervisor_start_ticks == 0 || st->start_ticks == cp->supervisor_start_ticks);
    if (!same_process) {
      pending.push_back(collect(task_id, framework_id, "is gone", slot));
      return;
    }
    int status = 0;
    const pid_t r = ::waitpid(cp->supervisor_pid, &status, WNOHANG);
    if (r == cp->supervisor_pid) {  // our own child that ended
      pending.push_back(collect(task_id, framework_id, describeWait(status), slot));
      return;
    }
    if (r == 0) {
      t.child = true;
    } else if (st->state == 'Z') {
      pending.push_back(collect(task_id, framework_id, "exited", slot));
      return;
    } else {
      t.pidfd = pidfdOpen(cp->supervisor_pid);
      // The pidfd refers to whatever has the pid now: confirm it is still the same process.
      std::optional<ProcStat> again = readProcStat(cp->supervisor_pid);
      if (t.pidfd >= 0 && (!again || again->start_ticks != st->start_ticks)) {
        ::close(t.pidfd);
        pending.push_back(collect(task_id, framework_id, "exited", slot));
        return;
      }
    }
    if (!pathExists(layout.statusFile())) {
      running.push_back(RunningTask{task_id, framework_id, t.task_pid, layout.sandbox});
    }
    tasks.emplace(task_id, std::move(t));
  }
};

ProcessContainerizer::ProcessContainerizer(ContainerizerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

ProcessContainerizer::~ProcessContainerizer() = default;

absl::Status ProcessContainerizer::launch(const ProcessTaskSpec& spec) {
  if (!impl_->init_status.ok()) return impl_->init_status;
  if (absl::Status st = validateSpec(spec); !st.ok()) return st;
  const TaskLayout layout = TaskLayout::of(impl_->options.work_dir, spec.task_id);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->tasks.count(spec.task_id) != 0) {
      return absl::AlreadyExistsError(absl::StrCat("task ", spec.task_id, " is already running"));
    }
    for (const TaskExit& e : impl_->pending) {
      if (e.task_id == spec.task_id) {
        return absl::AlreadyExistsError(absl::StrCat(
            "task ", spec.task_id, " has ended but its end was not reported by pollExits() yet"));
      }
    }
    impl_->tasks.emplace(spec.task_id, Impl::Tracked{spec.framework_id});
  }
  auto unreserve = [&] {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->tasks.erase(spec.task_id);
  };

  // A finished and acknowledged task with the same id may be launched again: clear its files.
  if (pathExists(layout.state_dir)) {
    if (!pathExists(layout.ackedStatusFile())) {
      unreserve();
      return absl::AlreadyExistsError(absl::StrCat("task ", spec.task_id,
                                                   " has unreported state in ", layout.state_dir,
                                                   " (call recover() and pollExits() first)"));
    }
    (void)removeTree(layout.state_dir);
    (void)removeTree(layout.sandbox);
  }

  SupervisorSpec sup;
  sup.task = spec;
  sup.sandbox = layout.sandbox;
  sup.state_dir = layout.state_dir;
  sup.log_max_bytes = impl_->options.log_max_bytes;
  sup.log_keep_files = impl_->options.log_keep_files;
  std::string slot;
  if (impl_->cgroups) {
    slot = impl_->takeSlot();
    sup.cgroups = impl_->cgroups->forTask(slot);
    sup.cgroup_pooled = true;
  }
  sup.boot_id = impl_->boot_id;

  absl::Status st = makeDirs(layout.state_dir);
  if (st.ok()) st = makeDirs(layout.sandbox);
  if (st.ok()) st = writeFileAtomic(layout.specFile(), toJson(sup), /*durable=*/false);
  pid_t supervisor_pid = 0, task_pid = 0;
  int pidfd = -1;
  bool by_spawner = false;
  if (st.ok()) st = impl_->spawnSupervisor(layout, supervisor_pid, pidfd, by_spawner, task_pid);
  if (!st.ok()) {
    (void)removeTree(layout.state_dir);
    (void)removeTree(layout.sandbox);
    {
      std::lock_guard<std::mutex> lock(impl_->mu);
      impl_->releaseSlot(slot);
    }
    unreserve();
    return absl::Status(st.code(),
                        absl::StrCat("launching task ", spec.task_id, ": ", st.message()));
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl::Tracked& t = impl_->tasks[spec.task_id];
  t.supervisor_pid = supervisor_pid;
  t.task_pid = task_pid;
  t.child = !by_spawner;
  t.pidfd = pidfd;
  t.announced = by_spawner;
  t.cgroup_slot = slot;
  t.launching = false;
  return absl::OkStatus();
}

absl::Status ProcessContainerizer::kill(const std::string& task_id,
                                        std::chrono::milliseconds grace) {
  if (absl::Status st = validateTaskId(task_id); !st.ok()) return st;
  if (grace.count() < 0 || grace.count() > INT_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("kill grace of ", grace.count(), " ms is out of range"));
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tasks.find(task_id);
  if (it == impl_->tasks.end()) {
    return absl::NotFoundError(absl::StrCat("no running task ", task_id));
  }
  Impl::Tracked& t = it->second;
  if (t.launching) {
    return absl::UnavailableError(absl::StrCat("task ", task_id, " is still launching"));
  }
  // The supervisor turns SIGTERM into SIGTERM to the task's group, then SIGKILL after `grace`,
  // which travels as the signal's value.
  siginfo_t info{};
  info.si_signo = SIGTERM;
  info.si_code = SI_QUEUE;
  info.si_pid = ::getpid();
  info.si_uid = ::getuid();
  info.si_value.sival_int = static_cast<int>(grace.count());
  int rc;
  if (t.pidfd >= 0) {
    rc = pidfdSendSignal(t.pidfd, SIGTERM, &info);
  } else {
    // Our unreaped child cannot have been replaced by another process with its pid.
    sigval value{};
    value.sival_int = static_cast<int>(grace.count());
    rc = ::sigqueue(t.supervisor_pid, SIGTERM, value);
  }
  if (rc != 0 && errno != ESRCH) {
    return absl::InternalError(absl::StrCat("signalling the supervisor of task ", task_id, " (pid ",
                                            t.supervisor_pid, "): ", std::strerror(errno)));
  }
  // ESRCH: the supervisor already ended; pollExits() reports how.
  return absl::OkStatus();
}

std::vector<RunningTask> ProcessContainerizer::recover() {
  std::vector<RunningTask> running;
  if (!impl_->init_status.ok()) return running;
  const std::string tasks_dir = impl_->options.work_dir + "/tasks";
  DIR* dir = ::opendir(tasks_dir.c_str());
  if (dir == nullptr) return running;
  std::vector<std::string> ids;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == ".." || !validateTaskId(name).ok()) continue;
    ids.push_back(std::move(name));
  }
  ::closedir(dir);
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (const std::string& id : ids) {
    if (impl_->tasks.count(id) != 0) {
      const Impl::Tracked& t = impl_->tasks.at(id);
      if (!t.launching) {
        running.push_back(RunningTask{id, t.framework_id, t.task_pid,
                                      TaskLayout::of(impl_->options.work_dir, id).sandbox});
      }
      continue;
    }
    bool already_pending = false;
    for (const TaskExit& e : impl_->pending) already_pending |= e.task_id == id;
    if (!already_pending) impl_->recoverOne(id, running);
  }
  spdlog::info(
      "process containerizer: recovered {} running task(s), {} ended while the agent "
      "was away",
      running.size(), impl_->pending.size());
  return running;
}

std::vector<TaskExit> ProcessContainerizer::pollExits() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<TaskExit> out = std::move(impl_->pending);
  impl_->pending.clear();
  for (auto it = impl_->tasks.begin(); it != impl_->tasks.end();) {
    Impl::Tracked& t = it->second;
    std::string how;
    if (t.launching || !impl_->supervisorEnded(it->first, t, how)) {
      ++it;
      continue;
    }
    out.push_back(impl_->collect(it->first, t.framework_id, how, t.cgroup_slot));
    if (t.pidfd >= 0) ::close(t.pidfd);
    it = impl_->tasks.erase(it);
  }
  return out;
}

bool ProcessContainerizer::needsPolling() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->pending.empty()) return true;
  const bool announced = impl_->spawner_alive && impl_->options.on_task_end;
  for (const auto& [id, t] : impl_->tasks) {
    if (!t.launching && !t.child && !(t.announced && announced)) return true;
  }
  return false;
}

std::vector<RunningTask> ProcessContainerizer::running() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<RunningTask> out;
  for (const auto& [id, t] : impl_->tasks) {
    if (t.launching) continue;
    out.push_back(RunningTask{id, t.framework_id, t.task_pid,
                              TaskLayout::of(impl_->options.work_dir, id).sandbox});
  }
  return out;
}

absl::StatusOr<std::string> ProcessContainerizer::sandboxPath(const std::string& task_id) const {
  if (absl::Status st = validateTaskId(task_id); !st.ok()) return st;
  const TaskLayout layout = TaskLayout::of(impl_->options.work_dir, task_id);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->tasks.count(task_id) != 0) return layout.sandbox;
  }
  if (pathExists(layout.sandbox)) return layout.sandbox;  // ended tasks keep their logs
  return absl::NotFoundError(absl::StrCat("unknown task ", task_id));
}

void ProcessContainerizer::removeIdleCgroups(const ContainerizerOptions& options) {
  if (!options.use_cgroups) return;
  absl::StatusOr<CgroupHierarchy> h = CgroupHierarchy::prepare(options.cgroup_parent);
  if (!h.ok()) return;
  char resolved[PATH_MAX];
  const std::string work_dir =
      ::realpath(options.work_dir.c_str(), resolved) != nullptr ? std::string(resolved) : options.work_dir;
  (void)removeIdlePooledCgroups(*h, poolPrefix(work_dir));
}

}  // namespace orch::agent
