// Lock-free single-producer / single-consumer ring of float32 frames.
//
// The producer is an audio thread: write() never blocks, never allocates and
// never waits for the reader. When the ring is full the frames that do not fit
// are dropped and counted (overflow is never silent). The consumer is any one
// other thread at a time. Debug builds assert that each side keeps to one
// thread (as cubeb's ring buffer does), which catches a second reader early.
#pragma once

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>

namespace pypac {

// "No time known" for a frame (no backend mark came yet).
constexpr int64_t kNoTime = INT64_MIN;

class FrameRing {
  public:
    // Room for at least `min_frames` frames of `channels` samples each.
    FrameRing(size_t min_frames, uint32_t channels) : channels_(channels) {
        size_t cap = 1;
        while (cap < min_frames + 1)
            cap <<= 1;
        capacity_ = cap;
        samples_ = std::make_unique<float[]>(cap * channels);
    }

    FrameRing(const FrameRing &) = delete;
    FrameRing &operator=(const FrameRing &) = delete;

    uint32_t channels() const { return channels_; }
    // Usable frames (one slot stays free to tell full from empty).
    size_t capacity() const { return capacity_ - 1; }

    // Producer side. Returns how many frames were stored; the rest count as dropped.
    size_t write(const float *frames, size_t count) noexcept {
        assert_thread(producer_);
        const size_t w = write_.load(std::memory_order_relaxed);
        const size_t r = read_.load(std::memory_order_acquire);
        const size_t room = capacity_ - 1 - ((w - r) & (capacity_ - 1));
        const size_t n = std::min(count, room);
        copy_in(w, frames, n);
        write_.store((w + n) & (capacity_ - 1), std::memory_order_release);
        if (n < count)
            dropped_.fetch_add(count - n, std::memory_order_relaxed);
        written_.fetch_add(n, std::memory_order_relaxed);
        return n;
    }

    // Consumer side: frames ready to read.
    size_t readable() const noexcept {
        const size_t w = write_.load(std::memory_order_acquire);
        const size_t r = read_.load(std::memory_order_relaxed);
        return (w - r) & (capacity_ - 1);
    }

    // Consumer side. Copies up to `max_frames` frames out; returns how many.
    size_t read(float *out, size_t max_frames) noexcept {
        assert_thread(consumer_);
        const size_t r = read_.load(std::memory_order_relaxed);
        const size_t n = std::min(max_frames, readable());
        copy_out(r, out, n);
        read_.store((r + n) & (capacity_ - 1), std::memory_order_release);
        return n;
    }

    // Consumer side. Forget all but the newest `keep` frames (views that only
    // want the latest audio call this instead of reading what they would discard).
    size_t skip_to_newest(size_t keep) noexcept {
        assert_thread(consumer_);
        const size_t avail = readable();
        if (avail <= keep)
            return 0;
        const size_t skip = avail - keep;
        const size_t r = read_.load(std::memory_order_relaxed);
        read_.store((r + skip) & (capacity_ - 1), std::memory_order_release);
        return skip;
    }

    uint64_t frames_written() const noexcept { return written_.load(std::memory_order_relaxed); }
    uint64_t frames_dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

    // The consumer may move to another thread between reads (a Python object
    // used from a worker thread after creation); the owner says so explicitly.
    void release_consumer_thread() noexcept {
#ifndef NDEBUG
        consumer_.store(std::thread::id(), std::memory_order_relaxed);
#endif
    }

  private:
    void copy_in(size_t at, const float *src, size_t n) noexcept {
        const size_t first = std::min(n, capacity_ - at);
        std::memcpy(&samples_[at * channels_], src, first * channels_ * sizeof(float));
        std::memcpy(&samples_[0], src + first * channels_, (n - first) * channels_ * sizeof(float));
    }
    void copy_out(size_t at, float *dst, size_t n) const noexcept {
        const size_t first = std::min(n, capacity_ - at);
        std::memcpy(dst, &samples_[at * channels_], first * channels_ * sizeof(float));
        std::memcpy(dst + first * channels_, &samples_[0], (n - first) * channels_ * sizeof(float));
    }

#ifndef NDEBUG
    static void assert_thread(std::atomic<std::thread::id> &owner) noexcept {
        std::thread::id expected{};
        const auto me = std::this_thread::get_id();
        if (!owner.compare_exchange_strong(expected, me, std::memory_order_relaxed))
            assert(expected == me && "FrameRing side used from two threads");
    }
    std::atomic<std::thread::id> producer_{};
    std::atomic<std::thread::id> consumer_{};
#else
    static void assert_thread(int) noexcept {}
    int producer_ = 0, consumer_ = 0;
#endif

    uint32_t channels_;
    size_t capacity_ = 0;
    std::unique_ptr<float[]> samples_;
    alignas(64) std::atomic<size_t> write_{0};
    alignas(64) std::atomic<size_t> read_{0};
    std::atomic<uint64_t> written_{0};
    std::atomic<uint64_t> dropped_{0};
};

// When the frames of a FrameRing were captured, beside the ring.
//
// The producer (the audio thread, right before it writes a block) marks "the
// stored frame number N was captured at T ns"; the consumer asks for the time
// of the frame it is about to read and gets it from the newest mark at or
// before that frame, plus the frames since at the sample rate. Marks are
// small and kept in their own lock-free SPSC queue: the producer never waits,
// and when the consumer falls far behind, new marks are dropped (counted), and
// the frames' times are extrapolated from the last mark read, which the
// capture's clock keeps right unless the stream jumped meanwhile.
class FrameTimes {
  public:
    FrameTimes(uint32_t sample_rate, size_t min_marks) : rate_(sample_rate) {
        size_t cap = 1;
        while (cap < min_marks + 1)
            cap <<= 1;
        capacity_ = cap;
        marks_ = std::make_unique<Mark[]>(cap);
    }
    FrameTimes(const FrameTimes &) = delete;
    FrameTimes &operator=(const FrameTimes &) = delete;

    // Producer side: stored frame `frame` (counted from the ring's first) was
    // captured at `ns`. Never blocks; a full queue drops the mark.
    void mark(uint64_t frame, int64_t ns) noexcept {
        const size_t w = write_.load(std::memory_order_relaxed);
        const size_t r = read_.load(std::memory_order_acquire);
        if (((w + 1) & (capacity_ - 1)) == r) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        marks_[w] = Mark{frame, ns};
        write_.store((w + 1) & (capacity_ - 1), std::memory_order_release);
    }

    // Consumer side: the capture time of stored frame `frame`, or kNoTime
    // when no mark came yet. Ask in non-decreasing frame order: marks before
    // `frame` are consumed.
    int64_t time_of(uint64_t frame) noexcept {
        size_t r = read_.load(std::memory_order_relaxed);
        const size_t w = write_.load(std::memory_order_acquire);
        while (r != w && marks_[r].frame <= frame) {
            last_ = marks_[r];
            r = (r + 1) & (capacity_ - 1);
        }
        read_.store(r, std::memory_order_release);
        if (last_.ns == kNoTime)
            return kNoTime;
        const uint64_t since = frame - last_.frame;
        return last_.ns + static_cast<int64_t>(since / rate_ * 1000000000ull +
                                               (since % rate_) * 1000000000ull / rate_);
    }

    uint64_t marks_dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

  private:
    struct Mark {
        uint64_t frame = 0;
        int64_t ns = kNoTime;
    };
    uint32_t rate_;
    size_t capacity_ = 0;
    std::unique_ptr<Mark[]> marks_;
    Mark last_{}; // consumer side only
    alignas(64) std::atomic<size_t> write_{0};
    alignas(64) std::atomic<size_t> read_{0};
    std::atomic<uint64_t> dropped_{0};
};

} // namespace pypac
