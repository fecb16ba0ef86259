#include "sync/bidi_sync_engine.h"
#include "sync/sync_engine.h"
#include "sync/sync_job.h"

namespace orch::sync {

absl::StatusOr<std::unique_ptr<SyncJob>> makeSyncJob(const SyncConfig& cfg, metrics::MetricsRegistry& registry) {
  if (cfg.bidirectional) {
    BidiSyncEngine::Options bo;
    bo.config = cfg;
    bo.registry = &registry;
    auto b = BidiSyncEngine::create(std::move(bo));
    if (!b.ok()) return b.status();
    return std::unique_ptr<SyncJob>(std::move(*b));
  }
  SyncEngineOptions o;
  o.config = cfg;
  o.registry = &registry;
  auto e = SyncEngine::create(std::move(o));
  if (!e.ok()) return e.status();
  return std::unique_ptr<SyncJob>(std::move(*e));
}

}  // namespace orch::sync
