// Device changes and losses, as Wine produces them from a real PulseAudio
// server: scripts/check-windows.sh carries out each change when the program
// asks for it (request()), so the capture meets it through the same WASAPI
// calls and errors as on a machine where a device goes away.
#include "capture_run.hpp"
#include "wine_default_device.hpp"

#include "pypac/backend.hpp"
#include "wasapi/capture_source.hpp"
#include "wasapi/hresult.hpp"
#include "wasapi/wasapi_capture.hpp"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

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

// A default-following capture hears Wine announce a new default capture
// device (IMMNotificationClient, as on Windows) and reopens on it: one
// rebuild, the tone continues, the capture does not end.
void follow_default(WineDefaultCapture &announcer) {
    const CaptureFormat f{48000, 2};
    std::string why;
    bool announced = false;
    double at = -1;
    try {
        Run run = record(CaptureSource::capture_endpoint(), f, 3.0,
                         [&](double t, WasapiCapture &, const Run &r) {
                             if (r.first_sound_at >= 0 && t > r.first_sound_at + 0.5 && at < 0) {
                                 at = t;
                                 announced = announcer.announce(&why);
                             }
                         });
        bool tone = false;
        const std::string report = tone_report(run, f, 0.0, &tone, 1.0);
        check("device.follow-default",
              announced && run.rebuilds == 1 && run.end == CaptureEnd::None && tone,
              (announced ? "Wine announced a new default capture device at " + fixed(at, 2) + " s"
                         : why) +
                  "; " + std::to_string(run.rebuilds) + " rebuild (want 1), then " + report);
    } catch (const EngineError &e) {
        fail("device.follow-default", e.what());
    }
}

// The default changes while the capture's stream is still opening: the
// script stops the PulseAudio server, so opening blocks inside Wine's
// IAudioClient::Initialize, and the change is announced right then. A watch
// registered only after the open would miss it and stay on the old device;
// registered first, the capture rebuilds as soon as it runs.
void change_during_open(WineDefaultCapture &announcer) {
    const std::string name = "device.change-during-open";
    const CaptureFormat f{48000, 2};
    std::string error;
    if (!request("suspend-server", &error)) {
        fail(name, error);
        return;
    }
    Run run;
    std::string open_error;
    std::thread opener([&] {
        try {
            run = record(CaptureSource::capture_endpoint(), f, 2.5);
        } catch (const EngineError &e) {
            open_error = e.what();
        }
    });
    Sleep(500); // the capture thread is now blocked inside open_stream()
    std::string why;
    const bool announced = announcer.announce(&why);
    const bool resumed = request("resume-server", &error);
    opener.join();
    bool tone = false;
    const std::string report = open_error.empty() ? tone_report(run, f, 0.0, &tone, 1.0) : "";
    check(name,
          resumed && announced && open_error.empty() && run.rebuilds == 1 &&
              run.end == CaptureEnd::None && tone,
          !resumed              ? error
          : !announced          ? why
          : !open_error.empty() ? open_error
                                : "announced while Initialize waited for the stopped server; " +
                                      std::to_string(run.rebuilds) +
                                      " rebuild once running (want 1), then " + report);
}

// The device is reset under the capture: the script unloads the null sink
// and loads it again at once (same name, so Wine gives it the same endpoint
// id). The stream dies, which Wine reports as AUDCLNT_E_DEVICE_INVALIDATED,
// the error Windows gives when a device is reset or its format is changed in
// the Sound control panel. Any capture, not only one following the default,
// reopens the same source: one rebuild, no gap, the tone goes on.
void invalidated(const std::string &name, const CaptureSource &source) {
    const CaptureFormat f{48000, 2};
    std::string error;
    bool asked = false, done = false;
    double at = -1;
    try {
        Run run = record(source, f, 6.0, [&](double t, WasapiCapture &, const Run &r) {
            if (r.first_sound_at >= 0 && t > r.first_sound_at + 0.3 && !asked) {
                asked = true;
                at = t;
                done = request("reset-sink", &error);
            }
        });
        bool tone = false;
        const std::string report = tone_report(run, f, 0.0, &tone, 1.0);
        const double overall = overall_rate(run);
        check(name,
              done && run.rebuilds == 1 && run.end == CaptureEnd::None && tone &&
                  overall > 48000 * 0.95 && overall < 48000 * 1.05,
              (done ? "device reset at " + fixed(at, 2) + " s; " : error + "; ") +
                  std::to_string(run.rebuilds) + " rebuild (want 1), end reason " +
                  std::to_string(static_cast<int>(run.end)) + ", " + fixed(overall, 0) +
                  " frames/s overall; then " + report +
                  (run.error.empty() ? "" : "; error: " + run.error));
    } catch (const EngineError &e) {
        fail(name, e.what());
    }
}

// The capture device disappears for good (its PulseAudio sink is unloaded):
// a capture that keeps failing to reopen ends with Failed once its attempts
// are used up; one that the owner closes between two attempts ends quietly,
// because the sink must hear nothing once the destructor started; one whose
// target process exits meanwhile ends with ProcessExited, as a process
// loopback does when the app quits while its device is gone.
void device_removed() {
    const std::vector<std::string> names = {"device.rebuild-gives-up", "device.stop-during-rebuild",
                                            "device.target-exits-during-rebuild"};
    const auto fail_all = [&](const std::string &why) {
        for (const auto &name : names)
            fail(name, why);
    };
    const CaptureFormat f{48000, 2};
    EndProbe gives_up, closed, exited;
    std::unique_ptr<WasapiCapture> a, b, c;
    Child target;
    try {
        target = spawn_self("sleep 60000");
        CaptureSource watched = CaptureSource::capture_endpoint();
        watched.watch_pid = target.pid;
        a = std::make_unique<WasapiCapture>(CaptureSource::capture_endpoint(), f, gives_up,
                                            RebuildPolicy{3, 100});
        b = std::make_unique<WasapiCapture>(CaptureSource::capture_endpoint(), f, closed,
                                            RebuildPolicy{100, 100});
        c = std::make_unique<WasapiCapture>(watched, f, exited, RebuildPolicy{100, 100});
        a->start();
        b->start();
        c->start();
    } catch (const std::exception &e) {
        fail_all(e.what());
        return;
    }
    wait_until(5.0, [&] {
        return gives_up.frames() > 24000 && closed.frames() > 24000 && exited.frames() > 24000;
    });
    std::string error;
    if (!request("remove-sink", &error)) {
        fail_all(error);
        return;
    }
    const bool retrying = wait_until(8.0, [&] {
        return gives_up.ends() > 0 && b->counters().rebuild_failures.load() >= 2 &&
               c->counters().rebuild_failures.load() >= 2;
    });
    const uint64_t failures = b->counters().rebuild_failures;
    const auto t0 = std::chrono::steady_clock::now();
    b.reset(); // between two attempts to reopen
    const double stop_s = seconds_since(t0);
    TerminateProcess(target.process.get(), 0);
    const bool ended = wait_until(3.0, [&] { return exited.ends() > 0; });
    check(names[0],
          gives_up.ends() == 1 && gives_up.why() == static_cast<int>(CaptureEnd::Failed) &&
              contains(a->error(), "reopening") && a->counters().rebuild_failures.load() == 3,
          "on_end " + std::to_string(gives_up.ends()) + "x, reason " +
              std::to_string(gives_up.why()) + " (4 = Failed) after " +
              std::to_string(a->counters().rebuild_failures.load()) + " attempts: " + a->error());
    check(names[1], retrying && failures >= 2 && closed.ends() == 0 && stop_s < 1.0,
          std::to_string(failures) + " failed attempts to reopen, then the owner closed it: " +
              std::to_string(closed.ends()) + " on_end call(s) (want 0), closed in " +
              fixed(stop_s, 2) + " s");
    check(names[2],
          ended && exited.ends() == 1 &&
              exited.why() == static_cast<int>(CaptureEnd::ProcessExited),
          "the watched process was ended after " +
              std::to_string(c->counters().rebuild_failures.load()) + " failed attempts: on_end " +
              std::to_string(exited.ends()) + "x, reason " + std::to_string(exited.why()) +
              " (1 = ProcessExited)");
    a.reset();
    c.reset();
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
    ComApartment com;
    CoTaskString id;
    try {
        endpoint_device(eCapture, L"")->GetId(id.put());
    } catch (const EngineError &e) {
        fail("device.setup", e.what());
        return;
    }
    WineDefaultCapture announcer(id.get());
    if (!announcer.setup_error().empty()) {
        fail("device.setup", announcer.setup_error());
        return;
    }
    follow_default(announcer);
    change_during_open(announcer);
    invalidated("device.invalidated-fixed-endpoint", CaptureSource::capture_endpoint(id.get()));
    invalidated("device.invalidated-default", CaptureSource::capture_endpoint());
    device_removed();
}

} // namespace pypac_check
