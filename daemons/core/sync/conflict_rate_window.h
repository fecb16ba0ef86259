// Conflicts per minute over a sliding 60 s window, and whether that rate is above the alert
// threshold (migration.sync.conflict_alert_per_min). Pure: callers pass the time.
#pragma once

#include <cstdint>
#include <deque>

namespace orch::core::sync {

class ConflictRateWindow {
 public:
  explicit ConflictRateWindow(double alert_per_min, std::int64_t window_ms = 60000)
      : threshold_(alert_per_min), window_ms_(window_ms) {}

  void record(std::int64_t now_ms);
  // Conflicts seen in (now - window, now], scaled to a per-minute rate.
  double perMinute(std::int64_t now_ms);
  // True while perMinute(now) > threshold (a threshold <= 0 never alerts).
  bool alerting(std::int64_t now_ms);

 private:
  void expire(std::int64_t now_ms);
  double threshold_;
  std::int64_t window_ms_;
  std::deque<std::int64_t> times_;
};

}  // namespace orch::core::sync
