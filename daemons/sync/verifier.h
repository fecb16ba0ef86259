// `zk-migrate verify`: reads the synced trees of both ensembles and compares them by subtree
// digests (core::sync::diffTrees).
#pragma once

#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "core/sync/tree_diff.h"
#include "sync/sync_config.h"

namespace orch::sync {

struct VerifyReport {
  core::sync::TreeDiff diff;
  std::string source_root_digest;  // hex Merkle digest over every synced root ("" if none)
  std::string target_root_digest;
  std::size_t source_nodes = 0;
  std::size_t target_nodes = 0;
};

// Unavailable naming the ensemble that cannot be reached; InvalidArgument on a bad config.
absl::StatusOr<VerifyReport> verifyEnsembles(const SyncConfig& cfg, std::chrono::milliseconds timeout);

// Human-readable report: counts, then each missing/extra/differing path (at most `limit` each).
std::string formatVerifyReport(const VerifyReport& r, std::size_t limit = 50);

}  // namespace orch::sync
