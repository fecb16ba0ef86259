#include "core/sync/sequence_counter.h"

#include <algorithm>

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

std::optional<std::int64_t> requiredCversion(const std::vector<std::string>& child_names, std::int32_t a_cversion) {
  std::optional<std::int64_t> max_suffix;
  for (const auto& n : child_names) {
    if (auto s = sequenceSuffix(n)) max_suffix = std::max(max_suffix.value_or(-1), *s);
  }
  if (!max_suffix) return std::nullopt;
  return std::max<std::int64_t>(a_cversion, *max_suffix + 1);
}

std::int64_t bumpPairsNeeded(std::int32_t b_cversion, std::int64_t required) {
  if (b_cversion >= required) return 0;
  return (required - b_cversion + 1) / 2;
}

}  // namespace orch::core::sync
