// Bidirectional sync of the synced trees of two ensembles (A = source, B = target).
//
// Every synced node of both sides carries a data and a child watch. A fired watch (or a full
// scan) reconciles the path: both sides are read, and core::sync::decideBidirectional compares
// them with the path's baseline — the content both sides held when the path was last in sync —
// to find which side changed. One side changed: its node (or its deletion) is copied over the
// other. Both changed: a conflict, settled by the configured strategy (last-write-wins by mtime,
// source-wins) or held in the manual queue until `zk-migrate conflicts resolve`; every conflict
// is appended to the JSON-lines audit log and counted in a one-minute rate window that drives
// zk_sync_conflict_rate_alert.
//
// Loop prevention: when the engine copies X to the other side it records X's content as the
// path's baseline (and as what that side should hold) before writing. The echo — the watch our
// own write fires on the other side — then reads two equal sides and ends as "none"; a genuine
// change that races the echo still differs from the baseline and is copied. Nothing is ever
// copied back and forth.
//
// Baselines: the engine keeps an optimistic copy (set before a copy is written, for loop
// prevention) and a BidiBaselineStore of acknowledged ones — recorded only once both sides were
// read equal or the write that made them equal was acknowledged by ZooKeeper. A write that fails
// or is dropped (connection loss) puts the acknowledged baseline back, so the re-diff copies the
// change again instead of taking the stale side for the newer one. A full scan that ran without
// errors forgets the baselines of paths it found on neither side.
//
// Persistence (migration.sync.baseline_dir; default: the audit log's directory; "none" or neither
// set: memory only): the acknowledged baselines — path, existed, content digest — go to an
// append-only CRC-framed log in that directory, fdatasynced at most every 100 ms by a background
// thread and compacted into a snapshot (see bidi_baseline_store.h). The files name the ensemble
// pair and synced paths; a file of another pair is refused (create() fails). A restarted engine
// loads them, so its first scan decides as if it had never stopped: a node deleted on one side
// during the downtime (baseline: existed, other side unchanged) is deleted on the other side, a
// change made on one side is copied, and only a change on both sides is a conflict. A torn log
// tail is reported and ignored; a corrupt snapshot is moved aside with a loud warning and the
// engine starts without baselines.
//
// Without persisted baselines (memory only, or the first start) the first full scan treats
// differing nodes as first-sight conflicts and a node present on one side only as new there (it
// is copied, so a deletion made while the engine was down is undone).
//
// Sequential names: when a child whose name ends in a 10-digit counter is created on a side by a
// copy, that side's parent sequence counter is advanced past it, and to at least the other side's
// counter (core::sync::nextSequenceNumber / bumpPairsNeeded, as in one-way mode), once that
// side's writer is idle. Container/TTL kinds come from the same hints as one-way mode.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/zk/event_loop.h"
#include "common/zk/zk_client.h"
#include "core/sync/conflict_queue.h"
#include "core/sync/conflict_rate_window.h"
#include "core/sync/conflict_resolver.h"
#include "core/sync/node_kind_hints.h"
#include "core/sync/path_filter.h"
#include "core/sync/znode_record.h"
#include "sync/bidi_baseline_store.h"
#include "sync/conflict_audit_log.h"
#include "sync/node_reader.h"
#include "sync/sync_job.h"
#include "sync/sync_metrics.h"
#include "sync/target_writer.h"

namespace orch::sync {

class BidiSyncEngine : public SyncJob {
 public:
  struct Options {
    SyncConfig config;
    metrics::MetricsRegistry* registry = nullptr;  // nullptr: the engine keeps its own
    int max_inflight = 512;                        // paths being reconciled at once
  };
  // InvalidArgument naming the problem (config, audit log path); does not connect.
  static absl::StatusOr<std::unique_ptr<BidiSyncEngine>> create(Options options);
  ~BidiSyncEngine() override;

  absl::Status start(std::chrono::milliseconds connect_timeout) override;
  absl::Status waitInSync(std::chrono::milliseconds timeout) override;
  void stop() override;
  void requestFullResync() override;
  SyncStatus status() override;
  std::vector<core::sync::HeldConflict> listConflicts() override;
  absl::StatusOr<core::sync::HeldConflict> resolveConflict(std::uint64_t id, ConflictWinner winner) override;
  metrics::MetricsRegistry& registry() override { return *registry_; }

 private:
  enum Side { kA = 0, kB = 1 };
  struct View {
    bool exists = false;
    core::sync::ZnodeRecord rec;
    std::set<std::string> children;
    std::int32_t acl_aversion = -1;
    bool data_watch = false;
    bool child_watch = false;
    bool exists_watch = false;
  };
  using Baseline = BidiBaselineStore::Entry;

  BidiSyncEngine(Options options, core::sync::PathFilter filter, core::sync::NodeKindHints hints);

  zk::ZkClient& client(Side s) { return s == kA ? *a_ : *b_; }
  TargetWriter& writer(Side s) { return s == kA ? *wa_ : *wb_; }
  void onSession(Side side, const zk::SessionEvent& e);
  absl::Status openBaselines();
  void startFullScan(const std::string& reason);
  void enqueue(const std::string& path, bool scan);
  void pump();
  void reconcile(const std::string& path, bool scan);
  void onRead(const std::string& path, bool scan, NodeRead ra, NodeRead rb);
  // A deletion queued or in flight at an ancestor of path, or any write at path itself: a read of
  // path may predate it (and the deletion already dropped path's optimistic baseline).
  bool writePendingOver(const std::string& path) const;
  // A write at path, or a deletion at an ancestor, was acknowledged or dropped after the read
  // numbered read_gen was issued: one side of that read may predate it.
  bool writtenSince(const std::string& path, std::uint64_t read_gen) const;
  void pruneWriteNumbers();
  std::vector<std::string> updateView(Side side, const std::string& path, NodeRead& r, bool scan);
  void apply(const std::string& path, core::sync::BidiAction action, bool live);
  void copy(const std::string& path, Side from, Side to, bool live);
  void onConflict(const std::string& path, const core::sync::BidiDecision& d);
  nlohmann::json auditSide(Side side, const std::string& path);
  void watchFired(Side side, const std::string& path, bool data);
  // A write to `to` for path ended: acknowledged (acked) or failed/dropped.
  void wrote(Side to, const std::string& path, bool acked);
  void revertBaseline(const std::string& path, bool subtree);
  void pruneUnseenBaselines();
  void noteSequentialCopy(Side to, const std::string& path, Side from);
  void runSequencePass(Side side);
  void tick();
  void fail(const std::string& what, const absl::Status& s);
  void recordLag(double ms);
  bool isRoot(const std::string& path) const;
  bool inSyncOnLoop() const;
  core::sync::ConflictSideView conflictSide(Side side, const std::string& path);

  Options opts_;
  core::sync::PathFilter filter_;
  core::sync::NodeKindHints hints_;
  std::unique_ptr<metrics::MetricsRegistry> own_registry_;
  metrics::MetricsRegistry* registry_;
  SyncMetrics metrics_;
  ConflictAuditLog audit_;
  zk::EventLoop loop_;
  std::unique_ptr<zk::ZkClient> a_, b_;
  std::unique_ptr<TargetWriter> wa_, wb_;

  // Loop-thread state.
  bool started_ = false;
  bool stopping_ = false;
  std::unordered_map<std::string, View> views_[2];
  std::map<std::string, Baseline> baseline_;                    // optimistic (loop prevention)
  std::unique_ptr<BidiBaselineStore> store_;                     // acknowledged (maybe persisted)
  // Baseline each queued write to side X establishes once acknowledged (nullopt: a deletion).
  std::unordered_map<std::string, std::optional<Baseline>> unacked_[2];
  std::unordered_set<std::string> scan_seen_;                   // paths read during the running scan
  std::map<std::string, std::int64_t> seq_parents_[2];           // parent → highest copied suffix + 1 on side X
  int seq_checks_inflight_ = 0;
  std::unordered_map<std::string, core::sync::ZnodeRecord> desired_[2];  // what side X must hold
  std::deque<std::string> queue_;
  std::unordered_map<std::string, bool> queued_;                // path → scan
  struct Inflight {
    int rerun = 0;            // 0, 1 read again, 2 read again as part of the scan
    std::uint64_t gen = 0;    // write_gen_ when the read was issued
  };
  std::unordered_map<std::string, Inflight> inflight_;
  // Writes done (acknowledged or dropped), numbered: path → number of the last write / deletion there.
  std::uint64_t write_gen_ = 0;
  std::unordered_map<std::string, std::uint64_t> written_at_;
  std::unordered_map<std::string, std::uint64_t> deleted_at_;
  std::unordered_set<std::string> pending_deletes_[2];         // deletions queued or in flight to side X
  std::map<std::string, ConflictWinner> forced_;                // manual resolutions pending
  // Paths with a write queued or in flight to side X: a read of X may predate it, so decisions
  // on them wait (deferred_) until the write is acknowledged.
  std::unordered_set<std::string> pending_[2];
  std::set<std::string> deferred_;
  core::sync::ConflictQueue conflicts_;
  core::sync::ConflictRateWindow rate_;
  std::uint64_t conflicts_seen_ = 0;
  bool baseline_alarm_ = false;  // the state file's write failure was logged
  bool scan_running_ = false;
  bool scan_writes_pending_ = false;
  bool dirty_ = true;
  bool rescan_pending_ = false;
  std::string rescan_reason_;
  std::uint64_t full_syncs_ = 0;
  std::chrono::steady_clock::time_point scan_started_;
  std::int64_t last_full_sync_ms_ = 0;
  std::uint64_t scan_nodes_ = 0;
  std::uint64_t last_full_sync_nodes_ = 0;
  zk::SessionState state_[2] = {zk::SessionState::kConnecting, zk::SessionState::kConnecting};
  std::uint64_t connections_seen_[2] = {0, 0};  // as SyncEngine: the initial scan covers these
  std::vector<double> lag_ring_;
  std::size_t lag_next_ = 0;
  std::uint64_t lag_count_ = 0;
  std::uint64_t errors_ = 0;
  std::string last_error_;
};

}  // namespace orch::sync
