#include "common/metrics/counter.h"

#include <cmath>

namespace orch::metrics {

void Counter::inc(double v) {
  if (!(v >= 0.0)) return;  // negative or NaN
  value_.fetch_add(v, std::memory_order_relaxed);
}

}  // namespace orch::metrics
