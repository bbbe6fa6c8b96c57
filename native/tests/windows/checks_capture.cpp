// Capture plumbing for real: WasapiCapture on the default capture endpoint
// (under Wine: the null sink's monitor carrying a 440 Hz tone) through the
// engine's own CaptureHub, reader ring and stats, exactly as the loopback
// sources run after activation.
#include "capture_run.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace pypac;
using namespace pypac::wasapi;

namespace pypac_check {

namespace {

void tone_and_clock(double seconds) {
    const CaptureFormat f{48000, 2};
    Run run;
    try {
        run = record(CaptureSource::capture_endpoint(), f, seconds);
    } catch (const EngineError &e) {
        fail("capture.open", e.what());
        return;
    }
    pass("capture.open",
         "float32 48000 Hz 2 ch, event driven" +
             (run.warnings.empty() ? std::string() : "; warnings: " + run.warnings));
    bool tone = false;
    const std::string report = tone_report(run, f, 0.1, &tone);
    check("capture.tone", tone, report);
    // Steady state: from 1 s after the first sound (Wine's stream starts ~1 s
    // late and then drains PulseAudio's start-up buffer a little faster).
    const double rate = frame_rate(run, run.first_sound_at + 1.0);
    check("capture.clock", rate > 48000 * 0.98 && rate < 48000 * 1.02,
          fixed(rate, 0) +
              " frames/s against the wall clock in steady state (want 48000 +-2%); "
              "first sound after " +
              fixed(run.first_sound_at, 2) + " s; " + std::to_string(run.packets) +
              " frames came in packets, " + std::to_string(run.filled) +
              " were filled by the clock; overall " + fixed(overall_rate(run), 0) + " frames/s");
    const uint64_t read = run.timeline.empty() ? 0 : run.timeline.back().second;
    check("capture.stats",
          run.stats.dropped_frames == 0 && run.stats.frames_captured >= read &&
              run.stats.frames_captured - read < f.sample_rate / 2 && run.stats.latency_ms >= 0.0 &&
              run.stats.latency_ms < 1000.0,
          "frames_captured " + std::to_string(run.stats.frames_captured) + ", read " +
              std::to_string(read) + ", dropped " + std::to_string(run.stats.dropped_frames) +
              ", latency " + fixed(run.stats.latency_ms, 1) + " ms");
}

void other_format() {
    const CaptureFormat f{44100, 1};
    try {
        Run run = record(CaptureSource::capture_endpoint(), f, 3.5);
        bool tone = false;
        const std::string report = tone_report(run, f, 0.1, &tone);
        const double rate = frame_rate(run, run.first_sound_at + 1.0);
        check("capture.format-44100-mono", tone && rate > 44100 * 0.98 && rate < 44100 * 1.02,
              "buffers read as float32 44100 Hz 1 ch (the format given to Initialize): " + report +
                  ", " + fixed(rate, 0) + " frames/s");
    } catch (const EngineError &e) {
        fail("capture.format-44100-mono", e.what());
    }
}

// Odd channel counts get real speaker positions (3.0, 5.0, 7.0), so the
// engine maps the stereo tone onto the front pair instead of guessing.
void odd_channels() {
    std::string detail;
    bool ok = true;
    for (uint32_t channels : {3u, 5u, 7u}) {
        const CaptureFormat f{48000, channels};
        try {
            Run run = record(CaptureSource::capture_endpoint(), f, 1.5);
            const auto left = channel_of(run.samples, channels, 0);
            const auto right = channel_of(run.samples, channels, 1);
            const double pl = tone_power(left, f.sample_rate, 440.0);
            const double pr = tone_power(right, f.sample_rate, 440.0);
            ok = ok && pl > 0.01 && pr > 0.01;
            detail += std::to_string(channels) + " ch: 440 Hz power FL " + fixed(pl, 3) + " FR " +
                      fixed(pr, 3) + "; ";
        } catch (const EngineError &e) {
            ok = false;
            detail += std::to_string(channels) + " ch: " + e.what() + "; ";
        }
    }
    check("capture.odd-channels", ok, detail + "(dwChannelMask 0x7, 0x37, 0x637)");
}

void process_exit() {
    try {
        Child child = spawn_self("sleep 800");
        CaptureSource source = CaptureSource::capture_endpoint();
        source.watch_pid = child.pid;
        Run run = record(source, {48000, 2}, 6.0);
        // The capture may end only once the child is gone, and soon after.
        const bool child_gone = WaitForSingleObject(child.process.get(), 0) == WAIT_OBJECT_0;
        check("capture.process-exit",
              run.end == CaptureEnd::ProcessExited && child_gone && run.ended_at > 0.0 &&
                  run.ended_at < 4.0,
              "the watched process (slept 0.8 s) exited; the capture ended with reason " +
                  std::to_string(static_cast<int>(run.end)) + " (1 = ProcessExited) " +
                  fixed(run.ended_at, 2) + " s after start, buffered frames read first");
    } catch (const std::exception &e) {
        fail("capture.process-exit", e.what());
    }
}

void rebuild_on_device_change() {
    const CaptureFormat f{48000, 2};
    double signalled_at = -1;
    try {
        Run run = record(CaptureSource::capture_endpoint(), f, 6.0,
                         [&](double t, WasapiCapture &c, const Run &r) {
                             if (r.first_sound_at >= 0 && t > r.first_sound_at + 0.5 &&
                                 signalled_at < 0) {
                                 signalled_at = t;
                                 c.default_device_changed(); // as IMMNotificationClient would
                             }
                         });
        bool tone = false;
        const std::string report = tone_report(run, f, 0.0, &tone, 1.0);
        const double steady = frame_rate(run, run.timeline.back().first - 1.5);
        const double overall = overall_rate(run);
        check("capture.rebuild",
              run.rebuilds == 1 && run.end == CaptureEnd::None && tone && steady > 48000 * 0.98 &&
                  steady < 48000 * 1.02 && overall > 48000 * 0.95 && overall < 48000 * 1.05,
              std::to_string(run.rebuilds) + " rebuild on the capture thread at " +
                  fixed(signalled_at, 2) + " s; no gap: " + fixed(overall, 0) +
                  " frames/s overall (want 48000 +-5%), " + fixed(steady, 0) +
                  " in the last 1.5 s (+-2%); " + report);
    } catch (const EngineError &e) {
        fail("capture.rebuild", e.what());
    }
}

void open_close_repeatedly() {
    const auto t0 = std::chrono::steady_clock::now();
    int opened = 0;
    std::string error;
    for (int i = 0; i < 10; ++i) {
        try {
            Run run = record(CaptureSource::capture_endpoint(), {48000, 2}, 0.1);
            ++opened;
        } catch (const EngineError &e) {
            error = e.what();
        }
    }
    const bool heap_ok = HeapValidate(GetProcessHeap(), 0, nullptr) != FALSE;
    check("capture.open-close", opened == 10 && heap_ok,
          std::to_string(opened) + "/10 opened and closed in " + fixed(seconds_since(t0), 2) +
              " s; process heap " + (heap_ok ? "valid" : "CORRUPT") +
              (error.empty() ? "" : "; " + error));
}

// The longest run of exact zeros after the first sound, in seconds.
double longest_silence(const Run &run, const CaptureFormat &f) {
    const auto mono = channel_of(run.samples, f.channels, 0);
    size_t i = 0;
    while (i < mono.size() && std::fabs(mono[i]) < 0.01f)
        ++i;
    size_t best = 0, current = 0;
    for (; i < mono.size(); ++i) {
        current = mono[i] == 0.0f ? current + 1 : 0;
        best = std::max(best, current);
    }
    return static_cast<double>(best) / f.sample_rate;
}

} // namespace

// The sound server stops delivering for a while (scripts/check-windows.sh
// suspends the null sink ~1 s after READY): no packets come, as with a
// loopback while nothing plays. The capture must fill that time with silence
// of the right length, so the recording keeps the wall clock.
void run_gap_check(double seconds) {
    const CaptureFormat f{48000, 2};
    bool ready = false;
    try {
        Run run = record(CaptureSource::capture_endpoint(), f, seconds,
                         [&](double, WasapiCapture &, const Run &r) {
                             if (r.first_sound_at >= 0 && !ready) {
                                 ready = true;
                                 std::printf("READY\n");
                                 std::fflush(stdout);
                             }
                         });
        const double silence = longest_silence(run, f);
        const double overall = overall_rate(run);
        const double after = frame_rate(run, run.stall_started_at + run.stall + 1.0);
        check("capture.no-packets",
              run.stall > 0.8 && std::fabs(silence - run.stall) < 0.25 && overall > 48000 * 0.95 &&
                  overall < 48000 * 1.05,
              "no packet for " + fixed(run.stall, 2) + " s from " + fixed(run.stall_started_at, 2) +
                  " s -> " + fixed(silence, 2) +
                  " s of exact silence in the recording (want the "
                  "same +-0.25 s); " +
                  fixed(overall, 0) + " frames/s overall (want 48000 +-5%), " +
                  (after > 0 ? fixed(after, 0) + " after the pause; " : std::string()) +
                  std::to_string(run.filled) + " frames filled by the clock");
    } catch (const EngineError &e) {
        fail("capture.no-packets", e.what());
    }
}

void run_capture_checks(double seconds) {
    tone_and_clock(seconds);
    other_format();
    odd_channels();
    process_exit();
    rebuild_on_device_change();
    open_close_repeatedly();
}

} // namespace pypac_check
