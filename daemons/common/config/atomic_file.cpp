#include "common/config/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace orch::config {
namespace {

absl::Status errnoStatus(int err, std::string_view what, const std::string& path) {
  std::string message = absl::StrCat(std::string(what), " '", path, "': ", std::strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

// Closes an fd on scope exit unless released.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

absl::Status writeAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoStatus(errno, "cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status writeFileAtomically(const std::string& path, std::string_view contents, mode_t mode) {
  if (path.empty()) return absl::InvalidArgumentError("writeFileAtomically: empty path");
  std::filesystem::path target(path);
  if (!target.has_filename()) {
    return absl::InvalidArgumentError(absl::StrCat("writeFileAtomically: '", path, "' names no file"));
  }
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";

  std::string tmpl = (dir / absl::StrCat(".", target.filename().string(), ".tmp.XXXXXX")).string();
  int raw_fd = ::mkstemp(tmpl.data());
  if (raw_fd < 0) return errnoStatus(errno, "cannot create temporary file for", path);
  FdGuard fd(raw_fd);
  const std::string tmp_path = tmpl;
  auto fail = [&](absl::Status st) {
    ::unlink(tmp_path.c_str());
    return st;
  };

  if (::fchmod(fd.get(), mode) != 0) return fail(errnoStatus(errno, "cannot chmod temporary file for", path));
  if (absl::Status st = writeAll(fd.get(), contents, tmp_path); !st.ok()) return fail(st);
  if (::fsync(fd.get()) != 0) return fail(errnoStatus(errno, "cannot fsync temporary file for", path));
  if (::close(fd.release()) != 0) return fail(errnoStatus(errno, "cannot close temporary file for", path));
  if (::rename(tmp_path.c_str(), path.c_str()) != 0) {
    return fail(errnoStatus(errno, "cannot rename temporary file over", path));
  }

  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return errnoStatus(errno, "cannot open directory to fsync", dir.string());
  FdGuard dir_guard(dir_fd);
  if (::fsync(dir_fd) != 0) return errnoStatus(errno, "cannot fsync directory", dir.string());
  return absl::OkStatus();
}

}  // namespace orch::config
