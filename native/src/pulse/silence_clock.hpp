// Silence by the clock while an application sends nothing.
//
// A paused application (every stream corked) or one between streams (it closed
// them and opens new ones later) makes the server deliver nothing at all. A
// recording must hear that time as silence of the right length, not as a
// splice, and a waveform view must fall flat instead of freezing; so while the
// capture is idle this emits zeros at the sample rate, on a mainloop timer.
// The WASAPI backend keeps its captures on the clock the same way.
//
// Mainloop thread only (all calls with the mainloop lock held). The timer
// callback is the audio path: no allocation; the zeros are made up front.
#pragma once

#include "pypac/backend.hpp"

#include <pulse/pulseaudio.h>

#include <cstdint>
#include <memory>

namespace pypac::pulse {

class SilenceClock {
  public:
    SilenceClock(pa_threaded_mainloop *loop, pa_context *context, const CaptureFormat &format,
                 CaptureSink &sink);
    ~SilenceClock();
    SilenceClock(const SilenceClock &) = delete;
    SilenceClock &operator=(const SilenceClock &) = delete;

    // Idle from now on: emit silence until stop().
    void start();
    void stop();
    bool running() const noexcept { return timer_ != nullptr; }

  private:
    static constexpr pa_usec_t kTickUs = 20 * 1000;

    void tick();
    void arm(pa_usec_t at);

    pa_mainloop_api *api_;
    pa_context *context_;
    CaptureFormat format_;
    CaptureSink &sink_;
    std::unique_ptr<float[]> zeros_; // kTickUs * 5 of silence: one tick, or a late one
    size_t zeros_frames_;
    pa_time_event *timer_ = nullptr;
    pa_usec_t since_ = 0;  // when idleness began (pa_rtclock_now)
    uint64_t emitted_ = 0; // frames of silence emitted since then
};

} // namespace pypac::pulse
