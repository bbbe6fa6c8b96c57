// The undocumented policy interfaces (policy_config.hpp): under Wine, the
// clear errors where they are missing (as Wine's Windows 7, and as Windows 10
// through a copy of the program Wine reports build 18362 to); on Windows, the
// default "changed" to the current default, and this program routed to it and
// reset.
#include "endpoint_checks.hpp"

#include "wasapi/capture_source.hpp"
#include "wasapi/device_monitor.hpp"
#include "wasapi/policy_config.hpp"

using namespace pypac;
using namespace pypac::wasapi;

namespace pypac_check {

void check_policy(const DeviceInfo &out, const std::string &prefix) {
    const DWORD build = windows_build();
    check(prefix + ".build", build > 0, "RtlGetVersion: build " + std::to_string(build));
    const bool wine = environment().wine;
    // The default: "changed" to what it already is, so nothing moves.
    try {
        set_default_endpoint(widen(out.id), out.description);
        check(prefix + ".set-default", !wine,
              wine ? "IPolicyConfig worked under Wine: the check expects Wine to lack it; "
                     "update this check"
                   : "IPolicyConfig::SetDefaultEndpoint(\"" + out.description +
                         "\") accepted (it was the default already)");
    } catch (const EngineError &e) {
        const std::string text = e.what();
        check(prefix + ".set-default",
              wine && e.code() == ErrorCode::Unsupported &&
                  contains(text, "choosing the default device is not available on this Windows "
                                 "build") &&
                  contains(text, "CPolicyConfigClient"),
              text);
    }
    // Per-app routing of this very program, then reset to follow the default.
    const std::vector<DWORD> self{GetCurrentProcessId()};
    try {
        set_app_render_endpoint(self, widen(out.id), out.description);
        set_app_render_endpoint(self, L"", "the default");
        check(prefix + ".route-app", !wine,
              wine ? "IAudioPolicyConfigFactory worked under Wine: update this check"
                   : "SetPersistedDefaultAudioEndpoint(this program -> \"" + out.description +
                         "\"), then reset");
    } catch (const EngineError &e) {
        const std::string text = e.what();
        // The build decides: too old, or the factory asked for by the IID of its build.
        const bool clear =
            e.code() == ErrorCode::Unsupported &&
            (build < kPerAppDeviceBuild
                 ? contains(text, "needs Windows 10 1803")
                 : contains(text, "is not available on this Windows build") &&
                       contains(text, build >= kNewFactoryIidBuild ? "(Windows.Media.Internal."
                                                                     "AudioPolicyConfig, 21H2+ IID)"
                                                                   : "pre-21H2 IID"));
        check(prefix + ".route-app", wine && clear, text);
    }
}

void run_policy_checks(const std::string &prefix) {
    ComApartment com;
    DeviceInfo out;
    try {
        ComPtr<IMMDevice> device = endpoint_device(eRender, L"");
        CoTaskString id;
        device->GetId(id.put());
        out.id = utf8(id.get());
        out.description = endpoint_friendly_name(device);
    } catch (const EngineError &e) {
        if (environment().wine)
            fail(prefix, e.what());
        else
            skip(prefix, std::string("no default output device: ") + e.what());
        return;
    }
    check_policy(out, prefix);
}

} // namespace pypac_check
