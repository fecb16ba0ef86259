// Finds the masters from ZooKeeper: "zk://h1:p1,h2:p2/orchestrator" names the ensemble and the
// chroot the masters elect under. Every master holds an ephemeral znode <chroot>/leader/member_N
// with its address (JSON {"address": ...}); the lowest N leads. The result lists every master,
// leader first, so a client can follow the redirects of standbys after a failover.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace orch::client {

inline bool isZkMasterUrl(const std::string& text) { return text.rfind("zk://", 0) == 0; }

// Unavailable naming the hosts when ZooKeeper cannot be reached within `timeout`, NotFound when
// no master is registered, InvalidArgument for a malformed URL.
absl::StatusOr<std::vector<std::string>> resolveMastersFromZk(
    const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace orch::client
