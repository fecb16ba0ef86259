#include "master/state/file_state_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/config/atomic_file.h"
#include "orchestrator/v1/registry.pb.h"

namespace orch::master {

namespace {

constexpr uint32_t kMaxRecord = 16 << 20;

std::string errnoText(int err) { return std::strerror(err); }

void putU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t getU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint32_t crcOf(const std::string& payload) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())));
}

void appendRecord(std::string& out, const std::string& key, const std::optional<std::string>& value) {
  orchestrator::v1::StoreRecord record;
  record.set_key(key);
  if (value) {
    record.set_value(*value);
  } else {
    record.set_deleted(true);
  }
  const std::string payload = record.SerializeAsString();
  putU32(out, static_cast<uint32_t>(payload.size()));
  putU32(out, crcOf(payload));
  out += payload;
}

absl::Status writeAll(int fd, const std::string& data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("cannot write ", path, ": ", errnoText(errno)));
    }
    off += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> readAll(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::string();
    return absl::InternalError(absl::StrCat("cannot open ", path, ": ", errnoText(errno)));
  }
  std::string out;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return absl::InternalError(absl::StrCat("cannot read ", path, ": ", errnoText(err)));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// Applies the records of `data` to `entries`; returns the offset after the last good record
// and, when it stopped early, why.
size_t replay(const std::string& data, const std::string& path,
              std::map<std::string, std::string>& entries, std::vector<std::string>& problems) {
  size_t off = 0;
  while (off < data.size()) {
    if (data.size() - off < 8) {
      problems.push_back(absl::StrCat(path, " offset ", off, ": torn record header (",
                                      data.size() - off, " bytes); discarded"));
      return off;
    }
    const uint32_t len = getU32(data.data() + off);
    const uint32_t crc = getU32(data.data() + off + 4);
    if (len > kMaxRecord || data.size() - off - 8 < len) {
      problems.push_back(absl::StrCat(path, " offset ", off, ": record of ", len,
                                      " bytes runs past the end of the file (",
                                      data.size() - off - 8, " left); discarded from here"));
      return off;
    }
    const std::string payload = data.substr(off + 8, len);
    orchestrator::v1::StoreRecord record;
    if (crcOf(payload) != crc || !record.ParseFromString(payload)) {
      problems.push_back(absl::StrCat(path, " offset ", off,
                                      ": checksum mismatch (corrupt record); discarded from here"));
      return off;
    }
    if (record.deleted()) {
      entries.erase(record.key());
    } else {
      entries[record.key()] = record.value();
    }
    off += 8 + len;
  }
  return off;
}

absl::Status fsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot open ", dir, ": ", errnoText(errno)));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return absl::InternalError(absl::StrCat("cannot fsync ", dir, ": ", errnoText(err)));
  return absl::OkStatus();
}

}  // namespace

FileStateStore::FileStateStore(Options options) : options_(std::move(options)) {}

FileStateStore::~FileStateStore() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (log_fd_ >= 0) ::close(log_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string FileStateStore::describe() const { return absl::StrCat("file store ", options_.dir); }
std::string FileStateStore::locate(const std::string& key) const {
  return absl::StrCat(options_.dir, " entry ", key);
}
std::string FileStateStore::logPath() const { return options_.dir + "/registry.log"; }
std::string FileStateStore::snapshotPath() const { return options_.dir + "/registry.snapshot"; }
uint64_t FileStateStore::compactions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return compactions_;
}

absl::StatusOr<LoadedRegistry> FileStateStore::load() {
  if (thread_.joinable()) return absl::FailedPreconditionError("the file store is already loaded");
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot create data dir ", options_.dir, ": ", ec.message()));
  }
  const std::string lock_path = options_.dir + "/LOCK";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", lock_path, ": ", errnoText(errno)));
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data dir ", options_.dir, " is in use by another master (", lock_path, " is locked)"));
  }
  LoadedRegistry out;
  auto snapshot = readAll(snapshotPath());
  if (!snapshot.ok()) return snapshot.status();
  replay(*snapshot, snapshotPath(), out.entries, out.problems);
  auto log = readAll(logPath());
  if (!log.ok()) return log.status();
  const size_t good = replay(*log, logPath(), out.entries, out.problems);

  log_fd_ = ::open(logPath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd_ < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", logPath(), ": ", errnoText(errno)));
  }
  if (good < log->size()) {
    // Repair: cut the torn tail so new records follow the last good one.
    if (::ftruncate(log_fd_, static_cast<off_t>(good)) != 0 || ::fsync(log_fd_) != 0) {
      return absl::InternalError(absl::StrCat("cannot truncate ", logPath(), ": ", errnoText(errno)));
    }
  }
  log_bytes_ = good;
  entries_ = out.entries;
  thread_ = std::thread([this] { run(); });
  return out;
}

void FileStateStore::write(std::vector<StoreWrite> writes, std::function<void(absl::Status)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable() || stopping_) {
      if (done) done(absl::FailedPreconditionError("the file store is not open"));
      return;
    }
    queue_.push_back({std::move(writes), std::move(done)});
  }
  cv_.notify_one();
}

void FileStateStore::run() {
  while (true) {
    std::vector<Pending> group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty()) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    absl::Status s = failed_.ok() ? append(group) : failed_;
    if (!s.ok()) failed_ = s;
    for (Pending& p : group) {
      if (p.done) p.done(s);
    }
  }
}

absl::Status FileStateStore::append(const std::vector<Pending>& group) {
  std::string data;
  for (const Pending& p : group) {
    for (const StoreWrite& w : p.writes) appendRecord(data, w.key, w.value);
  }
  if (data.empty()) return absl::OkStatus();
  if (auto s = writeAll(log_fd_, data, logPath()); !s.ok()) return s;
  if (::fdatasync(log_fd_) != 0) {
    return absl::InternalError(absl::StrCat("cannot sync ", logPath(), ": ", errnoText(errno)));
  }
  log_bytes_ += data.size();
  for (const Pending& p : group) {
    for (const StoreWrite& w : p.writes) {
      if (w.value) {
        entries_[w.key] = *w.value;
      } else {
        entries_.erase(w.key);
      }
    }
  }
  if (log_bytes_ > options_.compact_after_bytes) return compact();
  return absl::OkStatus();
}

absl::Status FileStateStore::compact() {
  std::string data;
  for (const auto& [key, value] : entries_) appendRecord(data, key, value);
  if (auto s = config::writeFileAtomically(snapshotPath(), data); !s.ok()) return s;
  // The snapshot now holds everything the log did: start the log afresh.
  if (::ftruncate(log_fd_, 0) != 0 || ::fsync(log_fd_) != 0) {
    return absl::InternalError(absl::StrCat("cannot truncate ", logPath(), ": ", errnoText(errno)));
  }
  if (auto s = fsyncDir(options_.dir); !s.ok()) return s;
  log_bytes_ = 0;
  std::lock_guard<std::mutex> lock(mu_);
  compactions_++;
  return absl::OkStatus();
}

}  // namespace orch::master
