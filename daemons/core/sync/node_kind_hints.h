// Container and TTL nodes look persistent to every client (the server reports ephemeralOwner 0
// for them), so the engine learns them from configuration: a path pattern is an exact path, or
// "<prefix>/*" for the direct children of prefix.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/sync/znode_record.h"

namespace orch::core::sync {

struct KindHint {
  std::string pattern;
  ZnodeKind kind = ZnodeKind::kContainer;  // kContainer or kTtl
  std::int64_t ttl_ms = 0;
};

class NodeKindHints {
 public:
  // InvalidArgument for a bad pattern, a TTL hint without a positive ttl, or another kind.
  static absl::StatusOr<NodeKindHints> create(std::vector<KindHint> hints);
  NodeKindHints() = default;
  // The hinted kind for path, or kPersistent (ttl_ms set for kTtl).
  ZnodeKind kindOf(std::string_view path, std::int64_t* ttl_ms) const;
  bool empty() const { return hints_.empty(); }

 private:
  std::vector<KindHint> hints_;
};

}  // namespace orch::core::sync
