// What a running sync job reports (gRPC GetStatus, GET /api/v1/sync/status, zk-migrate).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace orch::sync {

struct SyncStatus {
  std::string phase;             // connecting | snapshot | syncing | resyncing | paused | stopped
  bool in_sync = false;          // no scan running, nothing queued, nothing known to be stale
  std::uint64_t znodes = 0;      // non-ephemeral source znodes under sync
  std::vector<std::string> ephemerals;  // source ephemerals seen (not copied)
  std::uint64_t writes = 0;
  std::uint64_t bytes = 0;
  std::uint64_t errors = 0;
  std::uint64_t full_syncs = 0;
  std::int64_t last_full_sync_ms = 0;       // duration of the last completed full walk + writes
  std::uint64_t last_full_sync_nodes = 0;
  std::int64_t watches = 0;
  std::uint64_t pending_writes = 0;
  std::uint64_t batches = 0;         // multi() transactions sent to the target
  std::uint64_t source_reads = 0;    // read requests sent to the source
  std::uint64_t target_reads = 0;    // read requests sent to the target (re-diffs)
  std::string source_session;
  int source_read_sessions = 1;      // sessions the source reads (and watches) are spread over
  std::string target_session;
  double lag_p50_ms = 0;
  double lag_p99_ms = 0;
  std::uint64_t lag_samples = 0;
  double source_notify_p50_ms = 0;  // of the lag: source mtime → watch event at the engine
  double source_notify_p99_ms = 0;
  std::string last_error;
  // Bidirectional mode (zero in one-way mode).
  std::uint64_t conflicts = 0;        // detected since start
  std::uint64_t conflicts_held = 0;   // waiting in the manual queue
  bool conflict_rate_alert = false;
  std::uint64_t writes_to_source = 0; // B→A copies
  // Bidirectional mode: the last-synced baselines' state file (see BidiBaselineStore).
  std::string baseline_file;                   // "" when they are kept in memory only
  std::uint64_t baseline_entries = 0;          // acknowledged baselines held
  std::uint64_t baseline_write_failures = 0;   // failed writes of the state file since start
  bool baseline_failing = false;               // the latest write failed: a restart would lose recent baselines
  std::string baseline_error;                  // that failure, in words
};

}  // namespace orch::sync
