// Bidirectional sync of one path: which side changed since the last sync, and what to do when
// both did (a conflict). Strategies: last-write-wins (by mtime), source-wins (A), manual (hold
// in the conflict queue until an operator picks a side).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/sync/sha256.h"

namespace orch::core::sync {

enum class ConflictStrategy { kLastWriteWins, kSourceWins, kManual };

// "last-write-wins" | "source-wins" | "manual" (also "lww"); InvalidArgument otherwise.
absl::StatusOr<ConflictStrategy> parseConflictStrategy(std::string_view text);
const char* conflictStrategyName(ConflictStrategy s);

// One side's current view of the path.
struct SideView {
  bool exists = false;
  Digest content{};              // contentDigest() when exists
  std::int64_t mtime_ms = 0;     // when exists
};

// What both sides held when the path was last in sync (the engine's A→B mapping).
struct SyncBaseline {
  bool known = false;            // false: never synced (first sight, or engine restarted)
  bool existed = false;
  Digest content{};
};

enum class BidiAction {
  kNone,          // equal on both sides: nothing to write (also how echoes of our own writes end)
  kCopyAToB,      // A's node (or A's deletion) goes to B
  kCopyBToA,
  kHold,          // conflict under the manual strategy
};

struct BidiDecision {
  BidiAction action = BidiAction::kNone;
  bool conflict = false;      // both sides changed since the baseline (or no baseline + differ)
  std::string reason;
};

const char* bidiActionName(BidiAction a);

// Decides for one path. With no baseline and both sides present but different, it is a conflict;
// with no baseline and one side absent, the present side is copied (bidirectional first sight).
// Last-write-wins compares mtimes; a deletion has no mtime, so an update beats a concurrent
// deletion; equal mtimes fall back to A.
BidiDecision decideBidirectional(const SideView& a, const SideView& b, const SyncBaseline& base,
                                 ConflictStrategy strategy);

}  // namespace orch::core::sync
