// StreamMixer: one stream passes through, two streams are summed in step, a
// stream that stops delivering does not stall the others, flush loses nothing.
#include "check.hpp"
#include "dsp/stream_mixer.hpp"

#include <vector>

using pypac::CaptureEnd;
using pypac::dsp::StreamMixer;

struct CollectSink final : pypac::CaptureSink {
    std::vector<float> samples;
    void on_frames(const float *f, size_t n) noexcept override {
        samples.insert(samples.end(), f, f + n);
    }
    void on_server_latency(double) noexcept override {}
    void on_end(CaptureEnd) noexcept override {}
};

static std::vector<float> constant(size_t frames, float v) { return std::vector<float>(frames, v); }

static void test_single_stream_passthrough() {
    CollectSink sink;
    StreamMixer mixer(1, 48000, sink);
    const int a = mixer.attach();
    auto block = constant(480, 0.5f);
    mixer.push(a, block.data(), block.size());
    CHECK(sink.samples.size() == 480);
    CHECK(sink.samples[479] == 0.5f);
}

static void test_two_streams_sum() {
    CollectSink sink;
    StreamMixer mixer(1, 48000, sink);
    const int a = mixer.attach(), b = mixer.attach();
    auto x = constant(480, 0.25f), y = constant(480, 0.5f);
    mixer.push(a, x.data(), 480);
    mixer.push(b, y.data(), 240);
    // a's first block passes alone (b has not delivered yet); then b joins.
    mixer.push(a, x.data(), 480);
    mixer.push(b, y.data(), 240);
    CHECK(sink.samples.size() >= 480 + 240);
    CHECK(sink.samples.back() == 0.75f);
}

static void test_silent_stream_does_not_stall() {
    CollectSink sink;
    StreamMixer mixer(1, 48000, sink);
    const int a = mixer.attach(), b = mixer.attach();
    auto x = constant(480, 0.25f), y = constant(480, 0.5f);
    mixer.push(b, y.data(), 480); // b delivers once, then stops
    mixer.push(a, x.data(), 480);
    const size_t before = sink.samples.size();
    for (int i = 0; i < 10; ++i) // 100 ms of a alone
        mixer.push(a, x.data(), 480);
    CHECK(sink.samples.size() >= before + 480 * 9); // at most the 40 ms stall limit held back
}

static void test_detach_and_flush_lose_nothing() {
    CollectSink sink;
    StreamMixer mixer(1, 48000, sink);
    const int a = mixer.attach(), b = mixer.attach();
    auto x = constant(480, 0.25f), y = constant(100, 0.5f);
    mixer.push(a, x.data(), 480);
    mixer.push(b, y.data(), 100);
    mixer.push(a, x.data(), 480);
    mixer.detach(b);
    mixer.flush();
    size_t total = sink.samples.size();
    CHECK(total == 960); // every frame of a; b's 100 frames mixed into them
    float sum = 0;
    for (float s : sink.samples)
        sum += s;
    CHECK(sum > 960 * 0.25f + 100 * 0.5f - 1e-3f && sum < 960 * 0.25f + 100 * 0.5f + 1e-3f);
}

int main() {
    test_single_stream_passthrough();
    test_two_streams_sum();
    test_silent_stream_does_not_stall();
    test_detach_and_flush_lose_nothing();
    return pypac_test::finish("test_stream_mixer");
}
