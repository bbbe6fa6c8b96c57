// Output and input devices (DeviceMonitor) and the undocumented policy
// interfaces (policy_config.hpp), checked where the program runs:
//   * under Wine, against the private PulseAudio server of
//     scripts/check-windows.sh: listing, ids, descriptions, default flags,
//     volume and mute set and read back, a sink added and removed by the
//     script on request (ACTION lines); and the clear errors where Wine lacks
//     IPolicyConfig / IAudioPolicyConfigFactory;
//   * on Windows, the same read-only and restoring checks (volume and mute
//     are put back; the default is "changed" to the current default; the
//     program's own routing is set to the default and reset).
// The DeviceMonitor runs on its own engine thread here, as in the backend:
// under Wine the backend itself never connects (no session enumerator).
#include "endpoint_checks.hpp"
#include "wine_default_device.hpp"

#include "wasapi/capture_source.hpp"
#include "wasapi/device_monitor.hpp"
#include "wasapi/hresult.hpp"

#include <algorithm>
#include <cmath>

using namespace pypac;
using namespace pypac::wasapi;

namespace pypac_check {

namespace {
// The ids of the active endpoints of `flow`, straight from IMMDeviceEnumerator.
std::vector<std::string> os_endpoints(EDataFlow flow, std::string *default_id) {
    std::vector<std::string> out;
    ComPtr<IMMDeviceEnumerator> devices;
    if (FAILED(CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL,
                                __uuidof(IMMDeviceEnumerator), devices.put_void())))
        return out;
    ComPtr<IMMDeviceCollection> list;
    if (SUCCEEDED(devices->EnumAudioEndpoints(flow, DEVICE_STATE_ACTIVE, list.put()))) {
        UINT count = 0;
        list->GetCount(&count);
        for (UINT i = 0; i < count; ++i) {
            ComPtr<IMMDevice> device;
            CoTaskString id;
            if (SUCCEEDED(list->Item(i, device.put())) && SUCCEEDED(device->GetId(id.put())))
                out.push_back(utf8(id.get()));
        }
    }
    ComPtr<IMMDevice> device;
    CoTaskString id;
    if (SUCCEEDED(devices->GetDefaultAudioEndpoint(flow, eConsole, device.put())) &&
        SUCCEEDED(device->GetId(id.put())))
        *default_id = utf8(id.get());
    return out;
}

std::string volumes_text(const DeviceInfo &d) {
    std::string text = fixed(d.volume, 2) + " [";
    for (size_t c = 0; c < d.channel_volumes.size(); ++c)
        text += (c ? " " : "") + fixed(d.channel_volumes[c], 2);
    return text + "]" + (d.muted ? " muted" : "");
}

const DeviceInfo *pick(const std::vector<DeviceInfo> &list, DeviceKind kind) {
    for (const auto &d : list)
        if (d.kind == kind && d.is_default)
            return &d;
    for (const auto &d : list)
        if (d.kind == kind)
            return &d;
    return nullptr;
}

void listing(const std::vector<DeviceInfo> &list) {
    for (DeviceKind kind : {DeviceKind::Output, DeviceKind::Input}) {
        const char *name = kind == DeviceKind::Output ? "output" : "input";
        std::string os_default;
        const auto os = os_endpoints(kind == DeviceKind::Output ? eRender : eCapture, &os_default);
        std::vector<std::string> ours;
        int defaults = 0;
        bool named = true;
        std::string text;
        for (const auto &d : list) {
            if (d.kind != kind)
                continue;
            ours.push_back(d.id);
            named = named && !d.description.empty() && d.description != "unnamed endpoint";
            defaults += d.is_default ? 1 : 0;
            text += (text.empty() ? "" : "; ") + std::string("\"") + d.description + "\" " + d.id +
                    (d.is_default ? " (default)" : "") + " " + volumes_text(d);
        }
        std::vector<std::string> a = os, b = ours;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        check(std::string("endpoints.list-") + name, !os.empty() && a == b && named,
              std::to_string(ours.size()) +
                  " device(s), the same ids as EnumAudioEndpoints: " + text);
        bool default_right = defaults == 1;
        for (const auto &d : list)
            if (d.kind == kind && d.is_default)
                default_right = default_right && d.id == os_default;
        check(std::string("endpoints.default-") + name, default_right,
              std::to_string(defaults) + " marked default (want 1), the console default is " +
                  os_default);
    }
}

// A second reading through an IAudioEndpointVolume of our own: what another
// program would see.
std::string other_reader(const std::string &id) {
    try {
        ComPtr<IMMDevice> device = endpoint_device(eRender, widen(id));
        ComPtr<IAudioEndpointVolume> volume;
        if (FAILED(device->Activate(__uuidof(IAudioEndpointVolume), CLSCTX_ALL, nullptr,
                                    volume.put_void())))
            return "no second IAudioEndpointVolume";
        float master = -1;
        BOOL muted = FALSE;
        volume->GetMasterVolumeLevelScalar(&master);
        volume->GetMute(&muted);
        return "another IAudioEndpointVolume reads " + fixed(master, 2) +
               (muted ? " muted" : " unmuted");
    } catch (const EngineError &e) {
        return e.what();
    }
}

// Under Wine, whose IAudioEndpointVolume stubs the setters: the error must
// name the call and say Unsupported (E_NOTIMPL), not pretend it worked.
bool wine_lacks(const EngineError &e, const char *call) {
    const std::string text = e.what();
    return environment().wine && e.code() == ErrorCode::Unsupported && contains(text, call) &&
           contains(text, "E_NOTIMPL");
}

// Puts every channel (and the mute) back as it was: on Windows these are the
// user's own settings.
void restore(const DeviceInfo &out, const DeviceInfo &before) {
    try {
        ComPtr<IAudioEndpointVolume> v;
        endpoint_device(eRender, widen(out.id))
            ->Activate(__uuidof(IAudioEndpointVolume), CLSCTX_ALL, nullptr, v.put_void());
        if (!v)
            return;
        for (size_t c = 0; c < before.channel_volumes.size(); ++c)
            v->SetChannelVolumeLevelScalar(static_cast<UINT>(c), before.channel_volumes[c],
                                           nullptr);
        if (before.channel_volumes.empty())
            v->SetMasterVolumeLevelScalar(before.volume, nullptr);
        v->SetMute(before.muted ? TRUE : FALSE, nullptr);
    } catch (const EngineError &) {
        // the device went away meanwhile: nothing to restore
    }
}

void volume_and_mute(ComThread &thread, DeviceMonitor &monitor, DeviceLog &log,
                     const DeviceInfo &out) {
    const DeviceInfo before = out;
    const auto read = [&] {
        return thread.call([&] {
            for (const auto &d : monitor.devices())
                if (d.kind == out.kind && d.id == out.id)
                    return d;
            return DeviceInfo{};
        });
    };
    DeviceInfo heard;
    try {
        // Balance: channels unequal first (where the endpoint has channels).
        bool balanced_setup = false;
        if (before.channel_volumes.size() >= 2) {
            thread.call([&] {
                ComPtr<IMMDevice> device = endpoint_device(eRender, widen(out.id));
                ComPtr<IAudioEndpointVolume> v;
                device->Activate(__uuidof(IAudioEndpointVolume), CLSCTX_ALL, nullptr, v.put_void());
                balanced_setup = v && SUCCEEDED(v->SetChannelVolumeLevelScalar(0, 1.0f, nullptr)) &&
                                 SUCCEEDED(v->SetChannelVolumeLevelScalar(1, 0.3f, nullptr));
            });
        }
        thread.call([&] { monitor.set_volume(out.kind, out.id, 0.5f); });
        const DeviceInfo half = read();
        const bool reported = wait_until(2.0, [&] {
            return log.latest(out.kind, out.id, &heard) && std::fabs(heard.volume - 0.5f) < 0.01f;
        });
        bool balance_kept = true;
        std::string balance_text = "no channel volumes from this endpoint (GetChannelCount)";
        if (balanced_setup) {
            balance_kept = half.channel_volumes.size() >= 2 &&
                           std::fabs(half.channel_volumes[0] - 0.5f) < 0.01f &&
                           std::fabs(half.channel_volumes[1] - 0.15f) < 0.01f;
            balance_text = "channels 1.00/0.30 became " + volumes_text(half) + " (want 0.50/0.15)";
        } else if (!half.channel_volumes.empty()) {
            balance_text = "channels " + volumes_text(half);
        }
        check("endpoints.volume", std::fabs(half.volume - 0.5f) < 0.01f && reported && balance_kept,
              "\"" + out.description + "\" from " + volumes_text(before) + " to 0.5: reads " +
                  volumes_text(half) + ", listener heard " + fixed(heard.volume, 2) + "; " +
                  balance_text + "; " + other_reader(out.id));
        restore(out, before);
    } catch (const EngineError &e) {
        check("endpoints.volume", wine_lacks(e, "IAudioEndpointVolume::Set"),
              std::string(environment().wine ? "Wine lacks it, and says so: " : "") + e.what());
    }
    try {
        thread.call([&] { monitor.set_mute(out.kind, out.id, true); });
        const DeviceInfo muted = read();
        const std::string elsewhere = other_reader(out.id);
        const bool mute_heard =
            wait_until(2.0, [&] { return log.latest(out.kind, out.id, &heard) && heard.muted; });
        thread.call([&] { monitor.set_mute(out.kind, out.id, false); });
        const DeviceInfo unmuted = read();
        restore(out, before);
        check("endpoints.mute", muted.muted && mute_heard && !unmuted.muted,
              std::string("IAudioEndpointVolume::GetMute reads ") + (muted.muted ? "on" : "off") +
                  " then " + (unmuted.muted ? "on" : "off") +
                  ", the listener heard it; while muted, " + elsewhere);
    } catch (const EngineError &e) {
        check("endpoints.mute", wine_lacks(e, "IAudioEndpointVolume::SetMute"),
              std::string(environment().wine ? "Wine lacks it, and says so: " : "") + e.what());
    }
    std::string error;
    try {
        thread.call([&] { monitor.set_volume(DeviceKind::Output, "no-such-endpoint", 0.5f); });
    } catch (const EngineError &e) {
        error = e.what();
        check("endpoints.unknown-id",
              e.code() == ErrorCode::InvalidArgument && contains(error, "no-such-endpoint"), error);
    }
    if (error.empty())
        fail("endpoints.unknown-id", "an unknown endpoint id was accepted");
}

// The script loads a second null sink: Wine's driver meets a new device.
void added_and_removed(DeviceLog &log, const std::vector<DeviceInfo> &start) {
    const auto known = [&](const std::string &id) {
        for (const auto &d : start)
            if (d.id == id)
                return true;
        return false;
    };
    std::string error;
    if (!request("add-sink", &error)) {
        fail("endpoints.added", error);
        return;
    }
    DeviceInfo added;
    const bool seen = wait_until(6.0, [&] {
        for (const auto &d : log.updates())
            if (d.kind == DeviceKind::Output && !known(d.id)) {
                added = d;
                return true;
            }
        return false;
    });
    std::string os_default;
    const auto os = os_endpoints(eRender, &os_default);
    const bool os_has =
        std::any_of(os.begin(), os.end(), [&](const std::string &id) { return !known(id); });
    if (seen)
        pass("endpoints.added", "reported \"" + added.description + "\" " + added.id);
    else if (!os_has)
        skip("endpoints.added", "this Wine lists no new render endpoint in this process after "
                                "the sink was loaded (" +
                                    std::to_string(os.size()) +
                                    " endpoint(s)): nothing to announce; real Windows only");
    else
        fail("endpoints.added", "EnumAudioEndpoints lists the new sink, but no "
                                "IMMNotificationClient event reported it within 6 s");
    if (!request("remove-second-sink", &error)) {
        fail("endpoints.removed", error);
        return;
    }
    if (!seen) {
        skip("endpoints.removed", "no added device to see removed (above)");
        return;
    }
    const bool gone = wait_until(6.0, [&] {
        for (const auto &r : log.removed())
            if (r.first == DeviceKind::Output && r.second == added.id)
                return true;
        return false;
    });
    check("endpoints.removed", gone,
          gone ? "device_removed(" + added.id + ")" : "no device_removed within 6 s");
}

// Wine: the default output changes the way winecfg changes it (the driver
// key's DefaultOutput value); Wine announces it through IMMNotificationClient,
// and both devices' is_default must follow in the listener's updates.
void default_follows(DeviceLog &log, const std::vector<DeviceInfo> &start) {
    const DeviceInfo *was = pick(start, DeviceKind::Output);
    const DeviceInfo *other = nullptr;
    for (const auto &d : start)
        if (d.kind == DeviceKind::Output && !d.is_default)
            other = &d;
    if (!was || !other || !was->is_default) {
        skip("endpoints.default-changed", "needs two output devices, one of them the default");
        return;
    }
    const auto flags_are = [&](bool other_default) {
        DeviceInfo a, b;
        return log.latest(DeviceKind::Output, other->id, &a) && a.is_default == other_default &&
               log.latest(DeviceKind::Output, was->id, &b) && b.is_default == !other_default;
    };
    const bool set = set_wine_default(L"DefaultOutput", widen(other->id));
    const bool moved = set && wait_until(4.0, [&] { return flags_are(true); });
    const bool reset = set_wine_default(L"DefaultOutput", L"");
    const bool back = reset && wait_until(4.0, [&] { return flags_are(false); });
    check("endpoints.default-changed", moved && back,
          !set ? "could not write Wine's DefaultOutput value"
               : std::string("default output -> \"") + other->description + "\": " +
                     (moved ? "both flags reported" : "not reported within 4 s") + "; back to \"" +
                     was->description + "\": " + (back ? "reported" : "not reported within 4 s"));
}

} // namespace

void run_endpoint_checks() {
    ComApartment com;
    DeviceLog log;
    ComThread thread;
    auto monitor = std::make_unique<DeviceMonitor>(thread.queue(), log);
    std::string error;
    std::vector<DeviceInfo> start;
    try {
        error = thread.call([&] {
            std::string e = monitor->connect();
            if (e.empty())
                monitor->report_all();
            return e;
        });
        start = thread.call([&] { return monitor->devices(); });
    } catch (const EngineError &e) {
        error = e.what();
    }
    const DeviceInfo *out = error.empty() ? pick(start, DeviceKind::Output) : nullptr;
    if (!error.empty() || !out) {
        if (!environment().wine && error.empty())
            skip("endpoints", "no active output device on this machine");
        else
            fail("endpoints.connect", error.empty() ? "no output device listed" : error);
        thread.stop([&] { monitor->shutdown(); });
        return;
    }
    check("endpoints.reported", log.updates().size() == start.size(),
          std::to_string(log.updates().size()) + " device_updated call(s) at connect for " +
              std::to_string(start.size()) + " device(s)");
    listing(start);
    const DeviceInfo output = *out;
    volume_and_mute(thread, *monitor, log, output);
    check_endpoint_running(log, output);
    check_device_capture(start);
    if (environment().wine) {
        default_follows(log, start);
        added_and_removed(log, start);
    }
    check_policy(output, "policy");
    thread.stop([&] { monitor->shutdown(); });
}

} // namespace pypac_check