#include "agent/containerizer/file_io.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace orch::agent {
namespace {

absl::Status errnoError(absl::string_view what, const std::string& path, int err) {
  const std::string text = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(text);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(text);
    case EEXIST:
      return absl::AlreadyExistsError(text);
    default:
      return absl::InternalError(text);
  }
}

absl::Status writeAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

std::string parentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

absl::Status writeFileAtomic(const std::string& path, absl::string_view contents, bool durable) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errnoError("create", tmp, errno);
  absl::Status status = writeAll(fd, contents, tmp);
  if (status.ok() && durable && ::fsync(fd) != 0) status = errnoError("fsync", tmp, errno);
  if (::close(fd) != 0 && status.ok()) status = errnoError("close", tmp, errno);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    status = errnoError("rename to " + path + " from", tmp, errno);
  }
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  if (durable) {
    const std::string dir = parentDir(path);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> readWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errnoError("open", path, errno);
  std::string out;
  char buf[8192];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return errnoError("read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

absl::Status writeControlFile(const std::string& path, absl::string_view contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errnoError("open", path, errno);
  ssize_t n;
  do {
    n = ::write(fd, contents.data(), contents.size());
  } while (n < 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (n < 0) return errnoError(absl::StrCat("write '", contents, "' to"), path, err);
  return absl::OkStatus();
}

absl::Status makeDirs(const std::string& path, unsigned mode) {
  if (path.empty()) return absl::InvalidArgumentError("empty directory path");
  if (::mkdir(path.c_str(), mode) == 0) return absl::OkStatus();
  if (errno == EEXIST) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(path, " exists and is not a directory"));
  }
  if (errno != ENOENT) return errnoError("mkdir", path, errno);
  const std::string parent = parentDir(path);
  if (parent == path) return errnoError("mkdir", path, ENOENT);
  if (absl::Status st = makeDirs(parent, mode); !st.ok()) return st;
  if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return absl::OkStatus();
  return errnoError("mkdir", path, errno);
}

absl::Status removeTree(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return errnoError("stat", path, errno);
  }
  const int rc = ::nftw(
      path.c_str(),
      [](const char* p, const struct stat*, int, struct FTW*) -> int {
        return ::remove(p) == 0 || errno == ENOENT ? 0 : -1;
      },
      16, FTW_DEPTH | FTW_PHYS);
  if (rc != 0) return errnoError("remove", path, errno);
  return absl::OkStatus();
}

bool pathExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace orch::agent
