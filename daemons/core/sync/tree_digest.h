// Verification digests: a SHA-256 per znode over (path, data, ACL as a sorted set, kind, TTL),
// and a Merkle digest per subtree (node digest + children's subtree digests in name order).
// Two trees are identical exactly when their root subtree digests match (up to SHA-256
// collisions). Versions, zxids and timestamps are not part of it: a client cannot set them.
#pragma once

#include <map>
#include <string>

#include "core/sync/sha256.h"
#include "core/sync/znode_record.h"

namespace orch::core::sync {

Digest nodeDigest(const ZnodeRecord& node);
// Same digest, ignoring the path (content only), for loop prevention and conflict checks.
Digest contentDigest(const ZnodeRecord& node);

// Subtree digest of every node of tree (tree must be closed under parents for its roots).
std::map<std::string, Digest> subtreeDigests(const ZnodeTree& tree);

}  // namespace orch::core::sync
