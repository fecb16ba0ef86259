// A running sync job as orch-sync serves it: the one-way SyncEngine or the BidiSyncEngine.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "common/metrics/metrics_registry.h"
#include "core/sync/conflict_queue.h"
#include "sync/sync_config.h"
#include "sync/sync_status.h"

namespace orch::sync {

enum class ConflictWinner { kSource, kTarget };

class SyncJob {
 public:
  virtual ~SyncJob() = default;
  // Connects to both ensembles (Unavailable naming the unreachable one; nothing is written then)
  // and starts the initial full sync.
  virtual absl::Status start(std::chrono::milliseconds connect_timeout) = 0;
  // Waits until the job is in sync. DeadlineExceeded otherwise.
  virtual absl::Status waitInSync(std::chrono::milliseconds timeout) = 0;
  virtual SyncStatus status() = 0;
  // Closes both sessions; nothing is written afterwards. Idempotent.
  virtual void stop() = 0;
  virtual void requestFullResync() = 0;
  // Conflicts held for manual resolution, oldest first.
  virtual std::vector<core::sync::HeldConflict> listConflicts() = 0;
  // Copies the winner's current node (or absence) over the other side and drops the conflict.
  // NotFound for an unknown id; FailedPrecondition when the job has no conflict queue.
  virtual absl::StatusOr<core::sync::HeldConflict> resolveConflict(std::uint64_t id, ConflictWinner winner) = 0;
  virtual metrics::MetricsRegistry& registry() = 0;
};

// The job for cfg: SyncEngine (mode one-way) or BidiSyncEngine (mode bidirectional), publishing
// its series in registry. Validates the configuration; does not connect.
absl::StatusOr<std::unique_ptr<SyncJob>> makeSyncJob(const SyncConfig& cfg, metrics::MetricsRegistry& registry);

}  // namespace orch::sync
