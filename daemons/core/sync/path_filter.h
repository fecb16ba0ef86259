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

namespace detail {
template <typename It>
const std::string& pathKey(const It& it) {
  if constexpr (requires { it->first; }) {
    return it->first;
  } else {
    return *it;
  }
}
}  // namespace detail

// Calls fn(key, value) for every key of a path-keyed ordered map (fn(key) for an ordered set) at or below path. The keys of a
// subtree are not contiguous in byte order ("/a", "/a-b", "/a/b"): every key that starts with
// path's text is looked at, and siblings such as "/a-b" are skipped.
template <typename Map, typename Fn>
void forEachAtOrBelow(const Map& m, const std::string& path, Fn&& fn) {
  const std::string_view from = path == "/" ? std::string_view() : std::string_view(path);
  for (auto it = m.lower_bound(std::string(from)); it != m.end() && std::string_view(detail::pathKey(it)).substr(0, from.size()) == from; ++it) {
    if (!isAtOrBelow(detail::pathKey(it), path)) continue;
    if constexpr (requires { it->first; }) {
      fn(it->first, it->second);
    } else {
      fn(*it);
    }
  }
}

// Erases every key of a path-keyed ordered map or set at or below path (see forEachAtOrBelow); returns
// how many.
template <typename Map>
std::size_t eraseAtOrBelow(Map& m, const std::string& path) {
  const std::string_view from = path == "/" ? std::string_view() : std::string_view(path);
  std::size_t n = 0;
  for (auto it = m.lower_bound(std::string(from)); it != m.end() && std::string_view(detail::pathKey(it)).substr(0, from.size()) == from;) {
    if (isAtOrBelow(detail::pathKey(it), path)) {
      it = m.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

}  // namespace orch::core::sync
