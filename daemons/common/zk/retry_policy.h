// Exponential backoff with jitter for retrying ZooKeeper requests after connection loss.
#pragma once

#include <chrono>
#include <cstdint>

namespace orch::zk {

struct RetryPolicy {
  int max_attempts = 8;                                  // total tries, 1 = no retry
  std::chrono::milliseconds initial_backoff{50};
  std::chrono::milliseconds max_backoff{2000};
  double multiplier = 2.0;
  double jitter = 0.2;                                   // ± fraction of the delay

  // Delay before try number `attempt` (attempt >= 2): initial * multiplier^(attempt-2), capped,
  // then scaled by (1 + jitter * (2*unit_random - 1)). unit_random in [0,1).
  std::chrono::milliseconds delayBefore(int attempt, double unit_random) const;
};

}  // namespace orch::zk
