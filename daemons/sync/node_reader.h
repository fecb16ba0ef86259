// Reads one znode (data + stat, ACL, children) with as few pipelined requests as the caller's
// knowledge allows, optionally arming data and child watches. Runs on the client's executor.
//
// - get (data + stat) is always sent; it carries the data watch.
// - getChildren is sent together with get when a child watch is wanted (a child watch can only be
//   armed by reading the children); otherwise, when children are wanted, only after get reports
//   numChildren > 0 (leaves cost no children read).
// - getAcl is sent together with get when no cached ACL is offered; with a cached ACL it is sent
//   only when get's stat.aversion differs from the cached aversion (the server bumps aversion on
//   every setAcl, so an equal aversion means an unchanged ACL).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
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
  bool acl_read = false;   // false: the ACL equals the cached one offered in the plan (acl empty)
  zk::AclList acl;
  std::int32_t acl_aversion = -1;  // aversion the ACL belongs to
  std::vector<std::string> children;
  zk::ZkStat child_stat;   // the stat from the children read (cversion, pzxid), else get's stat
  int requests = 0;        // requests sent to the server for this read
};

struct NodeReadPlan {
  zk::WatchFn data_watch;                   // armed by get
  zk::WatchFn child_watch;                  // armed by getChildren (sent with get)
  bool children = true;                     // the children list is wanted
  std::optional<std::int32_t> cached_acl_aversion;  // skip getAcl while stat.aversion equals it
};

void readNode(zk::ZkClient& client, const std::string& path, NodeReadPlan plan, std::function<void(NodeRead)> done);

// All three reads at once (data + ACL + children), no watches: the verifier's and tests' form.
void readNode(zk::ZkClient& client, const std::string& path, zk::WatchFn data_watch, zk::WatchFn child_watch,
              std::function<void(NodeRead)> done);

}  // namespace orch::sync
