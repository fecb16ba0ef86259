#include "core/sync/conflict_queue.h"

namespace orch::core::sync {

std::uint64_t ConflictQueue::hold(const std::string& path, ConflictSideView a, ConflictSideView b,
                                  std::string reason, std::int64_t now_ms) {
  auto it = by_path_.find(path);
  if (it != by_path_.end()) {
    HeldConflict& c = by_id_[it->second];
    c.a = std::move(a);
    c.b = std::move(b);
    c.reason = std::move(reason);
    return c.id;
  }
  HeldConflict c;
  c.id = next_id_++;
  c.path = path;
  c.detected_ms = now_ms;
  c.a = std::move(a);
  c.b = std::move(b);
  c.reason = std::move(reason);
  by_path_[path] = c.id;
  const std::uint64_t id = c.id;
  by_id_.emplace(id, std::move(c));
  return id;
}

std::optional<HeldConflict> ConflictQueue::take(std::uint64_t id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  HeldConflict c = std::move(it->second);
  by_id_.erase(it);
  by_path_.erase(c.path);
  return c;
}

bool ConflictQueue::release(const std::string& path) {
  auto it = by_path_.find(path);
  if (it == by_path_.end()) return false;
  by_id_.erase(it->second);
  by_path_.erase(it);
  return true;
}

const HeldConflict* ConflictQueue::find(std::uint64_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

std::vector<HeldConflict> ConflictQueue::list() const {
  std::vector<HeldConflict> out;
  out.reserve(by_id_.size());
  for (const auto& [_, c] : by_id_) out.push_back(c);
  return out;
}

}  // namespace orch::core::sync
