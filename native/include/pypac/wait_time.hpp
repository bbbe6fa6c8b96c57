// Seconds as callers give them (any double) to a time that can be waited for.
//
// Every wait in the engine goes through here: a condition variable's wait_for
// converts to integer nanoseconds after adding the clock's "now", so 1e10 s or
// inf overflow and wrap to a wait of nothing (a caller's wait loop then spins a
// core). Waits are clamped to kLongestWaitSeconds, which is "forever" for any
// caller and still leaves room in int64 nanoseconds for every clock's now().
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>

namespace pypac {

// About 31 years.
constexpr double kLongestWaitSeconds = 1e9;

// Zero for zero, negative and NaN (Python refuses NaN before it gets here);
// kLongestWaitSeconds for anything longer, inf included; else rounded up.
inline std::chrono::nanoseconds wait_time(double seconds) {
    if (!(seconds > 0.0))
        return std::chrono::nanoseconds(0);
    const double clamped = seconds < kLongestWaitSeconds ? seconds : kLongestWaitSeconds;
    return std::chrono::nanoseconds(static_cast<int64_t>(std::ceil(clamped * 1e9)));
}

// The same in whole milliseconds, rounded up (for OS waits that take milliseconds).
inline int64_t wait_time_ms(double seconds) {
    const auto ns = wait_time(seconds).count();
    return ns / 1000000 + (ns % 1000000 != 0);
}

} // namespace pypac
