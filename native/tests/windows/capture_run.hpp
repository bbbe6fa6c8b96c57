// Reading a WasapiCapture the way the engine does (CaptureHub, reader ring,
// stats) and measuring what came out: shared by the capture and device checks.
#pragma once

#include "check_harness.hpp"

#include "pypac/types.hpp"
#include "wasapi/wasapi_capture.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace pypac_check {

struct Run {
    std::vector<float> samples;                        // interleaved, as read
    std::vector<std::pair<double, uint64_t>> timeline; // (s since start, frames read so far)
    pypac::CaptureStats stats;
    pypac::CaptureEnd end = pypac::CaptureEnd::None;
    double ended_at = 0;
    std::string warnings, error;
    uint64_t filled = 0, packets = 0, rebuilds = 0;
    double first_sound_at = -1; // when the first non-silent frame was read
    double stall = 0;           // longest time without a packet, after the first sound
    double stall_started_at = 0;
};

// Called after each read: (seconds since start, the capture, the run so far).
using During = std::function<void(double, pypac::wasapi::WasapiCapture &, const Run &)>;

// Reads `seconds` of `source`. Throws EngineError when it cannot start.
Run record(const pypac::wasapi::CaptureSource &source, const pypac::CaptureFormat &format,
           double seconds, const During &during = {});

// Frames per second from `from` s to the end: the least-squares slope of
// (time, frames read), which evens out the bursts packets arrive in.
double frame_rate(const Run &run, double from);

// Frames read per second of wall clock over the whole run.
double overall_rate(const Run &run);

// 440 Hz on channel 0 after `skip_s` of start-up (from the first sound on).
// With `last_s` > 0, only the final `last_s` seconds count.
std::string tone_report(const Run &run, const pypac::CaptureFormat &f, double skip_s, bool *ok,
                        double last_s = 0);

} // namespace pypac_check
