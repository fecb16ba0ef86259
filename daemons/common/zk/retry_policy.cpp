#include "common/zk/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace orch::zk {

std::chrono::milliseconds RetryPolicy::delayBefore(int attempt, double unit_random) const {
  if (attempt < 2) return std::chrono::milliseconds(0);
  double d = static_cast<double>(initial_backoff.count()) *
             std::pow(std::max(1.0, multiplier), attempt - 2);
  d = std::min(d, static_cast<double>(max_backoff.count()));
  const double j = std::clamp(jitter, 0.0, 1.0);
  d *= 1.0 + j * (2.0 * std::clamp(unit_random, 0.0, 1.0) - 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, d)));
}

}  // namespace orch::zk
