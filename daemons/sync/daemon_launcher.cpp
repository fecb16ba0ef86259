#include "sync/daemon_launcher.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace orch::sync {
namespace {

// Lines of the log written since offset that are not JSON log records (the daemon's own
// stderr messages), or the last few lines when there are none.
std::string errorLines(const std::string& log, std::streamoff offset) {
  std::ifstream in(log);
  if (!in) return "";
  in.seekg(offset);
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<std::string> plain, all;
  for (absl::string_view line : absl::StrSplit(ss.str(), '\n', absl::SkipEmpty())) {
    all.emplace_back(line);
    if (!line.empty() && line.front() != '{' && line.front() != '[') plain.emplace_back(line);
  }
  std::vector<std::string>& pick = plain.empty() ? all : plain;
  if (pick.size() > 5) pick.erase(pick.begin(), pick.end() - 5);
  return absl::StrJoin(pick, "\n");
}

}  // namespace

std::string defaultDaemonBinary() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto candidate = self.parent_path() / "orch-sync";
    if (std::filesystem::exists(candidate)) return candidate.string();
  }
  return "orch-sync";
}

absl::StatusOr<DaemonState> launchDaemon(const std::string& binary, const std::vector<std::string>& args,
                                         const std::string& state_dir, std::chrono::milliseconds timeout) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create state dir ", state_dir, ": ", ec.message()));
  const std::string log = state_dir + "/orch-sync.log";
  const std::streamoff offset = std::filesystem::exists(log) ? static_cast<std::streamoff>(std::filesystem::file_size(log)) : 0;
  std::vector<std::string> argv_s = {binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    setsid();
    const int devnull = open("/dev/null", O_RDONLY);
    const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (devnull >= 0) dup2(devnull, 0);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    execvp(binary.c_str(), argv.data());
    dprintf(2, "orch-sync: cannot execute %s\n", binary.c_str());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int wstatus = 0;
    if (waitpid(pid, &wstatus, WNOHANG) == pid) {
      const int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
      const std::string why = errorLines(log, offset);
      const std::string msg = absl::StrCat("orch-sync exited with code ", code, why.empty() ? "" : ":\n", why);
      if (code == 2) return absl::FailedPreconditionError(msg);
      return absl::InternalError(msg);
    }
    auto st = readDaemonState(state_dir);
    if (st.ok() && st->pid == pid) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGTERM);
  return absl::DeadlineExceededError(
      absl::StrCat("orch-sync did not start serving within ", timeout.count(), " ms (log: ", log, ")"));
}

}  // namespace orch::sync
