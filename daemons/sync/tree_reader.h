// Reads every synced znode of one ensemble into a ZnodeTree (for `zk-migrate verify`), with up
// to max_inflight nodes being read at once. Ancestors of the roots are not included; a missing
// root is simply absent from the tree.
#pragma once

#include <chrono>
#include <functional>

#include "absl/status/statusor.h"
#include "common/zk/zk_client.h"
#include "core/sync/node_kind_hints.h"
#include "core/sync/path_filter.h"
#include "core/sync/znode_record.h"

namespace orch::sync {

// Calls done (on the client's executor) with the tree or the first read error.
void readTreeAsync(zk::ZkClient& client, const core::sync::PathFilter& filter, const core::sync::NodeKindHints& hints,
                   int max_inflight, std::function<void(absl::StatusOr<core::sync::ZnodeTree>)> done);

// Blocking form (not on the executor thread). DeadlineExceeded after timeout.
absl::StatusOr<core::sync::ZnodeTree> readTree(zk::ZkClient& client, const core::sync::PathFilter& filter,
                                               const core::sync::NodeKindHints& hints,
                                               std::chrono::milliseconds timeout, int max_inflight = 512);

}  // namespace orch::sync
