// What a profile (or --attach) may name as the cluster's masters: either a list of host:port
// addresses ("10.0.0.1:5050, 10.0.0.2:5050") or exactly one ZooKeeper URL
// ("zk://10.0.0.5:2181,10.0.0.6:2181/orchestrator") under which the masters elect their leader.
#pragma once

#include <QString>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace orch::console {

// Whether the text is a ZooKeeper URL (starts with "zk://", after trimming).
bool isZooKeeperEndpoint(const QString& masters);

// The entries for client::ClientConfig::masters: the addresses, or the one zk:// URL.
// InvalidArgument in words saying what is wrong: empty, a bad host:port (which one and why),
// a malformed zk:// URL, or a zk:// URL mixed with other entries.
absl::StatusOr<std::vector<std::string>> parseMasterEndpoints(const QString& masters);

}  // namespace orch::console
