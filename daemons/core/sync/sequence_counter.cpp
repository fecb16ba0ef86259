#include "core/sync/sequence_counter.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace orch::core::sync {

std::optional<std::int64_t> sequenceSuffix(std::string_view name) {
  if (name.size() < 10) return std::nullopt;
  const std::string_view digits = name.substr(name.size() - 10);
  std::int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (name.size() > 10) {
    const char before = name[name.size() - 11];
    if (before >= '0' && before <= '9') return std::nullopt;
  }
  return v;
}

std::optional<std::int64_t> highestSequenceSuffix(const std::vector<std::string>& names) {
  std::optional<std::int64_t> best;
  for (const auto& n : names) {
    if (auto s = sequenceSuffix(n)) best = std::max(best.value_or(-1), *s);
  }
  return best;
}

absl::StatusOr<std::int64_t> nextSequenceNumber(std::int32_t cversion, std::int32_t num_children) {
  if (num_children < 0) {
    return absl::InvalidArgumentError(absl::StrCat("sequence counter: numChildren ", num_children, " is negative"));
  }
  // 2 * creates - numChildren, modulo 2^32: as unsigned it is exact while creates < 2^31.
  const std::int64_t reported = static_cast<std::int64_t>(static_cast<std::uint32_t>(cversion));
  const std::int64_t twice_creates = reported + num_children;
  if (twice_creates % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat("sequence counter: cversion ", cversion, " + numChildren ",
                                                   num_children, " is odd; the server does not report "
                                                   "cversion as 2 * creates - numChildren"));
  }
  const std::int64_t creates = twice_creates / 2;
  if (creates < num_children) {
    return absl::InvalidArgumentError(absl::StrCat("sequence counter: cversion ", cversion, " with numChildren ",
                                                   num_children, " means fewer creates (", creates,
                                                   ") than children present"));
  }
  if (creates > 2147483647) {
    return absl::OutOfRangeError(absl::StrCat("sequence counter: ", creates,
                                              " creates passed the server's 32-bit counter (it wraps negative)"));
  }
  return creates;
}

std::optional<std::int64_t> requiredNextSequence(const std::vector<std::string>& child_names,
                                                 std::int64_t source_next) {
  const auto top = highestSequenceSuffix(child_names);
  if (!top) return std::nullopt;
  return std::max(source_next, *top + 1);
}

std::int64_t bumpPairsNeeded(std::int64_t target_next, std::int64_t required_next) {
  return target_next >= required_next ? 0 : required_next - target_next;
}

}  // namespace orch::core::sync
