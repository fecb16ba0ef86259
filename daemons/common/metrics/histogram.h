// A Prometheus histogram (one labelled series) with fixed upper bounds.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace orch::metrics {

class Histogram {
 public:
  // Cumulative view of the histogram at one instant.
  struct Snapshot {
    std::vector<double> upper_bounds;         // finite bounds, ascending (+Inf implied)
    std::vector<std::uint64_t> cumulative;    // size upper_bounds.size() + 1; last is +Inf
    double sum = 0.0;
    std::uint64_t count = 0;                  // == cumulative.back()
  };

  // bounds: finite upper bounds; sorted, de-duplicated, non-finite values dropped.
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Records one observation (lock-free). NaN is ignored.
  void observe(double v);
  Snapshot snapshot() const;
  const std::vector<double>& upperBounds() const { return bounds_; }

  // Prometheus client defaults: .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10 (seconds).
  static std::vector<double> defaultBuckets();
  // count bounds start, start*factor, start*factor^2, ... (empty on bad arguments).
  static std::vector<double> exponentialBuckets(double start, double factor, int count);
  // count bounds start, start+width, ... (empty on bad arguments).
  static std::vector<double> linearBuckets(double start, double width, int count);

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bucket (not cumulative), +Inf last
  std::atomic<double> sum_{0.0};
};

}  // namespace orch::metrics
