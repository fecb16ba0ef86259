// What /proc says about a process: enough to tell a live process from a zombie and from an
// unrelated process that reused the pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace orch::agent {

struct ProcStat {
  char state = '?';  // R, S, D, Z, ...
  int pgid = 0;
  uint64_t start_ticks = 0;  // clock ticks after boot
};

// /proc/<pid>/stat, or nullopt when the process does not exist.
std::optional<ProcStat> readProcStat(pid_t pid);
// /proc/sys/kernel/random/boot_id (trimmed), empty when unreadable.
std::string currentBootId();

}  // namespace orch::agent
