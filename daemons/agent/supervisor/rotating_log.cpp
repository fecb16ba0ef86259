#include "rotating_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace orch::agent {

RotatingLog::RotatingLog(std::string path, uint64_t max_bytes, int keep)
    : path_(std::move(path)), max_bytes_(max_bytes), keep_(keep < 0 ? 0 : keep) {}

RotatingLog::~RotatingLog() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status RotatingLog::open() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  size_ = 0;
  if (fd_ < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", path_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status RotatingLog::rotate() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (keep_ > 0) {
    for (int i = keep_ - 1; i >= 1; --i) {
      const std::string from = absl::StrCat(path_, ".", i);
      const std::string to = absl::StrCat(path_, ".", i + 1);
      if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
        return absl::InternalError(
            absl::StrCat("cannot rename ", from, ": ", std::strerror(errno)));
      }
    }
    const std::string first = absl::StrCat(path_, ".1");
    if (::rename(path_.c_str(), first.c_str()) != 0 && errno != ENOENT) {
      return absl::InternalError(absl::StrCat("cannot rename ", path_, ": ", std::strerror(errno)));
    }
  }
  ++rotations_;
  return open();
}

absl::Status RotatingLog::writeRaw(absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("cannot write ", path_, ": ", std::strerror(errno)));
    }
    size_ += static_cast<uint64_t>(n);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status RotatingLog::write(absl::string_view data) {
  if (fd_ < 0) {
    if (absl::Status st = open(); !st.ok()) return st;
  }
  if (max_bytes_ == 0) return writeRaw(data);
  while (!data.empty()) {
    if (size_ >= max_bytes_) {
      if (absl::Status st = rotate(); !st.ok()) return st;
    }
    const uint64_t room = max_bytes_ - size_;
    size_t take = static_cast<size_t>(std::min<uint64_t>(room, data.size()));
    if (take < data.size() && size_ > 0) {
      // Prefer ending this file on a line boundary; a file that is still empty takes what fits.
      const size_t newline = data.substr(0, take).rfind('\n');
      if (newline != absl::string_view::npos) {
        take = newline + 1;
      } else {
        take = 0;
      }
    }
    if (take == 0) {
      if (absl::Status st = rotate(); !st.ok()) return st;
      continue;
    }
    if (absl::Status st = writeRaw(data.substr(0, take)); !st.ok()) return st;
    data.remove_prefix(take);
  }
  return absl::OkStatus();
}

}  // namespace orch::agent
