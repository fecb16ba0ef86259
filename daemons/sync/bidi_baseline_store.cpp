#include "sync/bidi_baseline_store.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log/logger.h"
#include "core/sync/path_filter.h"

namespace orch::sync {
namespace {

constexpr char kMagic[] = "ORCHBSL1";
constexpr std::size_t kMagicLen = 8;
constexpr std::size_t kFrameHeader = 8;
constexpr std::uint32_t kMaxFrame = 16u << 20;  // far above any path (ZooKeeper caps them at 1 MiB)
constexpr char kPut = 'P';
constexpr char kErase = 'E';
constexpr char kDrop = 'D';
constexpr char kEnd = 'Z';

void putU32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void putU64(std::string& s, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t getLE(const char* p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::uint32_t crcOf(std::string_view payload) {
  return static_cast<std::uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())));
}

std::string frame(std::string_view payload) {
  std::string f;
  f.reserve(kFrameHeader + payload.size());
  putU32(f, static_cast<std::uint32_t>(payload.size()));
  putU32(f, crcOf(payload));
  f.append(payload);
  return f;
}

std::string putFrame(const std::string& path, const BidiBaselineStore::Entry& e) {
  std::string p;
  p.reserve(2 + e.content.size() + path.size());
  p.push_back(kPut);
  p.push_back(e.existed ? 1 : 0);
  p.append(reinterpret_cast<const char*>(e.content.data()), e.content.size());
  p.append(path);
  return frame(p);
}

std::string pathFrame(char type, const std::string& path) { return frame(std::string(1, type) + path); }

std::vector<std::string> sortedPaths(const BidiBaselineStore::Identity& id) {
  std::vector<std::string> p = id.paths;
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
  return p;
}

std::string headerFrame(const char* kind, const BidiBaselineStore::Identity& id) {
  nlohmann::json h = {{"format", 1},
                      {"kind", kind},
                      {"source_zk", id.source_zk},
                      {"target_zk", id.target_zk},
                      {"paths", sortedPaths(id)}};
  return std::string(kMagic, kMagicLen) + frame(h.dump());
}

std::string describe(const std::string& source, const std::string& target, const std::vector<std::string>& paths) {
  return absl::StrCat("source '", source, "', target '", target, "', paths [", absl::StrJoin(paths, ", "), "]");
}

// Walks frames from `off`; stops at the first torn or corrupt one (reason + offset reported).
struct FrameScan {
  std::size_t good_end = 0;
  bool clean = true;
  std::size_t bad_offset = 0;
  std::string reason;
};

template <typename F>
FrameScan scanFrames(const std::string& bytes, std::size_t off, F&& each) {
  FrameScan s;
  s.good_end = off;
  while (off < bytes.size()) {
    auto bad = [&](std::string why) {
      s.clean = false;
      s.bad_offset = off;
      s.reason = std::move(why);
    };
    if (bytes.size() - off < kFrameHeader) {
      bad(absl::StrCat("truncated frame header (", bytes.size() - off, " of 8 bytes)"));
      break;
    }
    const std::uint64_t len = getLE(bytes.data() + off, 4);
    const auto crc = static_cast<std::uint32_t>(getLE(bytes.data() + off + 4, 4));
    if (len > kMaxFrame) {
      bad(absl::StrCat("implausible frame length ", len));
      break;
    }
    if (bytes.size() - off - kFrameHeader < len) {
      bad(absl::StrCat("frame of ", len, " bytes runs past the end of the file"));
      break;
    }
    const std::string_view payload(bytes.data() + off + kFrameHeader, len);
    if (crcOf(payload) != crc) {
      bad("CRC mismatch");
      break;
    }
    std::string why;
    if (!each(payload, off, &why)) {
      bad(why);
      break;
    }
    off += kFrameHeader + len;
    s.good_end = off;
  }
  return s;
}

absl::StatusOr<std::string> readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InternalError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses the header frame at offset kMagicLen. Returns where the records start, or an error:
// FailedPrecondition for another pair, DataLoss (with `why`) for a damaged header.
absl::StatusOr<std::size_t> checkHeader(const std::string& file, const std::string& bytes, const char* kind,
                                        const BidiBaselineStore::Identity& id) {
  if (bytes.size() < kMagicLen || bytes.compare(0, kMagicLen, kMagic, kMagicLen) != 0) {
    return absl::DataLossError(absl::StrCat(file, ": not a baseline file (bad magic at offset 0)"));
  }
  nlohmann::json h;
  bool got = false;
  std::size_t end = kMagicLen;
  FrameScan s = scanFrames(bytes, kMagicLen, [&](std::string_view payload, std::size_t off, std::string* why) {
    if (got) return false;  // stop after the header (the records are read by the caller)
    h = nlohmann::json::parse(payload, nullptr, false);
    if (h.is_discarded() || !h.is_object()) {
      *why = "header is not JSON";
      return false;
    }
    got = true;
    end = off + kFrameHeader + payload.size();
    return true;
  });
  if (!got) {
    return absl::DataLossError(absl::StrCat(file, ": damaged header at offset ", s.bad_offset, " (", s.reason, ")"));
  }
  if (h.value("kind", "") != kind || h.value("format", 0) != 1) {
    return absl::DataLossError(absl::StrCat(file, ": header says kind '", h.value("kind", "?"), "' format ",
                                            h.value("format", 0), ", want '", kind, "' format 1"));
  }
  std::vector<std::string> paths;
  if (h.contains("paths") && h["paths"].is_array()) {
    for (const auto& p : h["paths"]) {
      if (p.is_string()) paths.push_back(p.get<std::string>());
    }
  }
  const std::string src = h.value("source_zk", "");
  const std::string dst = h.value("target_zk", "");
  const std::vector<std::string> want = sortedPaths(id);
  if (src != id.source_zk || dst != id.target_zk || paths != want) {
    return absl::FailedPreconditionError(
        absl::StrCat("baseline state ", file, " was written for ", describe(src, dst, paths), ", not for ",
                     describe(id.source_zk, id.target_zk, want),
                     "; point migration.sync.baseline_dir elsewhere or remove the file"));
  }
  return end;
}

// Decodes a 'P' or 'E' payload and applies it to m. False (with why) for anything else.
bool applyRecord(std::string_view payload, BidiBaselineStore::Map& m, std::string* why) {
  if (payload.empty()) {
    *why = "empty record";
    return false;
  }
  if (payload[0] == kPut) {
    BidiBaselineStore::Entry e;
    if (payload.size() < 2 + e.content.size() + 1 || static_cast<unsigned char>(payload[1]) > 1) {
      *why = "malformed baseline record";
      return false;
    }
    e.existed = payload[1] == 1;
    std::memcpy(e.content.data(), payload.data() + 2, e.content.size());
    const std::string path(payload.substr(2 + e.content.size()));
    if (!core::sync::isValidPath(path)) {
      *why = "record names an invalid path";
      return false;
    }
    m[path] = e;
    return true;
  }
  if (payload[0] == kErase || payload[0] == kDrop) {
    const std::string path(payload.substr(1));
    if (!core::sync::isValidPath(path)) {
      *why = "record names an invalid path";
      return false;
    }
    if (payload[0] == kDrop) {
      m.erase(path);
      return true;
    }
    core::sync::eraseAtOrBelow(m, path);
    return true;
  }
  *why = absl::StrCat("unknown record type 0x", absl::Hex(static_cast<unsigned char>(payload[0])));
  return false;
}

absl::Status errnoStatus(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat("baseline state ", path, ": ", what, ": ", std::strerror(errno)));
}

absl::Status writeAllFd(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoStatus("write", path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status fsyncDir(const std::string& file) {
  std::string dir = std::filesystem::path(file).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errnoStatus("open directory", dir);
  const int r = ::fsync(fd);
  ::close(fd);
  if (r != 0) return errnoStatus("fsync directory", dir);
  return absl::OkStatus();
}

// Writes a temp file, fsyncs it and renames it over path (then fsyncs the directory).
absl::Status replaceFileDurably(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errnoStatus("create", tmp);
  absl::Status s = writeAllFd(fd, data, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = errnoStatus("fsync", tmp);
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = errnoStatus("rename", tmp);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return fsyncDir(path);
}

std::int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string BidiBaselineStore::snapshotPath(const std::string& dir, const Identity& id) {
  core::sync::Sha256 h;
  h.updateField(id.source_zk);
  h.updateField(id.target_zk);
  for (const auto& p : sortedPaths(id)) h.updateField(p);
  const std::string hex = core::sync::toHex(h.finish()).substr(0, 16);
  return (std::filesystem::path(dir) / absl::StrCat("bidi-baselines-", hex, ".snap")).string();
}

std::string BidiBaselineStore::logPath(const std::string& dir, const Identity& id) {
  std::string s = snapshotPath(dir, id);
  return s.substr(0, s.size() - 5) + ".log";
}

absl::StatusOr<BidiBaselineStore::Loaded> BidiBaselineStore::load(const std::string& dir, const Identity& id) {
  Loaded out;
  const std::string snap = snapshotPath(dir, id);
  const std::string log = logPath(dir, id);
  std::error_code ec;
  if (std::filesystem::exists(snap, ec)) {
    out.snapshot_found = true;
    auto bytes = readAll(snap);
    if (!bytes.ok()) return bytes.status();
    out.snapshot_bytes = bytes->size();
    auto start = checkHeader(snap, *bytes, "snapshot", id);
    if (!start.ok()) return start.status();
    bool ended = false;
    std::uint64_t count = 0;
    std::string late;
    FrameScan s = scanFrames(*bytes, *start, [&](std::string_view payload, std::size_t, std::string* why) {
      if (ended) {
        *why = "data after the end record";
        return false;
      }
      if (!payload.empty() && payload[0] == kEnd) {
        if (payload.size() != 9 || getLE(payload.data() + 1, 8) != count) {
          *why = absl::StrCat("end record does not match the ", count, " records read");
          return false;
        }
        ended = true;
        return true;
      }
      if (payload.empty() || payload[0] != kPut) {
        *why = "unexpected record type in a snapshot";
        return false;
      }
      ++count;
      return applyRecord(payload, out.baselines, why);
    });
    if (!s.clean) {
      return absl::DataLossError(
          absl::StrCat("baseline snapshot ", snap, " is corrupt at offset ", s.bad_offset, " (", s.reason, ")"));
    }
    if (!ended) {
      return absl::DataLossError(
          absl::StrCat("baseline snapshot ", snap, " is truncated at offset ", s.good_end, " (no end record)"));
    }
  }
  if (std::filesystem::exists(log, ec)) {
    out.log_found = true;
    auto bytes = readAll(log);
    if (!bytes.ok()) return bytes.status();
    if (bytes->empty()) {
      out.warnings.push_back(absl::StrCat(log, ": empty file (no header), starting a new log"));
      out.log_clean = false;
      return out;
    }
    auto start = checkHeader(log, *bytes, "log", id);
    if (!start.ok()) {
      if (absl::IsFailedPrecondition(start.status())) return start.status();
      out.warnings.push_back(absl::StrCat(start.status().message(), "; ignoring the whole log (", bytes->size(), " bytes)"));
      out.log_clean = false;
      return out;
    }
    Map m = out.baselines;
    FrameScan s = scanFrames(*bytes, *start, [&](std::string_view payload, std::size_t, std::string* why) {
      if (!applyRecord(payload, m, why)) return false;
      ++out.log_records;
      return true;
    });
    out.baselines = std::move(m);
    out.log_good_bytes = s.good_end;
    if (!s.clean) {
      out.log_clean = false;
      out.warnings.push_back(absl::StrCat(log, ": torn or corrupt record at offset ", s.bad_offset, " (", s.reason,
                                          "); ignoring the last ", bytes->size() - s.bad_offset, " bytes, keeping ",
                                          out.log_records, " records before it"));
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<BidiBaselineStore>> BidiBaselineStore::open(Options options) {
  if (options.dir.empty()) return absl::InvalidArgumentError("baseline state: no directory given");
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("baseline state ", options.dir, ": cannot create directory: ", ec.message()));
  auto loaded = load(options.dir, options.identity);
  if (!loaded.ok()) return loaded.status();
  auto st = std::unique_ptr<BidiBaselineStore>(new BidiBaselineStore);
  st->opts_ = std::move(options);
  st->snap_path_ = snapshotPath(st->opts_.dir, st->opts_.identity);
  st->log_path_ = logPath(st->opts_.dir, st->opts_.identity);
  st->live_ = std::move(loaded->baselines);
  st->load_warnings_ = std::move(loaded->warnings);
  st->snap_bytes_ = loaded->snapshot_bytes;
  const bool header_only_log = loaded->log_found && loaded->log_clean && loaded->log_records == 0 &&
                               loaded->log_good_bytes > 0 && loaded->snapshot_found;
  if (header_only_log) {
    st->fd_ = ::open(st->log_path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (st->fd_ < 0) return errnoStatus("open for appending", st->log_path_);
    st->log_bytes_ = loaded->log_good_bytes;
  } else if (auto s = st->compact(st->live_); !s.ok()) {  // also repairs a torn log
    return s;
  }
  st->persistent_ = true;
  st->flusher_ = std::thread([p = st.get()] { p->flusherLoop(); });
  return st;
}

std::unique_ptr<BidiBaselineStore> BidiBaselineStore::inMemory() {
  return std::unique_ptr<BidiBaselineStore>(new BidiBaselineStore);
}

absl::StatusOr<std::vector<std::string>> BidiBaselineStore::discardFiles(const std::string& dir, const Identity& id) {
  std::vector<std::string> moved;
  const std::string suffix = absl::StrCat(".corrupt-", wallMs());
  for (const std::string& f : {snapshotPath(dir, id), logPath(dir, id)}) {
    std::error_code ec;
    if (!std::filesystem::exists(f, ec)) continue;
    std::filesystem::rename(f, f + suffix, ec);
    if (ec) return absl::InternalError(absl::StrCat("baseline state ", f, ": cannot move aside: ", ec.message()));
    moved.push_back(f + suffix);
  }
  return moved;
}

BidiBaselineStore::~BidiBaselineStore() { (void)close(); }

std::optional<BidiBaselineStore::Entry> BidiBaselineStore::find(const std::string& path) const {
  auto it = live_.find(path);
  if (it == live_.end()) return std::nullopt;
  return it->second;
}

void BidiBaselineStore::put(const std::string& path, const Entry& e) {
  auto it = live_.find(path);
  if (it != live_.end() && it->second == e) return;
  std::lock_guard lk(mu_);
  live_[path] = e;
  if (persistent_) append(putFrame(path, e));
}

void BidiBaselineStore::eraseSubtree(const std::string& path) {
  std::lock_guard lk(mu_);
  // Logged only when something was there: replaying the log gives the same map either way.
  if (core::sync::eraseAtOrBelow(live_, path) > 0 && persistent_) append(pathFrame(kErase, path));
}

void BidiBaselineStore::erase(const std::string& path) {
  auto it = live_.find(path);
  if (it == live_.end()) return;
  std::lock_guard lk(mu_);
  live_.erase(it);
  if (persistent_) append(pathFrame(kDrop, path));
}

void BidiBaselineStore::append(const std::string& f) {
  const bool wake = pending_.empty();
  pending_ += f;
  ++appended_seq_;
  if (wake) cv_.notify_one();
}

void BidiBaselineStore::flusherLoop() {
  std::unique_lock lk(mu_);
  auto last_sync = std::chrono::steady_clock::now() - opts_.sync_interval;
  bool flush_now = false;
  while (true) {
    cv_.wait(lk, [&] { return stop_ || !pending_.empty(); });
    if (pending_.empty() && stop_) break;
    // Batch: at most one fdatasync per interval unless flush() or close() asks.
    cv_.wait_until(lk, last_sync + opts_.sync_interval, [&] {
      flush_now = flush_now || flushed_waiters_ > 0;
      return stop_ || flush_now;
    });
    flush_now = false;
    if (auto s = writePendingLocked(lk); !s.ok()) {
      last_error_ = s;
      log::logWarn("baseline state write failed", {{"file", log_path_}, {"error", s.ToString()}});
    }
    last_sync = std::chrono::steady_clock::now();
  }
}

// Called with lk held; releases it around the I/O.
absl::Status BidiBaselineStore::writePendingLocked(std::unique_lock<std::mutex>& lk) {
  std::string take;
  take.swap(pending_);
  const std::uint64_t seq = appended_seq_;
  const std::uint64_t threshold =
      std::max<std::uint64_t>(opts_.compact_min_bytes, static_cast<std::uint64_t>(opts_.compact_factor) * snap_bytes_);
  const bool compact_now = force_compact_ || log_bytes_ + take.size() > threshold;
  Map copy;
  if (compact_now) copy = live_;  // the state after every frame in `take`
  lk.unlock();
  absl::Status s;
  std::uint64_t wrote = 0;
  if (compact_now) {
    s = compact(copy);
  } else {
    s = writeAllFd(fd_, take, log_path_);
    if (s.ok() && ::fdatasync(fd_) != 0) s = errnoStatus("fdatasync", log_path_);
    wrote = take.size();
  }
  lk.lock();
  if (!compact_now) log_bytes_ += wrote;
  // A failed append may leave a partial frame: the next write starts over with a compaction.
  force_compact_ = !s.ok();
  failing_ = !s.ok();
  if (s.ok()) {
    ++syncs_;
  } else {
    ++write_failures_;
  }
  durable_seq_ = seq;
  flushed_cv_.notify_all();
  return s;
}

// Writes live as the new snapshot and restarts the log (flusher thread, or open() before it).
absl::Status BidiBaselineStore::compact(const Map& live) {
  std::string snap = headerFrame("snapshot", opts_.identity);
  for (const auto& [path, e] : live) snap += putFrame(path, e);
  std::string end(1, kEnd);
  putU64(end, live.size());
  snap += frame(end);
  if (auto s = replaceFileDurably(snap_path_, snap); !s.ok()) return s;
  const std::string log = headerFrame("log", opts_.identity);
  if (auto s = replaceFileDurably(log_path_, log); !s.ok()) return s;
  const int fd = ::open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return errnoStatus("open for appending", log_path_);
  if (fd_ >= 0) ::close(fd_);  // fd_ belongs to the flusher thread (or to open() before it runs)
  fd_ = fd;
  std::lock_guard lk(mu_);
  log_bytes_ = log.size();
  snap_bytes_ = snap.size();
  ++compactions_;
  return absl::OkStatus();
}

// The outcome of the latest write: a failure that a later write overcame is history (lastError()).
absl::Status BidiBaselineStore::latestStatusLocked() const { return failing_ ? last_error_ : absl::OkStatus(); }

absl::Status BidiBaselineStore::flush() {
  std::unique_lock lk(mu_);
  if (!persistent_) return latestStatusLocked();
  const std::uint64_t target = appended_seq_;
  if (durable_seq_ >= target) return latestStatusLocked();
  ++flushed_waiters_;
  cv_.notify_all();
  flushed_cv_.wait(lk, [&] { return durable_seq_ >= target; });
  --flushed_waiters_;
  return latestStatusLocked();
}

absl::Status BidiBaselineStore::close() {
  {
    std::lock_guard lk(mu_);
    if (stop_) return latestStatusLocked();
    stop_ = true;
  }
  cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();  // writes what is pending first
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  std::lock_guard lk(mu_);
  persistent_ = false;
  return latestStatusLocked();
}

std::uint64_t BidiBaselineStore::syncs() const {
  std::lock_guard lk(mu_);
  return syncs_;
}

std::uint64_t BidiBaselineStore::compactions() const {
  std::lock_guard lk(mu_);
  return compactions_;
}

BidiBaselineStore::Health BidiBaselineStore::health() const {
  std::lock_guard lk(mu_);
  Health h;
  h.persistent = persistent_;
  h.file = log_path_;
  h.syncs = syncs_;
  h.write_failures = write_failures_;
  h.failing = failing_;
  if (!last_error_.ok()) h.last_error = std::string(last_error_.message());
  return h;
}

absl::Status BidiBaselineStore::lastError() const {
  std::lock_guard lk(mu_);
  return last_error_;
}

}  // namespace orch::sync
