#include "sync/sync_metrics.h"

namespace orch::sync {

SyncMetrics::SyncMetrics(metrics::MetricsRegistry& r)
    : lag_ms(r.histogram("zk_sync_lag_ms", "Milliseconds from a change on the source to its write on the target",
                         {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000})),
      znodes_synced(r.counter("zk_sync_znodes_synced_total", "Znode writes applied to the target")),
      bytes(r.counter("zk_sync_bytes_total", "Znode data and metadata bytes written to the target")),
      conflicts(r.counter("zk_sync_conflicts_total", "Conflicts detected (both sides changed)")),
      errors(r.counter("zk_sync_errors_total", "Failed reads or writes")),
      full_resyncs(r.counter("zk_sync_full_resyncs_total", "Full re-diffs of the synced trees")),
      watches(r.gauge("zk_sync_watches", "One-shot watches armed on the source")),
      pending_writes(r.gauge("zk_sync_pending_writes", "Writes queued or in flight to the target")),
      mirrored_znodes(r.gauge("zk_sync_znodes", "Znodes under sync")),
      in_sync(r.gauge("zk_sync_in_sync", "1 when the target has caught up with the source")),
      conflict_rate_alert(r.gauge("zk_sync_conflict_rate_alert", "1 while conflicts per minute exceed the threshold")),
      ephemerals_skipped(r.gauge("zk_sync_ephemerals_skipped", "Ephemeral source znodes listed, not copied")),
      baseline_failing(r.gauge("zk_sync_baseline_store_failing",
                               "1 while the bidirectional baseline state file cannot be written")),
      baseline_entries(r.gauge("zk_sync_baseline_entries", "Acknowledged bidirectional baselines held")) {}

}  // namespace orch::sync
