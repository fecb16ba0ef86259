#include "sync/znode_convert.h"

namespace orch::sync {

core::sync::ZnodeRecord toRecord(const std::string& path, std::string data, const zk::AclList& acl,
                                 const zk::ZkStat& stat, const core::sync::NodeKindHints& hints) {
  core::sync::ZnodeRecord r;
  r.path = path;
  r.data = std::move(data);
  r.acl.reserve(acl.size());
  for (const auto& e : acl) r.acl.push_back({e.perms, e.scheme, e.id});
  if (stat.ephemeral_owner != 0) {
    r.kind = core::sync::ZnodeKind::kEphemeral;
  } else {
    r.kind = hints.kindOf(path, &r.ttl_ms);
  }
  r.mzxid = stat.mzxid;
  r.mtime_ms = stat.mtime_ms;
  r.version = stat.version;
  r.cversion = stat.cversion;
  r.ephemeral_owner = stat.ephemeral_owner;
  return r;
}

zk::AclList toZkAcl(const std::vector<core::sync::AclRecord>& acl) {
  zk::AclList out;
  out.reserve(acl.size());
  for (const auto& a : acl) out.push_back({a.perms, a.scheme, a.id});
  if (out.empty()) out = zk::openAcl();
  return out;
}

zk::CreateMode toCreateMode(const core::sync::ZnodeRecord& rec) {
  zk::CreateMode m;
  switch (rec.kind) {
    case core::sync::ZnodeKind::kContainer: m.kind = zk::NodeKind::kContainer; break;
    case core::sync::ZnodeKind::kTtl:
      m.kind = zk::NodeKind::kTtl;
      m.ttl_ms = rec.ttl_ms;
      break;
    default: m.kind = zk::NodeKind::kPersistent; break;
  }
  return m;
}

}  // namespace orch::sync
