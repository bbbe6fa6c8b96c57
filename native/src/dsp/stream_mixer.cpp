#include "stream_mixer.hpp"

#include <algorithm>
#include <cstring>

namespace pypac::dsp {

StreamMixer::StreamMixer(uint32_t channels, uint32_t sample_rate, CaptureSink &out)
    : channels_(channels), fifo_frames_(sample_rate / 2), // 500 ms per stream
      stall_frames_(sample_rate / 25),                    // 40 ms
      out_(out), scratch_frames_(sample_rate / 10) {
    scratch_ = std::make_unique<float[]>(scratch_frames_ * channels_);
}

int StreamMixer::attach() {
    for (int i = 0; i < kMaxStreams; ++i) {
        Slot &s = slots_[i];
        if (s.in_use)
            continue;
        if (!s.fifo)
            s.fifo = std::make_unique<float[]>(fifo_frames_ * channels_);
        s.fill = 0;
        s.in_use = true;
        s.detached = false;
        s.stalled = true; // joins when its first frames arrive
        return i;
    }
    return -1;
}

void StreamMixer::detach(int slot) {
    if (slot < 0 || slot >= kMaxStreams || !slots_[slot].in_use)
        return;
    Slot &s = slots_[slot];
    s.detached = true;
    s.stalled = true;
    if (s.fill == 0)
        s.in_use = false;
    mix_ready();
}

size_t StreamMixer::attached() const noexcept {
    size_t n = 0;
    for (const Slot &s : slots_)
        n += s.in_use && !s.detached;
    return n;
}

void StreamMixer::append(Slot &s, const float *frames, size_t count) noexcept {
    // A FIFO only fills up when the other streams are silent for longer than
    // the stall limit and this one is not; then emit to make room.
    while (count > 0) {
        if (s.fill == fifo_frames_)
            emit(std::min(fifo_frames_, scratch_frames_));
        const size_t n = std::min(count, fifo_frames_ - s.fill);
        float *dst = &s.fifo[s.fill * channels_];
        if (frames) {
            std::memcpy(dst, frames, n * channels_ * sizeof(float));
            frames += n * channels_;
        } else {
            std::memset(dst, 0, n * channels_ * sizeof(float));
        }
        s.fill += n;
        count -= n;
    }
}

void StreamMixer::push(int slot, const float *frames, size_t count) noexcept {
    if (slot < 0 || slot >= kMaxStreams || !slots_[slot].in_use || count == 0)
        return;
    Slot &s = slots_[slot];
    // Fast path: the only stream, nothing buffered: hand the block straight on.
    bool alone = true;
    for (int i = 0; i < kMaxStreams && alone; ++i)
        alone = i == slot || !slots_[i].in_use;
    if (alone && s.fill == 0 && frames) {
        s.stalled = false;
        out_.on_frames(frames, count);
        return;
    }
    s.stalled = false;
    append(s, frames, count);
    mix_ready();
}

void StreamMixer::push_silence(int slot, size_t count) noexcept { push(slot, nullptr, count); }

void StreamMixer::mix_ready() noexcept {
    for (;;) {
        size_t min_live = SIZE_MAX, max_fill = 0;
        for (const Slot &s : slots_) {
            if (!s.in_use)
                continue;
            max_fill = std::max(max_fill, s.fill);
            if (!s.stalled)
                min_live = std::min(min_live, s.fill);
        }
        size_t n = 0;
        if (min_live == SIZE_MAX) {
            // Every stream is stalled or draining: emit what was delivered.
            n = max_fill;
        } else if (min_live > 0) {
            n = min_live;
        } else if (max_fill >= stall_frames_) {
            // Someone is far ahead of a silent stream: leave the silent ones out.
            for (Slot &s : slots_)
                if (s.in_use && s.fill == 0)
                    s.stalled = true;
            continue;
        }
        if (n == 0)
            return;
        emit(n);
    }
}

void StreamMixer::flush() noexcept {
    size_t max_fill = 0;
    for (const Slot &s : slots_)
        if (s.in_use)
            max_fill = std::max(max_fill, s.fill);
    while (max_fill > 0) {
        const size_t n = std::min(max_fill, scratch_frames_);
        emit(n);
        max_fill -= n;
    }
}

void StreamMixer::emit(size_t frames) noexcept {
    while (frames > 0) {
        const size_t n = std::min(frames, scratch_frames_);
        float *mix = scratch_.get();
        std::memset(mix, 0, n * channels_ * sizeof(float));
        for (Slot &s : slots_) {
            if (!s.in_use || s.fill == 0)
                continue;
            const size_t take = std::min(n, s.fill);
            const float *src = s.fifo.get();
            for (size_t i = 0; i < take * channels_; ++i)
                mix[i] += src[i];
            std::memmove(s.fifo.get(), src + take * channels_,
                         (s.fill - take) * channels_ * sizeof(float));
            s.fill -= take;
            if (s.fill == 0 && s.detached)
                s.in_use = false;
        }
        out_.on_frames(mix, n);
        frames -= n;
    }
}

} // namespace pypac::dsp
