// Applies the engine's decisions to the target ensemble, batched into multi() transactions
// (at most max_batch_ops ops and max_batch_bytes bytes each, under jute.maxbuffer) with up to
// max_inflight transactions pipelined on the one session (ZooKeeper applies a session's requests
// in order, so a parent's create always lands before its children's).
//
// Flush policy: a flush runs at the end of the current loop turn (so everything decided from the
// events already queued shares one multi). Up to eager_inflight transactions are sent whatever
// their fill; more (up to max_inflight) only once min_pipelined_batch writes wait. In bulk mode
// (a full scan) a transaction waits for min_bulk_batch writes unless kick()ed for a live change.
//
// An upsert carries only the path: the node's value is looked up from the engine's mirror of A
// when the batch is built, so a queue never writes a stale value and repeated changes of a node
// coalesce. A failed transaction is retried op by op with repairs (create ↔ set, missing parents
// created first, "no node" on delete is success, "not empty" deletes the subtree). Connection
// problems are not retried here: the engine re-diffs after the reconnect.
//
// Single-threaded: call only on the target client's executor.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "common/zk/zk_client.h"
#include "core/sync/znode_record.h"

namespace orch::sync {

struct WriteOrigin {
  bool observe_lag = false;     // a live change (not the snapshot): report its lag
  std::int64_t origin_ms = 0;   // wall-clock ms of the change on the source (its mtime)
};

class TargetWriter {
 public:
  struct Options {
    int max_batch_ops = 500;
    int max_batch_bytes = 512 * 1024;
    int max_inflight = 8;
    // While a batch is in flight, another is sent only once this many writes are queued.
    int min_pipelined_batch = 64;
    // Batches sent at once, whatever their fill, while fewer than this many are in flight.
    int eager_inflight = 2;
    // In bulk mode (a full scan is producing writes) a batch is sent only once this many writes
    // are queued, or when kick()ed: fewer, fuller transactions cost the target far less.
    int min_bulk_batch = 256;
  };
  // The node as it should be on the target, or nullptr when it should not exist.
  using Lookup = std::function<const core::sync::ZnodeRecord*(const std::string& path)>;
  struct Hooks {
    std::function<void(const std::string& path, std::size_t bytes, const WriteOrigin& origin)> written;
    std::function<void(const std::string& path, const absl::Status& error)> failed;
    std::function<void(const absl::Status& error)> connection_lost;
  };
  struct Stats {
    std::uint64_t ops = 0;
    std::uint64_t bytes = 0;
    std::uint64_t batches = 0;
    std::uint64_t fallbacks = 0;
    std::uint64_t errors = 0;
  };

  TargetWriter(zk::ZkClient& target, Options options, Lookup lookup, Hooks hooks);
  ~TargetWriter();
  TargetWriter(const TargetWriter&) = delete;
  TargetWriter& operator=(const TargetWriter&) = delete;

  // Make path on the target equal the looked-up node. believed_present picks set over create;
  // acl_changed adds a setAcl.
  void upsert(const std::string& path, bool believed_present, bool acl_changed, WriteOrigin origin = {});
  // Delete path on the target (recursively if it has children there).
  void remove(const std::string& path, WriteOrigin origin = {});
  // Advance parent's cversion by 2*pairs (create+delete of a reserved child).
  void bumpCversion(const std::string& parent, std::int64_t pairs);
  // Bulk mode on/off (off flushes what is queued).
  void setBulk(bool bulk);
  // Sends what is queued if the pipe allows, whatever the fill (the engine's tick calls it).
  void kick();
  // Drops queued (not yet sent) writes.
  void clear();

  bool idle() const { return queue_.empty() && inflight_batches_ == 0 && inflight_single_ == 0; }
  int inflightBatches() const { return inflight_batches_; }
  std::size_t queued() const { return queue_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  enum class Kind { kUpsert, kRemove };
  struct Entry {
    Kind kind = Kind::kUpsert;
    std::string path;
    bool believed_present = false;
    bool acl_changed = false;
    WriteOrigin origin;
    std::uint64_t seq = 0;
  };

  void enqueue(Entry e);
  void flush();
  void scheduleFlush();
  bool shouldSend() const;
  void sendSingle(Entry e);
  void repairUpsert(const std::string& path, WriteOrigin origin, int depth, std::function<void(bool)> then);
  void repairRemove(const std::string& path, WriteOrigin origin, std::function<void(bool)> then);
  void removeTree(const std::string& path, std::function<void(absl::Status)> then);
  void fallback(Entry e);
  void result(const std::string& path, const absl::Status& s, std::size_t bytes, const WriteOrigin& origin);
  static std::size_t opBytes(const core::sync::ZnodeRecord& rec);

  zk::ZkClient& zk_;
  Options opts_;
  Lookup lookup_;
  Hooks hooks_;
  std::deque<Entry> queue_;
  std::uint64_t next_seq_ = 0;
  std::unordered_map<std::string, std::uint64_t> last_upsert_;  // path → seq of its queued upsert (if last)
  int inflight_batches_ = 0;
  int inflight_single_ = 0;
  Stats stats_;
  bool flush_scheduled_ = false;
  bool bulk_ = false;
  bool kicked_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace orch::sync
