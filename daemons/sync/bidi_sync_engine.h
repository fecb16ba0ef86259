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
// Baselines live in memory: after a restart the first full scan treats differing nodes as
// first-sight conflicts and a node present on one side only as new there (it is copied, so a
// deletion made while the engine was down is undone). Sequential counters are not bumped and
// container/TTL kinds come from the same hints as one-way mode.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
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
  struct Baseline {
    bool existed = false;
    core::sync::Digest content{};
  };

  BidiSyncEngine(Options options, core::sync::PathFilter filter, core::sync::NodeKindHints hints);

  zk::ZkClient& client(Side s) { return s == kA ? *a_ : *b_; }
  TargetWriter& writer(Side s) { return s == kA ? *wa_ : *wb_; }
  void onSession(Side side, const zk::SessionEvent& e);
  void startFullScan(const std::string& reason);
  void enqueue(const std::string& path, bool scan);
  void pump();
  void reconcile(const std::string& path, bool scan);
  void onRead(const std::string& path, bool scan, NodeRead ra, NodeRead rb);
  std::vector<std::string> updateView(Side side, const std::string& path, NodeRead& r, bool scan);
  void apply(const std::string& path, core::sync::BidiAction action, bool live);
  void copy(const std::string& path, Side from, Side to, bool live);
  void eraseSubtree(std::map<std::string, Baseline>& m, const std::string& path);
  void onConflict(const std::string& path, const core::sync::BidiDecision& d);
  nlohmann::json auditSide(Side side, const std::string& path);
  void watchFired(Side side, const std::string& path, bool data);
  void wrote(Side to, const std::string& path);
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
  std::map<std::string, Baseline> baseline_;
  std::unordered_map<std::string, core::sync::ZnodeRecord> desired_[2];  // what side X must hold
  std::deque<std::string> queue_;
  std::unordered_map<std::string, bool> queued_;                // path → scan
  std::unordered_map<std::string, int> inflight_;               // path → 0, 1 rerun, 2 rerun as scan
  std::map<std::string, ConflictWinner> forced_;                // manual resolutions pending
  // Paths with a write queued or in flight to side X: a read of X may predate it, so decisions
  // on them wait (deferred_) until the write is acknowledged.
  std::unordered_set<std::string> pending_[2];
  std::unordered_set<std::string> deferred_;
  core::sync::ConflictQueue conflicts_;
  core::sync::ConflictRateWindow rate_;
  std::uint64_t conflicts_seen_ = 0;
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
  std::vector<double> lag_ring_;
  std::size_t lag_next_ = 0;
  std::uint64_t lag_count_ = 0;
  std::uint64_t errors_ = 0;
  std::string last_error_;
};

}  // namespace orch::sync
