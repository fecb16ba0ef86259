// The acknowledged baselines of bidirectional sync, optionally persisted so a restarted engine
// still knows, per path, what both ensembles held when the path was last in sync.
//
// A baseline is recorded here only once it is the in-sync state: both sides were read equal, or
// the write that made them equal was acknowledged by ZooKeeper. The engine keeps its own
// optimistic copy for loop prevention and falls back to this one when a write fails.
//
// Files (in the baseline directory, named after a hash of the ensemble pair, so several pairs
// can share a directory):
//   bidi-baselines-<hash>.snap  snapshot: the live set as of the last compaction
//   bidi-baselines-<hash>.log   append-only log of changes since that snapshot
// Both start with the 8-byte magic "ORCHBSL1" and a header frame naming the pair (source and
// target connect strings, synced paths); a file written for another pair is refused. Every frame
// is [u32 length][u32 CRC-32 of payload][payload], little-endian. Payloads: 'P' existed(u8)
// digest(32) path — set a path's baseline; 'D' path — forget that path's baseline; 'E' path —
// forget the baselines at or below path; 'Z' count(u64) — a snapshot's last frame.
//
// Durability: changes are buffered and a background thread appends them with one fdatasync at
// most every sync_interval (never per change on the caller's thread); close() writes the rest.
// When the log grows past compact_factor × the snapshot's size (and compact_min_bytes), the live
// set is written to a new snapshot (temp file, fsync, rename, fsync of the directory) and the
// log restarts empty. A crash loses at most the last interval's changes: a baseline that is
// older than the truth only turns a copy into a conflict, never a conflict into a silent copy.
//
// Loading: a torn or corrupt log frame ends the log there (reported with file and offset; the
// frames before it are kept and the file is repaired by a compaction). A corrupt snapshot is a
// DataLoss error: the caller falls back to no baselines (discardFiles() moves the files aside).
//
// Threading: put()/eraseSubtree()/acknowledged() on one thread (the engine's loop); the flusher
// thread only reads the live set under the lock while compacting.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/sync/sha256.h"

namespace orch::sync {

class BidiBaselineStore {
 public:
  struct Entry {
    bool existed = false;
    core::sync::Digest content{};
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  using Map = std::map<std::string, Entry>;

  // The ensemble pair the state belongs to.
  struct Identity {
    std::string source_zk;
    std::string target_zk;
    std::vector<std::string> paths;  // synced roots (order does not matter)
  };

  struct Options {
    std::string dir;                   // created if missing
    Identity identity;
    std::chrono::milliseconds sync_interval{100};
    std::uint64_t compact_min_bytes = 1 << 20;
    int compact_factor = 4;
  };

  // What a load found. warnings: torn/corrupt log tails, each naming the file and offset.
  struct Loaded {
    Map baselines;
    std::vector<std::string> warnings;
    bool snapshot_found = false;
    bool log_found = false;
    std::uint64_t log_records = 0;
    std::uint64_t log_good_bytes = 0;  // where the last good log frame ends
    bool log_clean = true;             // false: a torn/corrupt tail (or header) was ignored
    std::uint64_t snapshot_bytes = 0;
  };

  static std::string snapshotPath(const std::string& dir, const Identity& id);
  static std::string logPath(const std::string& dir, const Identity& id);

  // Reads the snapshot and the log of `id` in dir without changing anything. Missing files are
  // an empty state. FailedPrecondition: a file belongs to another pair. DataLoss: the snapshot
  // is corrupt (message names the file and offset).
  static absl::StatusOr<Loaded> load(const std::string& dir, const Identity& id);

  // Loads, repairs the log if needed and starts the flusher. Errors as load(), plus Internal
  // naming the path when the directory or files cannot be written.
  static absl::StatusOr<std::unique_ptr<BidiBaselineStore>> open(Options options);
  // A store that keeps the acknowledged set in memory only (no baseline directory).
  static std::unique_ptr<BidiBaselineStore> inMemory();

  // Renames the pair's files to *.corrupt-<unix ms> so a fresh state can start; returns the
  // new names.
  static absl::StatusOr<std::vector<std::string>> discardFiles(const std::string& dir, const Identity& id);

  ~BidiBaselineStore();
  BidiBaselineStore(const BidiBaselineStore&) = delete;
  BidiBaselineStore& operator=(const BidiBaselineStore&) = delete;

  bool persistent() const {
    std::lock_guard lk(mu_);
    return persistent_;
  }
  const std::string& file() const { return log_path_; }
  // What open() found (empty for inMemory()).
  const std::vector<std::string>& loadWarnings() const { return load_warnings_; }

  // The acknowledged baselines (caller's thread only).
  const Map& acknowledged() const { return live_; }
  std::optional<Entry> find(const std::string& path) const;
  // Records an acknowledged baseline; no-op when it is already the recorded one.
  void put(const std::string& path, const Entry& e);
  // Forgets path's baseline; no-op when there is none.
  void erase(const std::string& path);
  // Forgets the baselines at or below path; no-op when there are none.
  void eraseSubtree(const std::string& path);

  // Writes and fdatasyncs everything recorded so far (waits for the flusher).
  absl::Status flush();
  // flush() and stop the flusher; later put()s stay in memory only. Idempotent.
  absl::Status close();

  // Counters for tests and metrics.
  std::uint64_t syncs() const;
  std::uint64_t compactions() const;
  absl::Status lastError() const;

  // What status and metrics report about the state file.
  struct Health {
    bool persistent = false;           // false: memory only (or closed)
    std::string file;                  // the log file ("" in memory)
    std::uint64_t syncs = 0;           // successful fdatasyncs / compactions
    std::uint64_t write_failures = 0;  // failed writes since open
    bool failing = false;              // the latest write failed: recent baselines are not on disk
    std::string last_error;            // of the latest failed write ("" if none)
  };
  Health health() const;

 private:
  BidiBaselineStore() = default;
  void append(const std::string& frame);
  void flusherLoop();
  absl::Status writePendingLocked(std::unique_lock<std::mutex>& lk);
  absl::Status compact(const Map& live);
  absl::Status latestStatusLocked() const;

  Options opts_;
  std::string snap_path_, log_path_;
  int fd_ = -1;  // the log, appended by the flusher thread only
  Map live_;
  std::vector<std::string> load_warnings_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable flushed_cv_;
  std::string pending_;             // encoded frames not yet written
  std::uint64_t appended_seq_ = 0;  // frames appended to pending_
  std::uint64_t durable_seq_ = 0;   // frames written and synced
  bool persistent_ = false;
  bool stop_ = false;
  bool force_compact_ = false;      // a failed write may have left a partial frame
  int flushed_waiters_ = 0;
  std::uint64_t log_bytes_ = 0;
  std::uint64_t snap_bytes_ = 0;
  std::uint64_t syncs_ = 0;
  std::uint64_t compactions_ = 0;
  std::uint64_t write_failures_ = 0;
  bool failing_ = false;
  absl::Status last_error_;
  std::thread flusher_;
};

}  // namespace orch::sync
