// Endpoint checks that need a stream: `running` (the endpoint meter while an
// app of ours plays) and DeviceCapture of an input device.
#include "endpoint_checks.hpp"

#include "wasapi/capture_source.hpp"
#include "wasapi/hresult.hpp"
#include "wasapi/wasapi_backend.hpp"

#include "pypac/capture_hub.hpp"

#include <algorithm>
#include <memory>

using namespace pypac;
using namespace pypac::wasapi;

namespace pypac_check {

// `running` is the endpoint meter's peak: an app of ours plays a tone on the
// default output, and the poll must report the device running, then idle.
void check_endpoint_running(DeviceLog &log, const DeviceInfo &out) {
    ComPtr<IAudioMeterInformation> meter;
    HRESULT hr = E_FAIL;
    try {
        hr =
            endpoint_device(eRender, widen(out.id))
                ->Activate(__uuidof(IAudioMeterInformation), CLSCTX_ALL, nullptr, meter.put_void());
    } catch (const EngineError &e) {
        fail("endpoints.running", e.what());
        return;
    }
    if (FAILED(hr)) {
        skip("endpoints.running",
             call_failed("IMMDevice::Activate(IAudioMeterInformation)", hr) +
                 ": no endpoint meter here, so `running` stays false; real Windows only");
        return;
    }
    Child player;
    try {
        player = spawn_self("play-tone 3 440");
    } catch (const std::exception &e) {
        fail("endpoints.running", e.what());
        return;
    }
    DeviceInfo now;
    const bool on =
        wait_until(4.0, [&] { return log.latest(out.kind, out.id, &now) && now.running; });
    WaitForSingleObject(player.process.get(), 6000);
    const bool off =
        wait_until(4.0, [&] { return log.latest(out.kind, out.id, &now) && !now.running; });
    if (!on && environment().wine) {
        float peak = -1;
        meter->GetPeakValue(&peak);
        skip("endpoints.running", "Wine's endpoint meter reads " + fixed(peak, 3) +
                                      " while an app plays: `running` cannot show here; real "
                                      "Windows only");
        return;
    }
    check("endpoints.running", on && off,
          std::string("a tone on \"") + out.description + "\": running " +
              (on ? "reported" : "not reported within 4 s") + ", idle after it ended " +
              (off ? "reported" : "not reported within 4 s"));
}

// DeviceCapture of an input device through the backend's open_capture: under
// Wine the null sink's monitor, which carries the script's 440 Hz tone; on
// Windows the default input (a microphone may be silent: frames must come).
void check_device_capture(const std::vector<DeviceInfo> &list) {
    const DeviceInfo *in = nullptr;
    for (const auto &d : list)
        if (d.kind == DeviceKind::Input &&
            (environment().wine ? contains(d.description, "Monitor") : d.is_default))
            in = &d;
    if (!in) {
        skip("endpoints.device-capture", "no such input device here");
        return;
    }
    const CaptureFormat f{48000, 2};
    const CaptureTarget target = CaptureTarget::device(DeviceKind::Input, in->id);
    try {
        WasapiBackend backend; // opening a device capture needs no session connection
        auto hub = std::make_shared<CaptureHub>(target, f);
        CaptureReader reader(hub, f.sample_rate * 4);
        hub->set_stream(backend.open_capture(target, f, *hub));
        // Start-up first (Wine's first packets come late; the clock fills the
        // time with silence): only the last second counts.
        reader.wait_for_frames(f.sample_rate * 3, 6.0);
        std::vector<float> samples(f.sample_rate * 3 * f.channels);
        samples.resize(reader.read(samples.data(), f.sample_rate * 3, 0.0) * f.channels);
        samples.erase(samples.begin(),
                      samples.end() - std::min<size_t>(samples.size(), f.sample_rate * 2));
        const double power = tone_power(channel_of(samples, 2, 0), 48000, 440.0);
        const size_t frames = samples.size() / 2;
        check("endpoints.device-capture",
              frames >= f.sample_rate * 9 / 10 && (!environment().wine || power > 0.01),
              "\"" + in->description + "\": " + std::to_string(frames) +
                  " frames in the last second, 440 Hz power " + fixed(power, 3) + ", rms " +
                  fixed(rms(channel_of(samples, 2, 0)), 3));
    } catch (const EngineError &e) {
        fail("endpoints.device-capture", e.what());
    }
    // An output device: its loopback, which Wine lacks (as for the system capture).
    const DeviceInfo *out = nullptr;
    for (const auto &d : list)
        if (d.kind == DeviceKind::Output && (out == nullptr || d.is_default))
            out = &d;
    if (!out)
        return;
    const CaptureTarget loop = CaptureTarget::device(DeviceKind::Output, out->id);
    try {
        WasapiBackend backend;
        auto hub = std::make_shared<CaptureHub>(loop, f);
        CaptureReader reader(hub, f.sample_rate * 4);
        hub->set_stream(backend.open_capture(loop, f, *hub));
        reader.wait_for_frames(f.sample_rate / 2, 4.0);
        const uint64_t frames = reader.stats().frames_captured;
        check("endpoints.device-capture-output", !environment().wine && frames > 0,
              "loopback of \"" + out->description + "\": " + std::to_string(frames) + " frames" +
                  (environment().wine ? " (Wine has no loopback: update this check)" : ""));
    } catch (const EngineError &e) {
        const std::string text = e.what();
        check("endpoints.device-capture-output",
              environment().wine && contains(text, "IAudioClient::") &&
                  contains(text, "AUDCLNT_E_WRONG_ENDPOINT_TYPE"),
              text);
    }
}

} // namespace pypac_check
