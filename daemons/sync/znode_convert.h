// Conversions between the ZooKeeper wrapper's types and the core's znode records.
#pragma once

#include <string>

#include "common/zk/zk_types.h"
#include "core/sync/node_kind_hints.h"
#include "core/sync/znode_record.h"

namespace orch::sync {

// A record from what a client can read: ephemeral when ephemeral_owner != 0, else the hinted kind.
core::sync::ZnodeRecord toRecord(const std::string& path, std::string data, const zk::AclList& acl,
                                 const zk::ZkStat& stat, const core::sync::NodeKindHints& hints);

zk::AclList toZkAcl(const std::vector<core::sync::AclRecord>& acl);
zk::CreateMode toCreateMode(const core::sync::ZnodeRecord& rec);

}  // namespace orch::sync
