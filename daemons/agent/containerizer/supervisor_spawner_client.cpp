#include "agent/containerizer/supervisor_spawner_client.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/containerizer/detached_spawn.h"
#include "agent/containerizer/spawner_protocol.h"

namespace orch::agent {

absl::StatusOr<std::unique_ptr<SupervisorSpawnerClient>> SupervisorSpawnerClient::start(
    const std::string& supervisor_path, const std::string& work_dir, ExitCallback on_exit) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return absl::InternalError(absl::StrCat("socketpair: ", std::strerror(errno)));
  }
  absl::StatusOr<pid_t> pid = spawnDetached(supervisor_path, {"--spawner", "--control-fd", "3", "--work-dir", work_dir}, pair[1]);
  ::close(pair[1]);
  if (!pid.ok()) {
    ::close(pair[0]);
    return pid.status();
  }
  return std::unique_ptr<SupervisorSpawnerClient>(
      new SupervisorSpawnerClient(pair[0], *pid, std::move(on_exit)));
}

SupervisorSpawnerClient::SupervisorSpawnerClient(int socket, pid_t pid, ExitCallback on_exit)
    : socket_(socket), pid_(pid), on_exit_(std::move(on_exit)) {
  reader_ = std::thread([this] { readLoop(); });
}

SupervisorSpawnerClient::~SupervisorSpawnerClient() {
  ::shutdown(socket_, SHUT_RDWR);  // the spawner sees the end and exits; the reader wakes
  if (reader_.joinable()) reader_.join();
  ::close(socket_);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

bool SupervisorSpawnerClient::alive() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !dead_;
}

absl::StatusOr<SupervisorSpawnerClient::Pending> SupervisorSpawnerClient::request(
    const std::string& state_dir, int report_fd) {
  auto reply = std::make_shared<Reply>();
  {
    std::lock_guard<std::mutex> send_lock(send_mu_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (dead_) return absl::UnavailableError("the supervisor spawner has exited");
      waiting_.push_back(reply);
    }
    if (absl::Status st = sendSpawnerMessage(socket_, absl::StrCat("spawn ", state_dir), report_fd);
        !st.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      std::erase(waiting_, reply);
      return st;
    }
  }
  return reply;
}

absl::StatusOr<SupervisorSpawnerClient::Spawned> SupervisorSpawnerClient::await(const Pending& pending) {
  const std::shared_ptr<Reply>& reply = pending;
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return reply->done; });
  if (absl::StartsWith(reply->text, "spawned ")) {
    Spawned out;
    if (absl::SimpleAtoi(reply->text.substr(8), &out.pid) && out.pid > 0) {
      out.pidfd = reply->fd;
      return out;
    }
  }
  if (reply->fd >= 0) ::close(reply->fd);
  if (absl::StartsWith(reply->text, "error ")) {
    return absl::InternalError(absl::StrCat("supervisor spawner: ", reply->text.substr(6)));
  }
  return absl::UnavailableError(reply->text.empty() ? "the supervisor spawner has exited"
                                                    : absl::StrCat("supervisor spawner: unexpected reply '",
                                                                   reply->text, "'"));
}

void SupervisorSpawnerClient::readLoop() {
  while (true) {
    absl::StatusOr<SpawnerMessage> m = receiveSpawnerMessage(socket_);
    if (!m.ok()) break;
    if (absl::StartsWith(m->text, "exit ")) {
      if (m->fd >= 0) ::close(m->fd);
      std::vector<std::string> parts = absl::StrSplit(m->text, ' ');
      int pid = 0, status = 0;
      if (parts.size() == 3 && absl::SimpleAtoi(parts[1], &pid) && absl::SimpleAtoi(parts[2], &status) &&
          pid > 0) {
        on_exit_(pid, status);
      }
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (waiting_.empty()) {  // a reply nobody asked for: ignore it
      if (m->fd >= 0) ::close(m->fd);
      continue;
    }
    auto reply = waiting_.front();
    waiting_.pop_front();
    reply->text = std::move(m->text);
    reply->fd = m->fd;
    reply->done = true;
    cv_.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    dead_ = true;
    for (auto& reply : waiting_) reply->done = true;  // text stays empty: "has exited"
    waiting_.clear();
    cv_.notify_all();
  }
  on_exit_(0, 0);
}

}  // namespace orch::agent
