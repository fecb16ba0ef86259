#include "core/sync/path_filter.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace orch::core::sync {

bool isValidPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path == "/") return true;
  if (path.back() == '/') return false;
  if (path.find('\0') != std::string_view::npos) return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    start = end + 1;
  }
  return true;
}

bool isAtOrBelow(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return true;
  if (path.size() < prefix.size() || path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

std::string parentPath(std::string_view path) {
  if (path.empty() || path == "/") return "";
  const size_t p = path.rfind('/');
  if (p == 0) return "/";
  return std::string(path.substr(0, p));
}

std::string childPath(std::string_view parent, std::string_view name) {
  std::string out(parent);
  if (out != "/") out.push_back('/');
  out.append(name);
  return out;
}

std::string_view baseName(std::string_view path) {
  const size_t p = path.rfind('/');
  if (p == std::string_view::npos) return path;
  return path.substr(p + 1);
}

int pathDepth(std::string_view path) {
  if (path == "/") return 0;
  return static_cast<int>(std::count(path.begin(), path.end(), '/'));
}

absl::StatusOr<PathFilter> PathFilter::create(std::vector<std::string> roots, std::vector<std::string> excludes) {
  if (roots.empty()) roots.push_back("/");
  for (const auto& r : roots) {
    if (!isValidPath(r)) {
      return absl::InvalidArgumentError(absl::StrCat("paths_to_sync: '", r, "' is not a valid znode path"));
    }
  }
  for (const auto& e : excludes) {
    if (!isValidPath(e) || e == "/") {
      return absl::InvalidArgumentError(absl::StrCat("exclude path '", e, "' is not a valid znode path below /"));
    }
  }
  excludes.push_back("/zookeeper");
  std::sort(roots.begin(), roots.end());
  PathFilter f;
  for (const auto& r : roots) {
    bool nested = false;
    for (const auto& kept : f.roots_) nested = nested || isAtOrBelow(r, kept);
    if (!nested) f.roots_.push_back(r);
  }
  std::sort(excludes.begin(), excludes.end());
  excludes.erase(std::unique(excludes.begin(), excludes.end()), excludes.end());
  f.excludes_ = std::move(excludes);
  return f;
}

bool PathFilter::includes(std::string_view path) const {
  if (baseName(path) == kEngineReservedName) return false;
  bool under = false;
  for (const auto& r : roots_) under = under || isAtOrBelow(path, r);
  if (!under) return false;
  for (const auto& e : excludes_) {
    if (isAtOrBelow(path, e)) return false;
  }
  return true;
}

bool PathFilter::leadsToRoot(std::string_view path) const {
  for (const auto& r : roots_) {
    if (isAtOrBelow(r, path)) return true;
  }
  return false;
}

}  // namespace orch::core::sync
