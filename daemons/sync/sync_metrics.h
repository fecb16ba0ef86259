// The engine's Prometheus series, registered once in a daemon's registry.
#pragma once

#include "common/metrics/metrics_registry.h"

namespace orch::sync {

struct SyncMetrics {
  explicit SyncMetrics(metrics::MetricsRegistry& registry);

  metrics::Histogram& lag_ms;             // zk_sync_lag_ms: change on A → applied on B
  metrics::Counter& znodes_synced;        // zk_sync_znodes_synced_total: znode writes applied on B
  metrics::Counter& bytes;                // zk_sync_bytes_total
  metrics::Counter& conflicts;            // zk_sync_conflicts_total
  metrics::Counter& errors;               // zk_sync_errors_total
  metrics::Counter& full_resyncs;         // zk_sync_full_resyncs_total
  metrics::Gauge& watches;                // zk_sync_watches: one-shot watches armed on the source
  metrics::Gauge& pending_writes;         // zk_sync_pending_writes
  metrics::Gauge& mirrored_znodes;        // zk_sync_znodes: znodes under sync
  metrics::Gauge& in_sync;                // zk_sync_in_sync: 1 when caught up
  metrics::Gauge& conflict_rate_alert;    // zk_sync_conflict_rate_alert: 1 above the threshold
  metrics::Gauge& ephemerals_skipped;     // zk_sync_ephemerals_skipped
  metrics::Gauge& baseline_failing;       // zk_sync_baseline_store_failing: 1 while the bidi state file cannot be written
  metrics::Gauge& baseline_entries;       // zk_sync_baseline_entries: acknowledged bidi baselines held
};

}  // namespace orch::sync
