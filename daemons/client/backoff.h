// Exponential reconnect backoff with jitter: initial, x multiplier per failure, capped at max.
#pragma once

#include <chrono>
#include <cstdint>

namespace orch::client {

struct BackoffPolicy {
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{10'000};
  double multiplier = 2.0;
  double jitter = 0.2;  // each delay is scaled by a random factor in [1 - jitter, 1 + jitter]
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}, std::uint64_t seed = 0);

  // The delay before the next attempt; grows with each call until reset().
  std::chrono::milliseconds next();
  // Back to the initial delay (after a successful connection).
  void reset();
  // Failures since the last reset.
  int attempts() const { return attempts_; }

 private:
  double random01();

  BackoffPolicy policy_;
  double current_ms_;
  int attempts_ = 0;
  std::uint64_t state_;
};

}  // namespace orch::client
