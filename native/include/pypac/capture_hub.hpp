// One server-side capture shared by every reader of the same target.
//
// The mixer's waveform, its peak meter and a recording of the same app all
// read ONE capture: the hub copies each block into every reader's own ring, so
// a recorder reads losslessly while a view skips to the newest frames, and a
// second reader costs the server nothing.
#pragma once

#include "pypac/backend.hpp"
#include "pypac/ring_buffer.hpp"

#include <array>
#include <atomic>
#include <memory>
#include <mutex>

namespace pypac {

class CaptureHub;
class Wakeup; // native/src/wakeup.hpp: an OS semaphore, kept out of this public header

// One reader of a hub: its own ring and read position.
class CaptureReader {
  public:
    CaptureReader(std::shared_ptr<CaptureHub> hub, size_t ring_frames);
    ~CaptureReader();
    CaptureReader(const CaptureReader &) = delete;
    CaptureReader &operator=(const CaptureReader &) = delete;

    // Wait up to `timeout_s` for at least one frame, then copy up to
    // `max_frames` into `out`. Returns 0 on timeout or once the capture ended
    // and the ring is empty. Never call with a lock the audio thread needs.
    // `first_ns`, when given, receives the capture time of the first frame
    // returned (monotonic_ns()'s clock), or kNoTime when the backend gave none.
    size_t read(float *out, size_t max_frames, double timeout_s, int64_t *first_ns = nullptr);
    // Wait up to `timeout_s` for at least one frame; returns how many are buffered.
    size_t wait_readable(double timeout_s);
    // Wait until `frames` are buffered (or the capture ended, or timeout).
    bool wait_for_frames(size_t frames, double timeout_s);
    size_t available() const noexcept { return ring_.readable(); }
    // Drop all but the newest `keep` frames; returns how many were dropped.
    size_t skip_to_newest(size_t keep);

    CaptureStats stats() const noexcept;
    bool active() const noexcept {
        return end_.load(std::memory_order_acquire) == CaptureEnd::None;
    }
    CaptureEnd end_reason() const noexcept { return end_.load(std::memory_order_acquire); }
    const CaptureFormat &format() const noexcept { return format_; }
    const CaptureTarget &target() const noexcept { return target_; }
    float peak() const noexcept;
    // Detach from the hub now (the destructor does it too). Buffered frames stay readable.
    void close();

  private:
    friend class CaptureHub;
    void deliver(const float *frames, size_t count, int64_t first_ns) noexcept; // audio thread
    void finish(CaptureEnd why) noexcept;

    std::shared_ptr<CaptureHub> hub_; // reset by close(): the last reader's close ends the capture
    CaptureTarget target_;
    CaptureFormat format_;
    FrameRing ring_;
    FrameTimes times_;                      // when the ring's frames were captured
    uint64_t consumed_ = 0;                 // frames read or skipped (under read_mutex_)
    std::unique_ptr<Wakeup> wakeup_;        // allocated once; notify() never allocates
    std::atomic<size_t> wake_at_frames_{1}; // deliver() wakes the reader from this fill on
    std::atomic<CaptureEnd> end_{CaptureEnd::None};
    std::mutex read_mutex_;        // two Python threads reading one capture take turns
    mutable std::mutex hub_mutex_; // guards hub_ against close() from another thread
    bool attached_ = false;
};

class CaptureHub final : public CaptureSink {
  public:
    static constexpr size_t kMaxReaders = 16;

    CaptureHub(const CaptureTarget &target, const CaptureFormat &format);
    ~CaptureHub() override;

    // The backend stream feeding this hub; set once, right after construction.
    void set_stream(std::unique_ptr<CaptureStream> stream) { stream_ = std::move(stream); }

    // Control side. False when kMaxReaders are attached.
    bool add_reader(CaptureReader *reader);
    void remove_reader(CaptureReader *reader);

    const CaptureTarget &target() const noexcept { return target_; }
    const CaptureFormat &format() const noexcept { return format_; }
    bool ended() const noexcept { return end_.load(std::memory_order_acquire) != CaptureEnd::None; }
    CaptureEnd end_reason() const noexcept { return end_.load(std::memory_order_acquire); }
    float peak() const noexcept { return peak_.load(std::memory_order_relaxed); }
    double server_latency_ms() const noexcept {
        return latency_ms_.load(std::memory_order_relaxed);
    }

    // CaptureSink
    void on_frames(const float *interleaved, size_t frames) noexcept override;
    void on_frame_time(int64_t ns) noexcept override;
    void on_server_latency(double ms) noexcept override;
    void on_end(CaptureEnd why) noexcept override;

  private:
    // Readers are swapped in and out while the audio thread walks the slots:
    // a walker counts itself in `walkers_` for the walk, and a remover, after
    // clearing the slot, waits for the count to touch zero once (every walk
    // that could still see the old pointer has then finished).
    void wait_for_walkers() const noexcept;

    CaptureTarget target_;
    CaptureFormat format_;
    std::unique_ptr<CaptureStream> stream_;
    std::array<std::atomic<CaptureReader *>, kMaxReaders> readers_{};
    std::atomic<int> walkers_{0};
    std::atomic<CaptureEnd> end_{CaptureEnd::None};
    std::atomic<float> peak_{0.0f};
    std::atomic<double> latency_ms_{0.0};
    int64_t next_time_ = kNoTime; // audio thread only: from on_frame_time() to on_frames()
    std::mutex control_mutex_;    // add/remove against each other, never on the audio path
};

} // namespace pypac
