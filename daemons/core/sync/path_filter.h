// Which znode paths the sync engine copies: under one of the roots (paths_to_sync, default "/"),
// not under an excluded prefix. "/zookeeper" (the server's own quota/config tree) is always
// excluded, and so is the engine's bookkeeping prefix kEngineReservedName.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace orch::core::sync {

// Name (under any synced parent) the engine uses for its sequence-counter bump nodes.
inline constexpr std::string_view kEngineReservedName = ".orch-sync-seq-bump";

class PathFilter {
 public:
  // InvalidArgument naming the path if a root or exclude is not a valid absolute znode path.
  static absl::StatusOr<PathFilter> create(std::vector<std::string> roots, std::vector<std::string> excludes = {});

  // True when path is a root or below one, and not excluded.
  bool includes(std::string_view path) const;
  // True when some root lies at or below path (so a walk from path must descend).
  bool leadsToRoot(std::string_view path) const;
  // Roots with nested duplicates removed ("/a" and "/a/b" → "/a"), sorted.
  const std::vector<std::string>& roots() const { return roots_; }
  const std::vector<std::string>& excludes() const { return excludes_; }

 private:
  std::vector<std::string> roots_;
  std::vector<std::string> excludes_;
};

// True for "/" and for paths equal to or below prefix ("/a" covers "/a" and "/a/b", not "/ab").
bool isAtOrBelow(std::string_view path, std::string_view prefix);
// "/a/b" → "/a", "/a" → "/", "/" → "".
std::string parentPath(std::string_view path);
// ("/", "x") → "/x"; ("/a", "x") → "/a/x".
std::string childPath(std::string_view parent, std::string_view name);
// Last segment: "/a/b" → "b", "/" → "".
std::string_view baseName(std::string_view path);
// Same validity rule as the ZooKeeper client: absolute, no empty/"."/".." segments.
bool isValidPath(std::string_view path);
// Number of segments: "/" → 0, "/a/b" → 2.
int pathDepth(std::string_view path);

}  // namespace orch::core::sync
