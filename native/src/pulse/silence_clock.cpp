#include "silence_clock.hpp"

#include <algorithm>

namespace pypac::pulse {

SilenceClock::SilenceClock(pa_threaded_mainloop *loop, pa_context *context,
                           const CaptureFormat &format, CaptureSink &sink)
    : api_(pa_threaded_mainloop_get_api(loop)), context_(context), format_(format), sink_(sink),
      zeros_frames_(static_cast<size_t>(format.sample_rate) * 5 * kTickUs / 1000000) {
    zeros_ = std::make_unique<float[]>(zeros_frames_ * format.channels); // value-initialized: 0
}

SilenceClock::~SilenceClock() { stop(); }

void SilenceClock::start() {
    if (running())
        return;
    since_ = pa_rtclock_now();
    emitted_ = 0;
    arm(since_ + kTickUs);
}

void SilenceClock::stop() {
    if (!timer_)
        return;
    api_->time_free(timer_);
    timer_ = nullptr;
}

void SilenceClock::arm(pa_usec_t at) {
    if (timer_) {
        pa_context_rttime_restart(context_, timer_, at);
        return;
    }
    timer_ = pa_context_rttime_new(
        context_, at,
        [](pa_mainloop_api *, pa_time_event *, const timeval *, void *u) {
            static_cast<SilenceClock *>(u)->tick();
        },
        this);
}

void SilenceClock::tick() {
    const pa_usec_t now = pa_rtclock_now();
    const uint64_t due = (now - since_) * format_.sample_rate / 1000000;
    while (emitted_ < due) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(due - emitted_, zeros_frames_));
        sink_.on_frames(zeros_.get(), n);
        emitted_ += n;
    }
    arm(now + kTickUs);
}

} // namespace pypac::pulse
