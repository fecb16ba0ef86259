#include "core/sync/conflict_resolver.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace orch::core::sync {

absl::StatusOr<ConflictStrategy> parseConflictStrategy(std::string_view text) {
  const std::string t(text);
  if (t == "last-write-wins" || t == "lww") return ConflictStrategy::kLastWriteWins;
  if (t == "source-wins") return ConflictStrategy::kSourceWins;
  if (t == "manual") return ConflictStrategy::kManual;
  return absl::InvalidArgumentError(
      absl::StrCat("conflict_resolution '", t, "' is not one of last-write-wins, source-wins, manual"));
}

const char* conflictStrategyName(ConflictStrategy s) {
  switch (s) {
    case ConflictStrategy::kLastWriteWins: return "last-write-wins";
    case ConflictStrategy::kSourceWins: return "source-wins";
    case ConflictStrategy::kManual: return "manual";
  }
  return "unknown";
}

const char* bidiActionName(BidiAction a) {
  switch (a) {
    case BidiAction::kNone: return "none";
    case BidiAction::kCopyAToB: return "copy-a-to-b";
    case BidiAction::kCopyBToA: return "copy-b-to-a";
    case BidiAction::kHold: return "hold";
  }
  return "unknown";
}

namespace {

bool sameAs(const SideView& s, bool exists, const Digest& content) {
  return s.exists == exists && (!exists || s.content == content);
}

}  // namespace

BidiDecision decideBidirectional(const SideView& a, const SideView& b, const SyncBaseline& base,
                                 ConflictStrategy strategy) {
  BidiDecision d;
  if (sameAs(a, b.exists, b.content)) {
    d.reason = "equal";
    return d;
  }
  bool a_changed, b_changed;
  if (base.known) {
    a_changed = !sameAs(a, base.existed, base.content);
    b_changed = !sameAs(b, base.existed, base.content);
  } else {
    // First sight: a side that lacks the node has not "changed" it.
    a_changed = a.exists;
    b_changed = b.exists;
  }
  if (a_changed && !b_changed) {
    d.action = BidiAction::kCopyAToB;
    d.reason = "changed on A";
    return d;
  }
  if (b_changed && !a_changed) {
    d.action = BidiAction::kCopyBToA;
    d.reason = "changed on B";
    return d;
  }
  d.conflict = true;
  switch (strategy) {
    case ConflictStrategy::kSourceWins:
      d.action = BidiAction::kCopyAToB;
      d.reason = "conflict: source wins";
      break;
    case ConflictStrategy::kManual:
      d.action = BidiAction::kHold;
      d.reason = "conflict: held for manual resolution";
      break;
    case ConflictStrategy::kLastWriteWins:
      if (a.exists && !b.exists) {
        d.action = BidiAction::kCopyAToB;
      } else if (b.exists && !a.exists) {
        d.action = BidiAction::kCopyBToA;
      } else {
        d.action = b.mtime_ms > a.mtime_ms ? BidiAction::kCopyBToA : BidiAction::kCopyAToB;
      }
      d.reason = absl::StrCat("conflict: last write wins (A mtime ", a.mtime_ms, ", B mtime ", b.mtime_ms, ")");
      break;
  }
  return d;
}

}  // namespace orch::core::sync
