#include "agent/containerizer/task_cgroup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/containerizer/file_io.h"

namespace orch::agent {
namespace {

constexpr uint64_t kCfsPeriodUs = 100000;

uint64_t counterIn(const std::string& text, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, ' ');
    uint64_t v = 0;
    if (kv.first == key && absl::SimpleAtoi(kv.second, &v)) return v;
  }
  return 0;
}

bool hasKey(const std::string& text, absl::string_view key) {
  return absl::StrContains(text, absl::StrCat(key, " "));
}

}  // namespace

absl::Status TaskCgroup::create() const {
  for (const auto& [controller, dir] : cgroups_.dirs) {
    int rc = ::mkdir(dir.c_str(), 0755);
    if (rc != 0 && errno == ENOENT) {
      // The agent's parent cgroup was removed under it (an operator, a cleanup): recreate it.
      const std::string parent = dir.substr(0, dir.find_last_of('/'));
      if (::mkdir(parent.c_str(), 0755) == 0 || errno == EEXIST) rc = ::mkdir(dir.c_str(), 0755);
    }
    if (rc != 0 && errno != EEXIST) {
      return absl::InternalError(
          absl::StrCat("cannot create cgroup ", dir, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::Status TaskCgroup::applyLimits(double cpus, uint64_t mem_bytes, bool reset) const {
  if (!enabled()) return absl::OkStatus();
  const uint64_t shares = cpus > 0 ? std::max<uint64_t>(2, std::llround(cpus * 1024)) : 0;
  const uint64_t quota = cpus > 0 ? std::max<uint64_t>(1000, std::llround(cpus * kCfsPeriodUs)) : 0;
  if (cgroups_.version == 2) {
    const std::string& dir = cgroups_.dirs.at("unified");
    if (cpus > 0) {
      // The kernel's own shares->weight mapping: [2, 262144] onto [1, 10000].
      const uint64_t weight = 1 + ((std::min<uint64_t>(shares, 262144) - 2) * 9999) / 262142;
      if (absl::Status st = writeControlFile(dir + "/cpu.weight", absl::StrCat(weight)); !st.ok())
        return st;
      if (absl::Status st =
              writeControlFile(dir + "/cpu.max", absl::StrCat(quota, " ", kCfsPeriodUs));
          !st.ok())
        return st;
    } else if (reset) {
      (void)writeControlFile(dir + "/cpu.weight", "100");
      (void)writeControlFile(dir + "/cpu.max", absl::StrCat("max ", kCfsPeriodUs));
    }
    if (mem_bytes > 0) {
      if (absl::Status st = writeControlFile(dir + "/memory.max", absl::StrCat(mem_bytes));
          !st.ok())
        return st;
      if (pathExists(dir + "/memory.swap.max")) {
        (void)writeControlFile(dir + "/memory.swap.max", "0");
      }
      (void)writeControlFile(dir + "/memory.oom.group", "1");
    } else if (reset) {
      (void)writeControlFile(dir + "/memory.max", "max");
      if (pathExists(dir + "/memory.swap.max")) (void)writeControlFile(dir + "/memory.swap.max", "max");
      (void)writeControlFile(dir + "/memory.oom.group", "0");
    }
    return absl::OkStatus();
  }
  if (cpus > 0) {
    auto cpu = cgroups_.dirs.find("cpu");
    if (cpu == cgroups_.dirs.end()) {
      return absl::FailedPreconditionError("no cpu cgroup for a task with a cpu limit");
    }
    if (absl::Status st = writeControlFile(cpu->second + "/cpu.shares", absl::StrCat(shares));
        !st.ok())
      return st;
    // cpu.cfs_period_us is not written: a new cgroup starts with the kernel's default period,
    // which is kCfsPeriodUs (100 ms).
    if (absl::Status st = writeControlFile(cpu->second + "/cpu.cfs_quota_us", absl::StrCat(quota));
        !st.ok())
      return st;
  } else if (reset) {
    if (auto cpu = cgroups_.dirs.find("cpu"); cpu != cgroups_.dirs.end()) {
      (void)writeControlFile(cpu->second + "/cpu.shares", "1024");
      (void)writeControlFile(cpu->second + "/cpu.cfs_quota_us", "-1");
    }
  }
  auto mem = cgroups_.dirs.find("memory");
  // A reused v1 memory cgroup may hold an earlier task's (lower) swap limit, which must never be
  // below the memory limit: lift it first, then set both.
  const bool memsw = mem != cgroups_.dirs.end() && pathExists(mem->second + "/memory.memsw.limit_in_bytes");
  if (reset && memsw) (void)writeControlFile(mem->second + "/memory.memsw.limit_in_bytes", "-1");
  if (mem_bytes == 0 && reset && mem != cgroups_.dirs.end()) {
    (void)writeControlFile(mem->second + "/memory.limit_in_bytes", "-1");
  }
  if (mem_bytes > 0) {
    if (mem == cgroups_.dirs.end()) {
      return absl::FailedPreconditionError("no memory cgroup for a task with a memory limit");
    }
    if (absl::Status st =
            writeControlFile(mem->second + "/memory.limit_in_bytes", absl::StrCat(mem_bytes));
        !st.ok())
      return st;
    // Without swap accounting this file is absent; with it, swap must not extend the limit.
    if (memsw) {
      (void)writeControlFile(mem->second + "/memory.memsw.limit_in_bytes", absl::StrCat(mem_bytes));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> TaskCgroup::procsFiles() const {
  std::vector<std::string> out;
  for (const auto& [controller, dir] : cgroups_.dirs) out.push_back(dir + "/cgroup.procs");
  return out;
}

absl::Status TaskCgroup::addProcess(pid_t pid) const {
  const std::string text = absl::StrCat(pid);
  for (const auto& [controller, dir] : cgroups_.dirs) {
    if (absl::Status st = writeControlFile(dir + "/cgroup.procs", text); !st.ok()) return st;
  }
  return absl::OkStatus();
}

std::string TaskCgroup::procsFile() const {
  for (const char* c : {"unified", "memory", "freezer", "cpu", "pids"}) {
    auto it = cgroups_.dirs.find(c);
    if (it != cgroups_.dirs.end()) return it->second + "/cgroup.procs";
  }
  return "";
}

std::vector<pid_t> TaskCgroup::processes() const {
  std::vector<pid_t> out;
  if (!enabled()) return out;
  absl::StatusOr<std::string> text = readWholeFile(procsFile());
  if (!text.ok()) return out;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    int pid = 0;
    if (absl::SimpleAtoi(line, &pid) && pid > 0) out.push_back(pid);
  }
  return out;
}

absl::Status TaskCgroup::killAll(std::chrono::milliseconds timeout) const {
  if (!enabled()) return absl::OkStatus();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool killed_by_kernel = false;
  if (cgroups_.version == 2) {
    const std::string kill_file = cgroups_.dirs.at("unified") + "/cgroup.kill";
    killed_by_kernel = pathExists(kill_file) && writeControlFile(kill_file, "1").ok();
  }
  auto freezer = cgroups_.dirs.find("freezer");
  const bool use_freezer = !killed_by_kernel && freezer != cgroups_.dirs.end() &&
                           pathExists(freezer->second + "/freezer.state");
  auto sleepBriefly = [] { std::this_thread::sleep_for(std::chrono::microseconds(500)); };
  int passes = 0;
  while (true) {
    std::vector<pid_t> pids = processes();
    if (pids.empty()) return absl::OkStatus();
    if (passes++ > 0 && std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(pids.size(), " process(es) still in cgroup ",
                                                      procsFile(), " after ", timeout.count(),
                                                      " ms, first pid ", pids.front()));
    }
    if (!killed_by_kernel || passes > 1) {
      // Freezing first stops a forking process from outrunning the kill loop.
      if (use_freezer) {
        (void)writeControlFile(freezer->second + "/freezer.state", "FROZEN");
        for (int i = 0; i < 50; ++i) {
          absl::StatusOr<std::string> state = readWholeFile(freezer->second + "/freezer.state");
          if (!state.ok() || absl::StartsWith(*state, "FROZEN")) break;
          sleepBriefly();
        }
        pids = processes();
      }
      for (pid_t pid : pids) ::kill(pid, SIGKILL);
      if (use_freezer) (void)writeControlFile(freezer->second + "/freezer.state", "THAWED");
    }
    sleepBriefly();
  }
}

uint64_t TaskCgroup::oomKills() const {
  if (!enabled()) return 0;
  if (cgroups_.version == 2) {
    absl::StatusOr<std::string> events =
        readWholeFile(cgroups_.dirs.at("unified") + "/memory.events");
    return events.ok() ? counterIn(*events, "oom_kill") : 0;
  }
  auto mem = cgroups_.dirs.find("memory");
  if (mem == cgroups_.dirs.end()) return 0;
  absl::StatusOr<std::string> control = readWholeFile(mem->second + "/memory.oom_control");
  if (control.ok() && hasKey(*control, "oom_kill")) return counterIn(*control, "oom_kill");
  absl::StatusOr<std::string> failcnt = readWholeFile(mem->second + "/memory.failcnt");
  uint64_t n = 0;
  return failcnt.ok() && absl::SimpleAtoi(absl::StripAsciiWhitespace(*failcnt), &n) && n > 0 ? 1
                                                                                             : 0;
}

absl::Status TaskCgroup::destroy() const {
  absl::Status result = absl::OkStatus();
  for (const auto& [controller, dir] : cgroups_.dirs) {
    bool removed = false;
    for (int attempt = 0; attempt < 200 && !removed; ++attempt) {
      if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) {
        removed = true;
      } else if (errno == EBUSY) {
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      } else {
        break;
      }
    }
    if (!removed && result.ok()) {
      result = absl::InternalError(
          absl::StrCat("cannot remove cgroup ", dir, ": ", std::strerror(errno)));
    }
  }
  return result;
}

}  // namespace orch::agent
