// CaptureHub: readers of one capture each get every frame; a reader removed
// while the audio thread delivers is never touched again; end wakes readers.
#include "check.hpp"
#include "pypac/capture_hub.hpp"

#include <atomic>
#include <thread>
#include <vector>

using namespace pypac;

static void test_readers_share_frames() {
    auto hub = std::make_shared<CaptureHub>(CaptureTarget::process(42), CaptureFormat{48000, 2});
    CaptureReader a(hub, 48000), b(hub, 48000);
    std::vector<float> block(2 * 480, 0.5f);
    hub->on_frames(block.data(), 480);
    CHECK(a.available() == 480 && b.available() == 480);
    std::vector<float> out(2 * 480);
    CHECK(a.read(out.data(), 480, 0.0) == 480);
    CHECK(a.available() == 0 && b.available() == 480);
    CHECK(hub->peak() == 0.5f);
}

static void test_end_wakes_reader() {
    auto hub = std::make_shared<CaptureHub>(CaptureTarget::process(42), CaptureFormat{48000, 1});
    CaptureReader r(hub, 4800);
    std::thread ender([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        hub->on_end(CaptureEnd::ProcessExited);
    });
    float out[16];
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(r.read(out, 16, 5.0) == 0);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
    CHECK(!r.active() && r.end_reason() == CaptureEnd::ProcessExited);
    ender.join();
}

static void test_remove_during_delivery() {
    auto hub = std::make_shared<CaptureHub>(CaptureTarget::system(), CaptureFormat{48000, 2});
    std::atomic<bool> stop{false};
    std::thread audio([&] {
        std::vector<float> block(2 * 64, 0.1f);
        while (!stop)
            hub->on_frames(block.data(), 64);
    });
    for (int i = 0; i < 2000; ++i) {
        auto r = std::make_unique<CaptureReader>(hub, 1024);
        r.reset(); // destroyed while the audio thread walks the readers
    }
    stop = true;
    audio.join();
    CHECK(true); // ASan/UBSan builds catch a use-after-free here
}

static void test_reader_frame_times() {
    auto hub = std::make_shared<CaptureHub>(CaptureTarget::process(42), CaptureFormat{1000, 1});
    CaptureReader r(hub, 4000);
    std::vector<float> block(100, 0.25f);
    hub->on_frames(block.data(), 100); // before any time: unknown
    hub->on_frame_time(5000000000);
    hub->on_frames(block.data(), 100);
    hub->on_frames(block.data(), 100); // no time of its own: follows at the rate
    hub->on_frame_time(9000000000);    // a jump
    hub->on_frames(block.data(), 100);
    std::vector<float> out(400);
    int64_t t = 0;
    CHECK(r.read(out.data(), 100, 0.0, &t) == 100 && t == pypac::kNoTime);
    CHECK(r.read(out.data(), 150, 0.0, &t) == 150 && t == 5000000000);
    CHECK(r.read(out.data(), 50, 0.0, &t) == 50 && t == 5150000000);
    CHECK(r.read(out.data(), 100, 0.0, &t) == 100 && t == 9000000000);
    // A second reader that joins later counts its own frames from its start.
    CaptureReader late(hub, 4000);
    hub->on_frame_time(10000000000);
    hub->on_frames(block.data(), 100);
    CHECK(late.read(out.data(), 100, 0.0, &t) == 100 && t == 10000000000);
    // Skipped frames move the reader's place on the clock too.
    hub->on_frame_time(11000000000);
    hub->on_frames(block.data(), 100);
    CHECK(r.skip_to_newest(40) == 160);
    CHECK(r.read(out.data(), 40, 0.0, &t) == 40 && t == 11060000000);
}

int main() {
    test_reader_frame_times();
    test_readers_share_frames();
    test_end_wakes_reader();
    test_remove_during_delivery();
    return pypac_test::finish("test_capture_hub");
}
