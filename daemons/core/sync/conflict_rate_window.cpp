#include "core/sync/conflict_rate_window.h"

namespace orch::core::sync {

void ConflictRateWindow::record(std::int64_t now_ms) {
  expire(now_ms);
  times_.push_back(now_ms);
}

void ConflictRateWindow::expire(std::int64_t now_ms) {
  while (!times_.empty() && times_.front() <= now_ms - window_ms_) times_.pop_front();
}

double ConflictRateWindow::perMinute(std::int64_t now_ms) {
  expire(now_ms);
  if (window_ms_ <= 0) return 0;
  return static_cast<double>(times_.size()) * 60000.0 / static_cast<double>(window_ms_);
}

bool ConflictRateWindow::alerting(std::int64_t now_ms) {
  if (threshold_ <= 0) return false;
  return perMinute(now_ms) > threshold_;
}

}  // namespace orch::core::sync
