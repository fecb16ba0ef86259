#include "core/sync/node_kind_hints.h"

#include "absl/strings/str_cat.h"
#include "core/sync/path_filter.h"

namespace orch::core::sync {

absl::StatusOr<NodeKindHints> NodeKindHints::create(std::vector<KindHint> hints) {
  for (const auto& h : hints) {
    std::string base = h.pattern;
    if (base.size() > 2 && base.substr(base.size() - 2) == "/*") base.resize(base.size() - 2);
    if (!isValidPath(base)) {
      return absl::InvalidArgumentError(absl::StrCat("node kind pattern '", h.pattern, "' is not a znode path"));
    }
    if (h.kind == ZnodeKind::kTtl && h.ttl_ms <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("ttl pattern '", h.pattern, "' needs ttl_ms > 0"));
    }
    if (h.kind != ZnodeKind::kTtl && h.kind != ZnodeKind::kContainer) {
      return absl::InvalidArgumentError(absl::StrCat("pattern '", h.pattern, "': only container and ttl hints"));
    }
  }
  NodeKindHints out;
  out.hints_ = std::move(hints);
  return out;
}

ZnodeKind NodeKindHints::kindOf(std::string_view path, std::int64_t* ttl_ms) const {
  for (const auto& h : hints_) {
    const std::string_view pat = h.pattern;
    bool match = false;
    if (pat.size() > 2 && pat.substr(pat.size() - 2) == "/*") {
      match = parentPath(path) == pat.substr(0, pat.size() - 2);
    } else {
      match = path == pat;
    }
    if (match) {
      if (ttl_ms) *ttl_ms = h.kind == ZnodeKind::kTtl ? h.ttl_ms : 0;
      return h.kind;
    }
  }
  if (ttl_ms) *ttl_ms = 0;
  return ZnodeKind::kPersistent;
}

}  // namespace orch::core::sync
