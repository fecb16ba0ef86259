// Differences between a source tree (A) and a target tree (B), for `zk-migrate verify` and the
// full re-diff after a reconnect. Ephemeral nodes are session state, never copied: they are
// listed apart and left out of the comparison on both sides.
#pragma once

#include <string>
#include <vector>

#include "core/sync/znode_record.h"

namespace orch::core::sync {

struct NodeDifference {
  std::string path;
  bool data = false;
  bool acl = false;
  bool kind = false;
};

struct TreeDiff {
  std::vector<std::string> missing;            // in A, not in B (sorted)
  std::vector<std::string> extra;              // in B, not in A (sorted)
  std::vector<NodeDifference> differing;       // in both, content differs (sorted)
  std::vector<std::string> source_ephemerals;  // ephemeral nodes of A (not copied)
  std::vector<std::string> target_ephemerals;  // ephemeral nodes of B (ignored)
  std::size_t compared = 0;                    // non-ephemeral nodes of A
  bool identical() const { return missing.empty() && extra.empty() && differing.empty(); }
};

// Compares a and b. Subtrees whose Merkle digests match are skipped without visiting nodes.
TreeDiff diffTrees(const ZnodeTree& a, const ZnodeTree& b);

// Drops ephemeral nodes (and anything below them, which cannot exist) from tree, returning the
// dropped paths.
std::vector<std::string> removeEphemerals(ZnodeTree& tree);

}  // namespace orch::core::sync
