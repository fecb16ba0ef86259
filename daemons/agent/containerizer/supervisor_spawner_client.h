// The process containerizer's side of orch-task-supervisor --spawner (see
// daemons/agent/supervisor/supervisor_spawner.h): starts the spawner, asks it for supervisors,
// and hears from a reader thread when they end.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace orch::agent {

class SupervisorSpawnerClient {
 public:
  struct Spawned {
    pid_t pid = 0;
    int pidfd = -1;  // owned by the caller
  };
  // Called on the reader thread for each supervisor that ended (waitpid status), and with
  // pid 0 when the spawner itself is gone (ends are no longer announced).
  using ExitCallback = std::function<void(pid_t pid, int wait_status)>;

  // Starts `supervisor_path --spawner --work-dir <work_dir>` in its own session (the work dir
  // is in its command line, and so in every supervisor's it forks, for ps and for cleanup
  // scripts). The callback must not call back into this object.
  static absl::StatusOr<std::unique_ptr<SupervisorSpawnerClient>> start(
      const std::string& supervisor_path, const std::string& work_dir, ExitCallback on_exit);
  ~SupervisorSpawnerClient();  // closes the socket: the spawner exits, supervisors keep running
  SupervisorSpawnerClient(const SupervisorSpawnerClient&) = delete;
  SupervisorSpawnerClient& operator=(const SupervisorSpawnerClient&) = delete;

  struct Reply {
    bool done = false;
    std::string text;
    int fd = -1;
  };
  using Pending = std::shared_ptr<Reply>;

  // Asks for a supervisor for `state_dir` whose start-up report goes to `report_fd` (sent to
  // the spawner, which holds its own copy once this returns: the caller may close its copy at
  // once). The reply is taken with await(); meanwhile the caller can wait for the report, by
  // which time the reply (sent right after the fork) is normally there: no second wake-up.
  // Thread-safe.
  absl::StatusOr<Pending> request(const std::string& state_dir, int report_fd);
  absl::StatusOr<Spawned> await(const Pending& pending);
  bool alive() const;

 private:
  SupervisorSpawnerClient(int socket, pid_t pid, ExitCallback on_exit);
  void readLoop();

  const int socket_;
  const pid_t pid_;
  ExitCallback on_exit_;
  std::mutex send_mu_;  // one request at a time on the wire, replies matched in order
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Reply>> waiting_;  // guarded by mu_
  bool dead_ = false;                            // guarded by mu_
  std::thread reader_;
};

}  // namespace orch::agent
