// The engine's one clock: every capture's frame times are on it.
//
// CLOCK_MONOTONIC on Linux (libpulse's pa_rtclock_now() reads the same clock,
// so server timing converts without an offset), QueryPerformanceCounter on
// Windows (WASAPI's qpcPosition is on it). Nanoseconds; never goes back;
// safe on the audio thread (no allocation, no lock).
#pragma once

#include <cstdint>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <ctime>
#endif

namespace pypac {

#ifdef _WIN32
// A QPC reading (the counter's own ticks) in nanoseconds.
// QueryPerformanceFrequency reads a value fixed at boot: cheap, lock-free.
inline int64_t qpc_to_ns(int64_t ticks) noexcept {
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    const int64_t freq = static_cast<int64_t>(f.QuadPart);
    // Split to keep ticks * 1e9 from overflowing after a few days of uptime.
    return (ticks / freq) * 1000000000 + (ticks % freq) * 1000000000 / freq;
}

inline int64_t monotonic_ns() noexcept {
    LARGE_INTEGER now;
    QueryPerformanceCounter(&now);
    return qpc_to_ns(static_cast<int64_t>(now.QuadPart));
}
#else
inline int64_t monotonic_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
#endif

// `frames` at `rate` as nanoseconds (rounded down).
inline int64_t frames_to_ns(int64_t frames, uint32_t rate) noexcept {
    return frames / rate * 1000000000 + (frames % rate) * 1000000000 / rate;
}

} // namespace pypac
