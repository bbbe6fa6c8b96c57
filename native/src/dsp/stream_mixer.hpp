// Sums the streams of one application into one stream.
//
// A process may play several streams at once (a browser's tabs, a game's
// music and effects). Each arrives in blocks on its own schedule, so every
// stream gets a FIFO and the mixer emits the frames that all live streams
// have delivered. A stream that stops delivering (paused, or not started yet)
// would stall the others: once the others are `stall_frames` ahead it is
// marked stalled and left out until it delivers again.
//
// Threading: every call on ONE thread (libpulse's mainloop). push() is on the
// audio path: no allocation, no locks; attach() allocates and is control-path.
#pragma once

#include "pypac/backend.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace pypac::dsp {

class StreamMixer {
  public:
    static constexpr int kMaxStreams = 32;

    StreamMixer(uint32_t channels, uint32_t sample_rate, CaptureSink &out);

    // Control path. A slot id, or -1 when kMaxStreams streams are attached.
    int attach();
    // Control path. The slot's buffered frames are still mixed, then it is freed.
    void detach(int slot);
    // Audio path. Append a stream's frames; emits whatever is complete.
    void push(int slot, const float *frames, size_t count) noexcept;
    void push_silence(int slot, size_t count) noexcept;
    // Emit everything still buffered, padding short streams with silence.
    void flush() noexcept;

    size_t attached() const noexcept;
    // Frames of `slot` waiting to be mixed: the next frame emitted is that
    // many frames older than the slot's next pushed frame.
    size_t buffered(int slot) const noexcept {
        return slot >= 0 && slot < kMaxStreams ? slots_[slot].fill : 0;
    }

  private:
    struct Slot {
        std::unique_ptr<float[]> fifo;
        size_t fill = 0; // frames buffered
        bool in_use = false;
        bool detached = false; // no more data will come; drain and free
        bool stalled = true;   // left out of the "all streams delivered" rule
    };

    void append(Slot &s, const float *frames, size_t count) noexcept;
    void mix_ready() noexcept;
    void emit(size_t frames) noexcept;

    uint32_t channels_;
    size_t fifo_frames_;
    size_t stall_frames_;
    CaptureSink &out_;
    Slot slots_[kMaxStreams];
    std::unique_ptr<float[]> scratch_;
    size_t scratch_frames_;
};

} // namespace pypac::dsp
