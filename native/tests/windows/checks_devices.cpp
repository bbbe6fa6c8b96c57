// Device changes and losses, as Wine produces them from a real PulseAudio
// server: scripts/check-windows.sh carries out each change when the program
// asks for it (request()), so the capture meets it through the same WASAPI
// calls and errors as on a machine where a device goes away.
#include "capture_run.hpp"

#include "pypac/backend.hpp"
#include "wasapi/wasapi_capture.hpp"

#include <atomic>
#include <memory>

using namespace pypac;
using namespace pypac::wasapi;

namespace pypac_check {

namespace {

// A sink that only counts: frames, and every on_end with its reason.
class EndProbe final : public CaptureSink {
  public:
    void on_frames(const float *, size_t frames) noexcept override { frames_ += frames; }
    void on_server_latency(double) noexcept override {}
    void on_end(CaptureEnd why) noexcept override {
        why_ = static_cast<int>(why);
        ++ends_;
    }
    uint64_t frames() const { return frames_; }
    int ends() const { return ends_; }
    int why() const { return why_; }

  private:
    std::atomic<uint64_t> frames_{0};
    std::atomic<int> ends_{0};
    std::atomic<int> why_{-1};
};

template <typename Done> bool wait_until(double seconds, Done done) {
    const auto t0 = std::chrono::steady_clock::now();
    while (!done()) {
        if (seconds_since(t0) > seconds)
            return false;
        Sleep(20);
    }
    return true;
}

// The capture device disappears for good (its PulseAudio sink is unloaded):
// a capture that keeps failing to reopen ends with Failed once its attempts
// are used up; one that the owner closes between two attempts ends quietly,
// because the sink must hear nothing once the destructor started.
void device_removed() {
    const CaptureFormat f{48000, 2};
    EndProbe gives_up, closed;
    std::unique_ptr<WasapiCapture> a, b;
    try {
        a = std::make_unique<WasapiCapture>(CaptureSource::capture_endpoint(), f, gives_up,
                                            RebuildPolicy{3, 100});
        b = std::make_unique<WasapiCapture>(CaptureSource::capture_endpoint(), f, closed,
                                            RebuildPolicy{100, 100});
        a->start();
        b->start();
    } catch (const EngineError &e) {
        fail("device.rebuild-gives-up", e.what());
        fail("device.stop-during-rebuild", e.what());
        return;
    }
    wait_until(5.0, [&] { return gives_up.frames() > 24000 && closed.frames() > 24000; });
    std::string error;
    if (!request("remove-sink", &error)) {
        fail("device.rebuild-gives-up", error);
        fail("device.stop-during-rebuild", error);
        return;
    }
    const bool retrying = wait_until(
        8.0, [&] { return gives_up.ends() > 0 && b->counters().rebuild_failures.load() >= 2; });
    const uint64_t failures = b->counters().rebuild_failures;
    const auto t0 = std::chrono::steady_clock::now();
    b.reset(); // between two attempts to reopen
    const double stop_s = seconds_since(t0);
    check("device.stop-during-rebuild",
          retrying && failures >= 2 && closed.ends() == 0 && stop_s < 1.0,
          std::to_string(failures) + " failed attempts to reopen, then the owner closed it: " +
              std::to_string(closed.ends()) + " on_end call(s) (want 0), closed in " +
              fixed(stop_s, 2) + " s");
    check("device.rebuild-gives-up",
          gives_up.ends() == 1 && gives_up.why() == static_cast<int>(CaptureEnd::Failed) &&
              contains(a->error(), "reopening") && a->counters().rebuild_failures.load() == 3,
          "on_end " + std::to_string(gives_up.ends()) + "x, reason " +
              std::to_string(gives_up.why()) + " (4 = Failed) after " +
              std::to_string(a->counters().rebuild_failures.load()) + " attempts: " + a->error());
    a.reset();
    if (!request("restore-sink", &error))
        fail("device.restore-sink", error);
}

} // namespace

void run_device_checks() {
    if (!environment().wine) {
        skip("device", "these checks change a PulseAudio server through Wine; on Windows, unplug "
                       "or disable the device by hand");
        return;
    }
    device_removed();
}

} // namespace pypac_check
