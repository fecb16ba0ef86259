#include "agent/containerizer/spawner_protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace orch::agent {
namespace {
constexpr size_t kMaxMessage = 8192;
}

absl::Status sendSpawnerMessage(int socket, const std::string& text, int fd) {
  if (text.size() > kMaxMessage) {
    return absl::InvalidArgumentError(
        absl::StrCat("spawner message of ", text.size(), " bytes exceeds ", kMaxMessage));
  }
  iovec iov{const_cast<char*>(text.data()), text.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  while (true) {
    if (::sendmsg(socket, &msg, MSG_NOSIGNAL) >= 0) return absl::OkStatus();
    if (errno == EINTR) continue;
    return absl::UnavailableError(absl::StrCat("spawner socket: send: ", std::strerror(errno)));
  }
}

absl::StatusOr<SpawnerMessage> receiveSpawnerMessage(int socket) {
  char buf[kMaxMessage];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n < 0) {
    return absl::UnavailableError(absl::StrCat("spawner socket: receive: ", std::strerror(errno)));
  }
  SpawnerMessage out;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      std::memcpy(&out.fd, CMSG_DATA(c), sizeof(int));
    }
  }
  if (n == 0 && out.fd < 0) return absl::NotFoundError("spawner socket: closed by the peer");
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
    if (out.fd >= 0) ::close(out.fd);
    return absl::DataLossError("spawner socket: truncated message");
  }
  out.text.assign(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace orch::agent
