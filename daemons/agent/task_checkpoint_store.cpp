#include "agent/task_checkpoint_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log/logger.h"

namespace orch::agent {

namespace v1 = orchestrator::v1;

namespace {

absl::Status writeWhole(const std::string &path, const std::string &data) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      const int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return absl::InternalError(
          absl::StrCat("cannot write ", path, ": ", std::strerror(err)));
    }
    off += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return absl::InternalError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(err)));
  }
  return absl::OkStatus();
}

// "OTC1", the payload's length (4 bytes, little-endian), the TaskCheckpoint.
// 'O' can never start a protobuf message (it would be field 9 with the invalid
// wire type 7), so files written as bare protobuf (by earlier agents) are told
// apart.
constexpr char kMagic[4] = {'O', 'T', 'C', '1'};
constexpr size_t kHeaderBytes = 8;
// A rewrite in place is one pwrite() at offset 0 that stays within one page:
// the kernel copies it whole or not at all, even if the agent is killed
// meanwhile. Larger ones use <id>.pb.next.
constexpr size_t kInPlaceMaxBytes = 4096;

std::string framed(const std::string &payload) {
  std::string out(kMagic, sizeof kMagic);
  const uint32_t n = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out += payload;
  return out;
}

// The TaskCheckpoint bytes in a file's contents; false when the frame is cut
// short.
bool unframe(const std::string &contents, std::string &payload) {
  if (contents.size() < sizeof kMagic ||
      contents.compare(0, sizeof kMagic, kMagic, sizeof kMagic) != 0) {
    payload = contents; // bare protobuf
    return true;
  }
  if (contents.size() < kHeaderBytes)
    return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i)
    n |= static_cast<uint32_t>(static_cast<unsigned char>(contents[4 + i]))
         << (8 * i);
  if (contents.size() - kHeaderBytes < n)
    return false;
  payload = contents.substr(kHeaderBytes,
                            n); // later bytes: the tail of a longer old version
  return true;
}

absl::Status writeInPlace(const std::string &path, const std::string &data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  ssize_t n;
  do {
    n = ::pwrite(fd, data.data(), data.size(), 0);
  } while (n < 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(data.size())) {
    return absl::InternalError(
        absl::StrCat("cannot write ", path, ": ",
                     n < 0 ? std::strerror(err) : "short write"));
  }
  return absl::OkStatus();
}

bool readWhole(const std::string &path, std::string &out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  char buf[16384];
  out.clear();
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

} // namespace

absl::StatusOr<std::map<std::string, v1::TaskCheckpoint>>
TaskCheckpointStore::load() {
  std::map<std::string, v1::TaskCheckpoint> out;
  std::vector<std::string> names;
  if (DIR *dir = ::opendir(dir_.c_str())) {
    while (dirent *e = ::readdir(dir))
      names.emplace_back(e->d_name);
    ::closedir(dir);
  } else {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", dir_, ": ", std::strerror(errno)));
  }
  std::set<std::string> present(names.begin(), names.end());
  for (const std::string &name : names) {
    const std::string path = dir_ + "/" + name;
    if (absl::EndsWith(name, ".pb.new")) {
      ::unlink(path.c_str()); // a first write cut short: that task had no
                              // checkpoint yet
      continue;
    }
    if (absl::EndsWith(name, ".pb.next")) {
      const std::string final_name(absl::StripSuffix(name, ".next"));
      if (present.count(final_name)) {
        ::unlink(path.c_str()); // cut short before the old version was unlinked
        continue;
      }
      // Complete by construction: the old version was unlinked only after it
      // was written.
      if (::rename(path.c_str(), (dir_ + "/" + final_name).c_str()) != 0)
        continue;
    } else if (!absl::EndsWith(name, ".pb")) {
      continue;
    }
    const std::string final_path =
        absl::EndsWith(name, ".pb.next")
            ? std::string(absl::StripSuffix(path, ".next"))
            : path;
    std::string data, payload;
    v1::TaskCheckpoint task;
    if (!readWhole(final_path, data) || !unframe(data, payload) ||
        !task.ParseFromString(payload) || task.task().task_id().empty()) {
      orch::log::logWarn("skipping a corrupt task checkpoint",
                         {{"path", final_path}});
      ::rename(final_path.c_str(), (final_path + ".corrupt").c_str());
      continue;
    }
    on_disk_.insert(task.task().task_id());
    std::string id = task.task().task_id();
    out[id] = std::move(task);
  }
  return out;
}

absl::Status TaskCheckpointStore::write(const v1::TaskCheckpoint &task) {
  const std::string &id = task.task().task_id();
  const std::string path = pathOf(id);
  const std::string data = framed(task.SerializeAsString());
  if (on_disk_.count(id) && data.size() <= kInPlaceMaxBytes) {
    return writeInPlace(path, data);
  }
  if (!on_disk_.count(id)) {
    const std::string fresh = path + ".new";
    if (absl::Status st = writeWhole(fresh, data); !st.ok())
      return st;
    if (::rename(fresh.c_str(), path.c_str()) != 0) {
      return absl::InternalError(
          absl::StrCat("cannot rename ", fresh, ": ", std::strerror(errno)));
    }
    on_disk_.insert(id);
    return absl::OkStatus();
  }
  const std::string next = path + ".next";
  if (absl::Status st = writeWhole(next, data); !st.ok())
    return st;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return absl::InternalError(
        absl::StrCat("cannot replace ", path, ": ", std::strerror(errno)));
  }
  if (::rename(next.c_str(), path.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", next, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

void TaskCheckpointStore::remove(const std::string &task_id) {
  ::unlink(pathOf(task_id).c_str());
  on_disk_.erase(task_id);
}

} // namespace orch::agent
