// zk-migrate's side of orch-sync's control API: finds the daemon through its state file and
// talks to it over mTLS with the zk-migrate client certificate of the daemon's TLS directory.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/sync/conflict_queue.h"
#include "orchestrator/v1/sync.grpc.pb.h"
#include "sync/sync_daemon_state.h"
#include "sync/sync_job.h"

namespace orch::sync {

class SyncControlClient {
 public:
  // NotFound when no daemon runs for state_dir; FailedPrecondition when the state file names a
  // dead process (the stale file is removed).
  static absl::StatusOr<std::unique_ptr<SyncControlClient>> connect(const std::string& state_dir);

  const DaemonState& state() const { return state_; }
  absl::StatusOr<orchestrator::v1::SyncStatusReply> status();
  absl::Status stop();
  absl::Status resync();
  absl::StatusOr<std::vector<core::sync::HeldConflict>> listConflicts();
  absl::StatusOr<core::sync::HeldConflict> resolve(std::uint64_t id, ConflictWinner winner);

 private:
  SyncControlClient(DaemonState state, std::unique_ptr<orchestrator::v1::SyncControl::Stub> stub)
      : state_(std::move(state)), stub_(std::move(stub)) {}
  DaemonState state_;
  std::unique_ptr<orchestrator::v1::SyncControl::Stub> stub_;
};

}  // namespace orch::sync
