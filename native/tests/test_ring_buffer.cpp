// FrameRing under two real threads: every frame arrives once, in order, and
// overflow is counted exactly.
#include "check.hpp"
#include "pypac/ring_buffer.hpp"

#include <atomic>
#include <thread>
#include <vector>

using pypac::FrameRing;

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

int main() {
    test_wraps_and_counts();
    test_skip_to_newest();
    test_two_threads();
    return pypac_test::finish("test_ring_buffer");
}
