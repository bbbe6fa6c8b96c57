// FrameRing under two real threads: every frame arrives once, in order, and
// overflow is counted exactly.
#include "check.hpp"
#include "pypac/ring_buffer.hpp"

#include <atomic>
#include <thread>
#include <vector>

using pypac::FrameRing;
using pypac::FrameTimes;

static void test_wraps_and_counts() {
    FrameRing ring(7, 2); // rounds up to 8 slots, 7 usable
    CHECK(ring.capacity() == 7);
    std::vector<float> in(2 * 10);
    for (size_t i = 0; i < in.size(); ++i)
        in[i] = static_cast<float>(i);
    CHECK(ring.write(in.data(), 5) == 5);
    std::vector<float> out(2 * 10);
    CHECK(ring.read(out.data(), 3) == 3);
    CHECK(out[0] == 0.0f && out[5] == 5.0f);
    CHECK(ring.write(in.data(), 10) == 5); // 2 buffered + 5 = full; 5 dropped
    CHECK(ring.frames_dropped() == 5);
    CHECK(ring.readable() == 7);
    CHECK(ring.read(out.data(), 10) == 7);
    CHECK(out[0] == 6.0f && out[4] == 0.0f && out[13] == 9.0f); // frames 3,4 then 0..4
}

static void test_skip_to_newest() {
    FrameRing ring(100, 1);
    std::vector<float> in(50);
    for (size_t i = 0; i < in.size(); ++i)
        in[i] = static_cast<float>(i);
    ring.write(in.data(), 50);
    CHECK(ring.skip_to_newest(10) == 40);
    float out[10];
    CHECK(ring.read(out, 10) == 10);
    CHECK(out[0] == 40.0f && out[9] == 49.0f);
}

static void test_two_threads() {
    constexpr size_t kFrames = 2'000'000;
    constexpr uint32_t kChannels = 2;
    FrameRing ring(4096, kChannels);
    std::atomic<bool> done{false};
    std::thread producer([&] {
        float block[64 * kChannels];
        size_t next = 0;
        while (next < kFrames) {
            const size_t n = std::min<size_t>(64, kFrames - next);
            for (size_t i = 0; i < n; ++i)
                for (uint32_t c = 0; c < kChannels; ++c)
                    block[i * kChannels + c] = static_cast<float>((next + i) % 1000003);
            // Lossless producer for this test: retry what did not fit.
            size_t put = 0;
            while (put < n) {
                const size_t w = ring.readable() < ring.capacity()
                                     ? std::min(n - put, ring.capacity() - ring.readable())
                                     : 0;
                if (w)
                    put += ring.write(block + put * kChannels, w);
                else
                    std::this_thread::yield();
            }
            next += n;
        }
        done = true;
    });
    size_t expected = 0;
    bool in_order = true;
    float buf[256 * kChannels];
    while (expected < kFrames) {
        const size_t n = ring.read(buf, 256);
        for (size_t i = 0; i < n; ++i) {
            in_order = in_order && buf[i * kChannels] == static_cast<float>(expected % 1000003) &&
                       buf[i * kChannels + 1] == buf[i * kChannels];
            ++expected;
        }
        if (n == 0)
            std::this_thread::yield();
    }
    producer.join();
    CHECK(in_order);
    CHECK(ring.frames_dropped() == 0);
    CHECK(ring.frames_written() == kFrames);
}

static void test_frame_times() {
    FrameTimes times(48000, 4);
    CHECK(times.time_of(0) == pypac::kNoTime); // no mark yet
    times.mark(0, 1000000000);
    times.mark(480, 1010000000 + 7); // 10 ms later, plus a jitter the mark keeps
    CHECK(times.time_of(0) == 1000000000);
    CHECK(times.time_of(240) == 1005000000); // between marks: the first, extrapolated
    CHECK(times.time_of(480) == 1010000007);
    CHECK(times.time_of(48480) == 2010000007); // past every mark: at the sample rate
    // A jump (the stream resumed after a pause): the new mark places the frames.
    times.mark(50000, 5000000000);
    CHECK(times.time_of(50000) == 5000000000);
    CHECK(times.time_of(50048) == 5001000000);
}

static void test_frame_times_full_queue() {
    FrameTimes times(1000, 2); // rounds up to 4 slots, 3 usable
    for (uint64_t i = 0; i < 5; ++i)
        times.mark(i * 10, static_cast<int64_t>(i) * 1000000000);
    CHECK(times.marks_dropped() == 2);
    // The last mark kept (frame 20) places later frames; the dropped ones are lost.
    CHECK(times.time_of(45) == 2000000000 + 25 * 1000000);
    times.mark(100, 42);
    CHECK(times.time_of(100) == 42);
}

static void test_frame_times_two_threads() {
    // The producer marks every block's first frame with its frame number as
    // the time: any frame the consumer asks about must come out as itself.
    constexpr uint64_t kBlocks = 20000, kBlock = 48;
    FrameTimes times(48000, 64);
    std::atomic<uint64_t> consumed{0}, marked{0};
    std::thread producer([&] {
        for (uint64_t b = 0; b < kBlocks; ++b) {
            while (b > consumed.load(std::memory_order_acquire) / kBlock + 32)
                std::this_thread::yield(); // keep the queue from overflowing
            times.mark(b * kBlock, static_cast<int64_t>(b * kBlock) * 1000000000 / 48000);
            marked.store((b + 1) * kBlock, std::memory_order_release);
        }
    });
    uint64_t frame = 0;
    bool exact = true;
    while (frame < kBlocks * kBlock) {
        if (frame >= marked.load(std::memory_order_acquire)) {
            std::this_thread::yield(); // as a reader: only frames that were written
            continue;
        }
        const int64_t t = times.time_of(frame);
        exact = exact && t == static_cast<int64_t>(frame) * 1000000000 / 48000;
        frame += 7;
        consumed.store(frame, std::memory_order_release);
    }
    producer.join();
    CHECK(exact);
    CHECK(times.marks_dropped() == 0);
}

int main() {
    test_frame_times();
    test_frame_times_full_queue();
    test_frame_times_two_threads();
    test_wraps_and_counts();
    test_skip_to_newest();
    test_two_threads();
    return pypac_test::finish("test_ring_buffer");
}
