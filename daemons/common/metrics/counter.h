// A monotonically increasing Prometheus counter (one labelled series).
#pragma once

#include <atomic>

namespace orch::metrics {

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds v (lock-free). Negative or NaN increments are ignored: counters never go down.
  void inc(double v = 1.0);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

}  // namespace orch::metrics
