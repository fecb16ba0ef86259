// The manual-strategy conflict queue: conflicts held until an operator picks a side. Pure (no
// I/O, no clock: callers pass the time). One entry per path: a path that conflicts again while
// held keeps its id and gets the newer views.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orch::core::sync {

// One side's node as read when the conflict was seen.
struct ConflictSideView {
  bool exists = false;
  std::string data;
  std::int64_t mtime_ms = 0;
  std::int32_t version = 0;
  std::int64_t mzxid = 0;
};

struct HeldConflict {
  std::uint64_t id = 0;
  std::string path;
  std::int64_t detected_ms = 0;
  ConflictSideView a;  // source
  ConflictSideView b;  // target
  std::string reason;
};

class ConflictQueue {
 public:
  // Holds a conflict on path; returns its id (the existing one if path is already held).
  std::uint64_t hold(const std::string& path, ConflictSideView a, ConflictSideView b, std::string reason,
                     std::int64_t now_ms);
  // Removes and returns the conflict with this id (nullopt if unknown).
  std::optional<HeldConflict> take(std::uint64_t id);
  // Drops the entry for path, if any (both sides became equal by themselves). True if dropped.
  bool release(const std::string& path);
  bool isHeld(const std::string& path) const { return by_path_.count(path) > 0; }
  const HeldConflict* find(std::uint64_t id) const;
  // Oldest first (by id).
  std::vector<HeldConflict> list() const;
  std::size_t size() const { return by_id_.size(); }

 private:
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, HeldConflict> by_id_;
  std::map<std::string, std::uint64_t> by_path_;
};

}  // namespace orch::core::sync
