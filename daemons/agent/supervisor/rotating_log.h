// An append-only log file capped at max_bytes: when the next write would pass the cap the file is
// rotated (path -> path.1 -> path.2 ... -> path.<keep>, the oldest dropped) and a fresh path is
// started. Writes are split at the last newline that fits when there is one, so lines stay whole
// where they can.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace orch::agent {

class RotatingLog {
 public:
  // max_bytes 0 = no cap; keep 0 = truncate instead of keeping rotated files.
  RotatingLog(std::string path, uint64_t max_bytes, int keep);
  ~RotatingLog();
  RotatingLog(const RotatingLog&) = delete;
  RotatingLog& operator=(const RotatingLog&) = delete;

  // Creates (truncates) the file.
  absl::Status open();
  // Appends data, rotating as needed. Errors (e.g. disk full) are returned; data is dropped.
  absl::Status write(absl::string_view data);
  uint64_t rotations() const { return rotations_; }

 private:
  absl::Status rotate();
  absl::Status writeRaw(absl::string_view data);

  std::string path_;
  uint64_t max_bytes_;
  int keep_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t rotations_ = 0;
};

}  // namespace orch::agent
