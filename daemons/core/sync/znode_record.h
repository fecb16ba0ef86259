// What the sync engine knows about one znode, independent of any ZooKeeper client library.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace orch::core::sync {

// Container and TTL markers are hidden from clients by the server (stats show 0), so those
// kinds come from configuration hints, never from a stat.
enum class ZnodeKind { kPersistent, kEphemeral, kContainer, kTtl };

const char* znodeKindName(ZnodeKind k);

struct AclRecord {
  int perms = 0;
  std::string scheme;
  std::string id;
  friend bool operator==(const AclRecord&, const AclRecord&) = default;
  friend auto operator<=>(const AclRecord&, const AclRecord&) = default;
};

struct ZnodeRecord {
  std::string path;
  std::string data;
  std::vector<AclRecord> acl;
  ZnodeKind kind = ZnodeKind::kPersistent;
  std::int64_t ttl_ms = 0;           // kTtl only
  // Server-assigned, informational (never compared between ensembles):
  std::int64_t mzxid = 0;
  std::int64_t mtime_ms = 0;
  std::int32_t version = 0;
  std::int32_t cversion = 0;
  std::int64_t ephemeral_owner = 0;
};

// A whole synced tree, keyed and ordered by path.
using ZnodeTree = std::map<std::string, ZnodeRecord>;

}  // namespace orch::core::sync
