#include "core/sync/tree_digest.h"

#include <algorithm>
#include <vector>

#include "core/sync/path_filter.h"

namespace orch::core::sync {
namespace {

void hashContent(Sha256& h, const ZnodeRecord& n) {
  h.updateField(n.data);
  std::vector<AclRecord> acl = n.acl;
  std::sort(acl.begin(), acl.end());
  acl.erase(std::unique(acl.begin(), acl.end()), acl.end());
  h.updateU64(acl.size());
  for (const auto& a : acl) {
    h.updateU64(static_cast<std::uint64_t>(a.perms));
    h.updateField(a.scheme);
    h.updateField(a.id);
  }
  h.updateU64(static_cast<std::uint64_t>(n.kind));
  h.updateU64(static_cast<std::uint64_t>(n.kind == ZnodeKind::kTtl ? n.ttl_ms : 0));
}

}  // namespace

Digest nodeDigest(const ZnodeRecord& node) {
  Sha256 h;
  h.updateField(node.path);
  hashContent(h, node);
  return h.finish();
}

Digest contentDigest(const ZnodeRecord& node) {
  Sha256 h;
  hashContent(h, node);
  return h.finish();
}

std::map<std::string, Digest> subtreeDigests(const ZnodeTree& tree) {
  // Children of each path, in name order (a std::map iteration gives paths in byte order, which
  // groups siblings but interleaves deeper paths; collect explicitly).
  std::map<std::string, std::vector<std::string>> kids;
  for (const auto& [path, _] : tree) {
    const std::string parent = parentPath(path);
    if (!parent.empty() && tree.count(parent)) kids[parent].push_back(path);
  }
  std::vector<const std::string*> order;
  order.reserve(tree.size());
  for (const auto& [path, _] : tree) order.push_back(&path);
  // Deepest first, so children are done before parents.
  std::stable_sort(order.begin(), order.end(),
                   [](const std::string* a, const std::string* b) { return pathDepth(*a) > pathDepth(*b); });
  std::map<std::string, Digest> out;
  for (const std::string* p : order) {
    Sha256 h;
    const Digest self = nodeDigest(tree.at(*p));
    h.update(self.data(), self.size());
    auto it = kids.find(*p);
    if (it != kids.end()) {
      std::vector<std::string>& names = it->second;
      std::sort(names.begin(), names.end());
      h.updateU64(names.size());
      for (const auto& c : names) {
        const Digest& d = out.at(c);
        h.update(d.data(), d.size());
      }
    } else {
      h.updateU64(0);
    }
    out.emplace(*p, h.finish());
  }
  return out;
}

}  // namespace orch::core::sync
