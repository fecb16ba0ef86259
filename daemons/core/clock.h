// Time as core sees it: a value passed in by the caller. Core never reads a clock itself,
// so a simulator can drive it with virtual time.
#pragma once

#include <chrono>

namespace orch::core {

using Duration = std::chrono::nanoseconds;
// Nanoseconds since an arbitrary epoch chosen by the caller (the shell uses steady_clock).
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

}  // namespace orch::core
