// The wire between the process containerizer and orch-task-supervisor's spawner mode: datagrams
// on a SOCK_SEQPACKET socket pair, each a line of text that may carry one file descriptor
// (SCM_RIGHTS).
//
//   agent   -> spawner  "spawn <state_dir>"        + the write end of the start-up report pipe
//   spawner -> agent    "spawned <pid>"            + a pidfd of the new supervisor
//                       "error <message>"            the supervisor could not be forked
//                       "exit <pid> <wait status>"   a supervisor it forked has ended
//
// Replies to "spawn" come in request order; "exit" notices may come in between.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace orch::agent {

struct SpawnerMessage {
  std::string text;
  int fd = -1;  // received descriptor (owned by the receiver), or -1
};

// Sends one datagram; fd < 0 sends none. Never raises SIGPIPE.
absl::Status sendSpawnerMessage(int socket, const std::string& text, int fd = -1);
// Blocks for one datagram. NotFound at end of stream (the peer closed its end).
absl::StatusOr<SpawnerMessage> receiveSpawnerMessage(int socket);

}  // namespace orch::agent
