#include "client/backoff.h"

#include <algorithm>
#include <random>

namespace orch::client {

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed)
    : policy_(policy),
      current_ms_(static_cast<double>(policy.initial.count())),
      state_(seed != 0 ? seed : std::random_device{}() | 1ULL) {
  policy_.multiplier = std::max(1.0, policy_.multiplier);
  policy_.jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  if (policy_.max < policy_.initial) policy_.max = policy_.initial;
}

double Backoff::random01() {
  // xorshift64*: small, deterministic for a given seed.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  const std::uint64_t r = state_ * 0x2545F4914F6CDD1DULL;
  return static_cast<double>(r >> 11) / static_cast<double>(1ULL << 53);
}

std::chrono::milliseconds Backoff::next() {
  const double base = std::min(current_ms_, static_cast<double>(policy_.max.count()));
  const double factor = 1.0 + policy_.jitter * (2.0 * random01() - 1.0);
  const double delay = std::min(base * factor, static_cast<double>(policy_.max.count()));
  current_ms_ = std::min(current_ms_ * policy_.multiplier, static_cast<double>(policy_.max.count()));
  ++attempts_;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, delay)));
}

void Backoff::reset() {
  current_ms_ = static_cast<double>(policy_.initial.count());
  attempts_ = 0;
}

}  // namespace orch::client
