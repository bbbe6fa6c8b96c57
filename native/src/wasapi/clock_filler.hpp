// Keeps a capture on the wall clock when WASAPI delivers nothing.
//
// Loopback delivers no packets while nothing plays (a process-loopback client
// of an idle app gets none at all; an endpoint loopback stops between
// sounds), and packets resume with a timestamp. A recording must hear those
// periods as silence of the right length, not as a gap. The filler follows
// the timeline of what was emitted and says how much silence to insert:
//   * before a packet that starts later than the emitted audio ends (a hole
//     bigger than `tolerance`), and
//   * while idle, up to `hold_back` behind now: late enough that a packet
//     still in flight finds its place free, soon enough for a recorder.
// Packets that arrive back to back re-anchor the timeline on their own
// timestamps, so the device clock's drift against the system clock never
// accumulates into invented frames.
//
// Pure arithmetic on 100 ns ticks (the unit of IAudioCaptureClient::GetBuffer's
// QPC position); the capture thread owns it. Real-time safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pypac::wasapi {

class ClockFiller {
  public:
    static constexpr int64_t kTicksPerSecond = 10000000;

    ClockFiller(uint32_t sample_rate, int64_t tolerance_ticks, int64_t hold_back_ticks) noexcept
        : rate_(sample_rate), tolerance_(tolerance_ticks), hold_back_(hold_back_ticks) {}

    // The stream started at `now`: the timeline begins there.
    void start(int64_t now) noexcept {
        end_ = now;
        started_ = true;
    }
    bool started() const noexcept { return started_; }

    // A packet of `frames` recorded from `start` on. Returns the frames of
    // silence to emit before it.
    size_t on_packet(int64_t start, size_t frames) noexcept {
        size_t fill = 0;
        if (start - end_ > tolerance_) {
            fill = to_frames(start - end_);
            end_ = start;
        }
        // Back to back or overlapping (the idle fill ran ahead): the packet
        // continues the timeline. A small hole is absorbed without frames.
        const int64_t from = start > end_ ? start : end_;
        end_ = from + to_ticks(frames);
        return fill;
    }

    // Nothing arrived up to `now`. Returns the frames of silence due.
    size_t on_idle(int64_t now) noexcept {
        const int64_t due = now - hold_back_;
        if (due - end_ <= tolerance_)
            return 0;
        const size_t frames = to_frames(due - end_);
        end_ += to_ticks(frames); // whole frames only, so no rounding creeps in
        return frames;
    }

    // 100 ns ticks of QPC time as nanoseconds on monotonic_ns()'s clock.
    static constexpr int64_t ticks_to_ns(int64_t ticks) noexcept { return ticks * 100; }

    // Where the emitted audio ends, in ticks.
    int64_t end() const noexcept { return end_; }

    size_t to_frames(int64_t ticks) const noexcept {
        return ticks <= 0
                   ? 0
                   : static_cast<size_t>((ticks * static_cast<int64_t>(rate_)) / kTicksPerSecond);
    }
    int64_t to_ticks(size_t frames) const noexcept {
        return static_cast<int64_t>(frames) * kTicksPerSecond / static_cast<int64_t>(rate_);
    }

  private:
    uint32_t rate_;
    int64_t tolerance_;
    int64_t hold_back_;
    int64_t end_ = 0;
    bool started_ = false;
};

} // namespace pypac::wasapi
