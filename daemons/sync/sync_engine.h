// The ZooKeeper sync engine: copies the synced trees of a source ensemble (A) onto a target
// ensemble (B) and keeps them identical (one-way).
//
// - Snapshot: a pipelined breadth-first walk reads each node of A and of B (node_reader.h: get +
//   getAcl, getChildren only for nodes with children or to arm a child watch, getAcl skipped
//   while the stat's aversion matches the cached ACL), decides per node
//   (core::sync::decideOneWay) and queues the writes, which go to B in multi() batches (bulk mode
//   while the walk runs, see target_writer.h). Ephemeral nodes of A are listed, never copied. Sequential names are
//   copied exactly; afterwards B's parent sequence counter is advanced past A's (create+delete pairs).
// - Continuous: every read of A arms a data watch and a child watch (one-shot, the 3.8 client has
//   no persistent recursive watches). A fired watch triggers a read that re-arms it and returns
//   the current value, so changes in between are coalesced into the latest value, never missed.
// - After any reconnect or session expiry of either side (or a failed write), watches cannot be
//   trusted: a full re-diff (the same walk) runs before the engine reports in-sync again.
// - Versions, zxids and timestamps cannot be set by a client. The engine keeps A's mzxid per path
//   in its mirror (status and lag use A's mtime) instead of pretending to preserve them.
//
// All engine state lives on its own event loop; public methods are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/metrics/metrics_registry.h"
#include "common/zk/event_loop.h"
#include "common/zk/zk_client.h"
#include "core/sync/node_kind_hints.h"
#include "core/sync/path_filter.h"
#include "core/sync/znode_record.h"
#include "sync/node_reader.h"
#include "sync/sync_config.h"
#include "sync/sync_job.h"
#include "sync/sync_metrics.h"
#include "sync/target_writer.h"

namespace orch::sync {

struct SyncEngineOptions {
  SyncConfig config;
  int max_inflight_reads = 1024;
  int max_inflight_batches = 8;
  int min_pipelined_batch = 64;   // see TargetWriter::Options
  int eager_inflight = 2;         // see TargetWriter::Options
  bool continuous = true;                       // false: snapshot only, no watches
  // Source reads are spread over this many sessions to the source ensemble (each connects to a
  // member the client picks), so more than one member serves them. Every path is read, and its
  // watches armed, through one of them chosen by a hash of the path for the engine's lifetime.
  // A znode listed by its parent's session but missing on its own (that member lags) is read
  // again after a sync() of its session, so lag never passes for a deletion.
  int read_sessions = 3;
  metrics::MetricsRegistry* registry = nullptr; // nullptr: the engine keeps its own
};


class SyncEngine : public SyncJob {
 public:
  // Validates the configuration (InvalidArgument naming the problem); does not connect.
  static absl::StatusOr<std::unique_ptr<SyncEngine>> create(SyncEngineOptions options);
  ~SyncEngine() override;  // stop()s

  // Connects to both ensembles (Unavailable naming the unreachable one, nothing written), makes
  // the roots' ancestors on B, and starts the snapshot. Returns once the snapshot has begun.
  absl::Status start(std::chrono::milliseconds connect_timeout = std::chrono::seconds(15)) override;
  // Waits until the engine is in sync (snapshot and writes done). DeadlineExceeded otherwise.
  absl::Status waitInSync(std::chrono::milliseconds timeout) override;
  // Closes both sessions and stops the loop. Idempotent.
  void stop() override;
  // Starts a full re-diff now (also what reconnects do).
  void requestFullResync() override;

  SyncStatus status() override;
  // One-way mode has no conflicts: empty list; resolving is FailedPrecondition.
  std::vector<core::sync::HeldConflict> listConflicts() override { return {}; }
  absl::StatusOr<core::sync::HeldConflict> resolveConflict(std::uint64_t id, ConflictWinner winner) override;
  // Forgets the lag samples behind status().lag_p50_ms/lag_p99_ms (the histogram keeps them).
  void resetLagWindow();
  metrics::MetricsRegistry& registry() override { return *registry_; }

 private:
  struct MirrorNode {
    core::sync::ZnodeRecord rec;
    std::set<std::string> children;  // synced child names
    std::int64_t pzxid = 0;
    std::int32_t cversion = 0;
    std::int32_t num_children = 0;   // A's numChildren with that cversion (sequence counter)
    std::int32_t acl_aversion = -1;  // aversion of rec.acl (-1: unknown)
    std::int64_t watch_fired_ms = 0; // wall clock of the last data watch event
    bool data_watch = false;
    bool child_watch = false;
  };
  struct Visit {
    std::string path;
    bool read_target = false;  // snapshot/re-diff: read B too
    bool live = false;         // discovered by a watch: report lag
    std::uint64_t gen = 0;
    bool synced = false;       // its source session was sync()ed before this read
  };

  explicit SyncEngine(SyncEngineOptions options, core::sync::PathFilter filter, core::sync::NodeKindHints hints);

  void onSourceSession(std::size_t route, const zk::SessionEvent& e);
  // The source session that reads `path` and holds its watches: route 0 is a_, route k is
  // a_readers_[k - 1].
  std::size_t routeOf(const std::string& path) const;
  zk::ZkClient& sourceClient(std::size_t route);
  zk::ZkClient& sourceFor(const std::string& path);
  bool sourceConnected() const;
  // The watches of the paths on `route` are gone (its session expired or was replaced).
  void forgetWatches(std::size_t route);
  std::int64_t sourceWatches() const;
  void onTargetSession(const zk::SessionEvent& e);
  void startFullScan(const std::string& reason);
  void enqueueVisit(Visit v);
  void pumpReads();
  void onVisited(const Visit& v, NodeRead a, NodeRead b);
  void onDataWatch(const std::string& path, const zk::WatchEvent& ev);
  void onChildWatch(const std::string& path, const zk::WatchEvent& ev);
  void onRootExists(const std::string& path);
  void reReadData(const std::string& path);
  void reReadChildren(const std::string& path);
  void removeFromMirror(const std::string& path, bool delete_on_target, const WriteOrigin& origin);
  void noteSequential(const std::string& parent, const MirrorNode& node);
  void runSequencePass();
  void tick();
  void fail(const std::string& what, const absl::Status& s);
  void recordLag(double ms);
  zk::WatchFn dataWatchFor(const std::string& path, bool want);
  zk::WatchFn childWatchFor(const std::string& path, bool want);
  bool isRoot(const std::string& path) const;
  void ensureTargetAncestors();
  SyncStatus statusOnLoop();

  SyncEngineOptions opts_;
  core::sync::PathFilter filter_;
  core::sync::NodeKindHints hints_;
  std::unique_ptr<metrics::MetricsRegistry> own_registry_;
  metrics::MetricsRegistry* registry_;
  SyncMetrics metrics_;
  zk::EventLoop loop_;
  std::unique_ptr<zk::ZkClient> a_;
  std::vector<std::unique_ptr<zk::ZkClient>> a_readers_;  // more source sessions (read_sessions - 1)
  std::unique_ptr<zk::ZkClient> b_;
  std::unique_ptr<TargetWriter> writer_;

  // Loop-thread state.
  bool stopping_ = false;
  bool started_ = false;
  std::unordered_map<std::string, MirrorNode> mirror_;
  std::set<std::string> ephemerals_;
  std::deque<Visit> visits_;
  int reads_inflight_ = 0;
  std::uint64_t gen_ = 0;
  bool scan_running_ = false;
  bool scan_writes_pending_ = false;
  bool rescan_pending_ = false;
  bool dirty_ = true;              // B may differ from A in ways watches will not tell
  std::string rescan_reason_;
  std::chrono::steady_clock::time_point scan_started_;
  std::uint64_t scan_nodes_ = 0;
  std::uint64_t full_syncs_ = 0;
  std::int64_t last_full_sync_ms_ = 0;
  std::uint64_t last_full_sync_nodes_ = 0;
  std::map<std::string, std::int64_t> seq_parents_;  // parent → sequence counter B needs
  int seq_checks_inflight_ = 0;                      // B stat reads of a sequence pass in flight
  bool seq_pass_needed_ = false;
  std::vector<double> notify_ring_;  // source mtime → data watch arrival (the source's share of the lag)
  std::vector<double> lag_ring_;
  std::size_t lag_next_ = 0;
  std::uint64_t lag_count_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t source_reads_ = 0;
  std::uint64_t target_reads_ = 0;
  std::string last_error_;
  std::vector<zk::SessionState> source_state_;  // by route (0 = a_), sized at start()
  zk::SessionState b_state_ = zk::SessionState::kConnecting;
  // Connections (ZkClient::connections) the running scan already covers: the first connection's
  // event reaches the loop after start() and must not count as a reconnect (it used to start a
  // second full scan of every initial copy).
  std::vector<std::uint64_t> source_connections_seen_;  // by route
  std::uint64_t b_connections_seen_ = 0;
};

}  // namespace orch::sync
