#include "supervisor_spawner.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/containerizer/spawner_protocol.h"
#include "task_supervisor.h"

namespace orch::agent {
namespace {

// What the spawner ignores for itself; a supervisor puts them back (one call each, not one per
// signal number: this runs for every task).
constexpr int kSpawnerIgnoredSignals[] = {SIGPIPE, SIGINT, SIGHUP};

int pidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// In the forked child: drop what belongs to the spawner and become the task's supervisor.
[[noreturn]] void becomeSupervisor(int control, int signal_fd, const std::string& state_dir,
                                   int report_fd) {
  ::close(control);
  ::close(signal_fd);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // The spawner starts with every signal at its default (spawnDetached) and changes only these.
  for (int sig : kSpawnerIgnoredSignals) ::signal(sig, SIG_DFL);
  int rc;
  {
    TaskSupervisor supervisor(state_dir, report_fd);
    rc = supervisor.run();
  }
  ::_exit(rc);
}

void reap(int control) {
  while (true) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    // The agent may be gone: then nobody listens, and that is fine.
    (void)sendSpawnerMessage(control, absl::StrCat("exit ", pid, " ", status));
  }
}

void spawn(int control, int signal_fd, const SpawnerMessage& request) {
  const std::string state_dir = request.text.substr(6);
  if (request.fd < 0 || state_dir.empty() || state_dir.front() != '/') {
    if (request.fd >= 0) ::close(request.fd);
    (void)sendSpawnerMessage(control, "error a spawn request needs an absolute state dir and a report fd");
    return;
  }
  const pid_t pid = ::fork();
  if (pid == 0) becomeSupervisor(control, signal_fd, state_dir, request.fd);
  const int saved_errno = errno;
  ::close(request.fd);
  if (pid < 0) {
    (void)sendSpawnerMessage(control, absl::StrCat("error fork: ", std::strerror(saved_errno)));
    return;
  }
  // Opened before this process reaps anything, so the pidfd is certainly this child's.
  const int pidfd = pidfdOpen(pid);
  (void)sendSpawnerMessage(control, absl::StrCat("spawned ", pid), pidfd);
  if (pidfd >= 0) ::close(pidfd);
}

}  // namespace

int runSupervisorSpawner(int control) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) return 1;
  const int signal_fd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0) return 1;
  // SIGPIPE: a vanished agent is seen as a failed send. SIGINT, SIGHUP: the agent's terminal
  // signals are not ours; the agent ends us by closing the socket.
  for (int sig : kSpawnerIgnoredSignals) ::signal(sig, SIG_IGN);
  while (true) {
    pollfd fds[2] = {{control, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info{};
      while (::read(signal_fd, &info, sizeof info) == sizeof info) {
      }
      reap(control);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      absl::StatusOr<SpawnerMessage> request = receiveSpawnerMessage(control);
      if (!request.ok()) break;  // the agent is gone (or the socket broke): our job is done
      if (absl::StartsWith(request->text, "spawn ")) {
        spawn(control, signal_fd, *request);
      } else {
        if (request->fd >= 0) ::close(request->fd);
        (void)sendSpawnerMessage(control, absl::StrCat("error unknown request '",
                                                       request->text.substr(0, 40), "'"));
      }
    }
  }
  // Children keep running (re-parented); they need nothing from us.
  return 0;
}

}  // namespace orch::agent
