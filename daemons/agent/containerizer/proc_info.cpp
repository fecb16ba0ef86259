#include "agent/containerizer/proc_info.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/containerizer/file_io.h"

namespace orch::agent {

std::optional<ProcStat> readProcStat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  absl::StatusOr<std::string> text = readWholeFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!text.ok()) return std::nullopt;
  // "pid (comm) state ppid pgrp ..." where comm may hold spaces and parentheses.
  const size_t close = text->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::vector<absl::string_view> f =
      absl::StrSplit(absl::string_view(*text).substr(close + 1), ' ', absl::SkipEmpty());
  // f[0] is field 3 (state), f[2] field 5 (pgrp), f[19] field 22 (starttime).
  if (f.size() < 20 || f[0].empty()) return std::nullopt;
  ProcStat out;
  out.state = f[0][0];
  if (!absl::SimpleAtoi(f[2], &out.pgid) || !absl::SimpleAtoi(f[19], &out.start_ticks)) {
    return std::nullopt;
  }
  return out;
}

std::string currentBootId() {
  absl::StatusOr<std::string> text = readWholeFile("/proc/sys/kernel/random/boot_id");
  return text.ok() ? std::string(absl::StripAsciiWhitespace(*text)) : std::string();
}

}  // namespace orch::agent
