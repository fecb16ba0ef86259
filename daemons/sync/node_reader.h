// Reads one znode completely (data + stat, ACL, children) with three pipelined requests, with
// optional data and child watches. Runs on the client's executor.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/zk/zk_client.h"

namespace orch::sync {

struct NodeRead {
  absl::Status status;     // first error other than "no node"
  bool exists = false;
  std::string data;
  zk::ZkStat stat;
  zk::AclList acl;
  std::vector<std::string> children;
  zk::ZkStat child_stat;   // the parent's stat from the children read (cversion)
};


void readNode(zk::ZkClient& client, const std::string& path, zk::WatchFn data_watch, zk::WatchFn child_watch,
              std::function<void(NodeRead)> done);

}  // namespace orch::sync
