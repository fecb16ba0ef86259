// Splits the Docker Engine's multiplexed stdout/stderr stream (the body of
// /containers/{id}/logs and /attach for a container without a TTY) into its two
// streams. Each frame is an 8-byte header [stream, 0, 0, 0, size as 4
// big-endian bytes] followed by `size` bytes of payload; stream 0 is stdin, 1
// stdout, 2 stderr. Frames may arrive split across reads at any byte.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace orch::agent {

class DockerStreamDemuxer {
public:
  enum class Stream { kStdin = 0, kStdout = 1, kStderr = 2 };
  using Sink = std::function<void(Stream, absl::string_view)>;

  explicit DockerStreamDemuxer(Sink sink) : sink_(std::move(sink)) {}

  // Feeds the next bytes of the stream; payload is handed to the sink as it
  // arrives (a frame's payload may come in several pieces). An error (an
  // unknown stream byte or non-zero padding, i.e. not a multiplexed stream) is
  // sticky: later input is ignored.
  absl::Status feed(absl::string_view data);
  // True between frames: no partial header or payload is pending.
  bool atFrameBoundary() const { return header_len_ == 0 && remaining_ == 0; }

private:
  Sink sink_;
  unsigned char header_[8] = {};
  size_t header_len_ = 0;
  uint32_t remaining_ = 0;
  Stream current_ = Stream::kStdout;
  absl::Status error_;
};

} // namespace orch::agent
