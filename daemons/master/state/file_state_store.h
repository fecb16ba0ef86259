// The embedded registry store of a master without ZooKeeper: an append-only log of records
// (length, CRC-32, StoreRecord) under the data dir, fdatasync'ed once per group of writes, and
// a snapshot the log is compacted into (written to a temporary file, fsync'ed, renamed).
//
// A crash mid-append leaves a torn record at the log's end: load() reports it, cuts it off and
// keeps everything before it. A corrupt record inside the snapshot is reported and the rest of
// the snapshot skipped; nothing makes load() fail except an unreadable directory or a lock held
// by another master.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "master/state/state_store.h"

namespace orch::master {

class FileStateStore final : public StateStore {
 public:
  struct Options {
    std::string dir;                       // created if missing
    size_t compact_after_bytes = 64 << 20;  // log size that triggers a snapshot
  };
  explicit FileStateStore(Options options);
  ~FileStateStore() override;

  std::string describe() const override;
  std::string locate(const std::string& key) const override;
  absl::StatusOr<LoadedRegistry> load() override;
  void write(std::vector<StoreWrite> writes, std::function<void(absl::Status)> done) override;

  // For tests and tools.
  std::string logPath() const;
  std::string snapshotPath() const;
  uint64_t compactions() const;

 private:
  struct Pending {
    std::vector<StoreWrite> writes;
    std::function<void(absl::Status)> done;
  };
  void run();
  absl::Status append(const std::vector<Pending>& group);
  absl::Status compact();

  Options options_;
  int lock_fd_ = -1;
  int log_fd_ = -1;
  uint64_t log_bytes_ = 0;
  std::map<std::string, std::string> entries_;  // writer thread only (after load)
  absl::Status failed_;                          // sticky: once a write failed, all fail

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  uint64_t compactions_ = 0;
  std::thread thread_;
};

}  // namespace orch::master
