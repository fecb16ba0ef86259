#include "core/sync/tree_diff.h"

#include <algorithm>

#include "core/sync/path_filter.h"
#include "core/sync/tree_digest.h"

namespace orch::core::sync {

std::vector<std::string> removeEphemerals(ZnodeTree& tree) {
  std::vector<std::string> dropped;
  for (auto it = tree.begin(); it != tree.end();) {
    if (it->second.kind == ZnodeKind::kEphemeral) {
      dropped.push_back(it->first);
      it = tree.erase(it);
    } else {
      ++it;
    }
  }
  return dropped;
}

TreeDiff diffTrees(const ZnodeTree& a_in, const ZnodeTree& b_in) {
  ZnodeTree a = a_in;
  ZnodeTree b = b_in;
  TreeDiff d;
  d.source_ephemerals = removeEphemerals(a);
  d.target_ephemerals = removeEphemerals(b);
  d.compared = a.size();
  const auto da = subtreeDigests(a);
  const auto db = subtreeDigests(b);
  // Paths under a subtree whose digests agree need no visit.
  std::vector<std::string> equal_roots;
  for (const auto& [path, dig] : da) {
    auto it = db.find(path);
    if (it != db.end() && it->second == dig) equal_roots.push_back(path);
  }
  std::sort(equal_roots.begin(), equal_roots.end());
  auto covered = [&](const std::string& path) {
    // Any equal-digest ancestor-or-self? Walk up the parents (depth is small).
    std::string p = path;
    while (!p.empty()) {
      if (std::binary_search(equal_roots.begin(), equal_roots.end(), p)) return true;
      p = parentPath(p);
    }
    return false;
  };
  for (const auto& [path, na] : a) {
    if (covered(path)) continue;
    auto it = b.find(path);
    if (it == b.end()) {
      d.missing.push_back(path);
      continue;
    }
    const ZnodeRecord& nb = it->second;
    NodeDifference nd{path};
    nd.data = na.data != nb.data;
    auto sa = na.acl, sb = nb.acl;
    std::sort(sa.begin(), sa.end());
    std::sort(sb.begin(), sb.end());
    nd.acl = sa != sb;
    nd.kind = na.kind != nb.kind || (na.kind == ZnodeKind::kTtl && na.ttl_ms != nb.ttl_ms);
    if (nd.data || nd.acl || nd.kind) d.differing.push_back(nd);
  }
  for (const auto& [path, _] : b) {
    if (!a.count(path)) d.extra.push_back(path);
  }
  return d;
}

}  // namespace orch::core::sync
