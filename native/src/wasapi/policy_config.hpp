// The two undocumented Windows interfaces PyPAC needs, and only here:
//
//   IPolicyConfig (CLSID CPolicyConfigClient): SetDefaultEndpoint, what the
//     Sound control panel's "Set Default" calls. Windows 7 to 11.
//   IAudioPolicyConfigFactory (the WinRT activation factory of
//     "Windows.Media.Internal.AudioPolicyConfig"): SetPersistedDefaultAudioEndpoint,
//     what Settings > Sound > "App volume and device preferences" calls to send
//     one app to one device. Windows 10 1803 (build 17134) and later; its IID
//     changed with Windows 11 21H2 (build 22000), its layout did not.
//
// Where the layouts come from: neither is in the Windows SDK. The IIDs, the
// CLSID, the class name and the order of the vtable slots below are the ones
// public mixers have relied on for years (EarTrumpet's Interop/MMDeviceAPI
// and SoundVolumeView's documentation; both read, none of their code copied).
// Only the slots we call carry real signatures; the rest are placeholders that
// keep the order. An offline check (wasapi_check offline) pins the slot index
// of every method we call.
//
// Threads: any thread in COM's multithreaded apartment (the engine thread).
#pragma once

#include "com.hpp"

#include <inspectable.h>
#include <winstring.h>

#include <string>
#include <vector>

namespace pypac::wasapi {

namespace policy_layout {

// clang-format off
struct IPolicyConfig : public IUnknown {
    virtual HRESULT STDMETHODCALLTYPE GetMixFormat_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetDeviceFormat_() = 0;
    virtual HRESULT STDMETHODCALLTYPE ResetDeviceFormat_() = 0;
    virtual HRESULT STDMETHODCALLTYPE SetDeviceFormat_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetProcessingPeriod_() = 0;
    virtual HRESULT STDMETHODCALLTYPE SetProcessingPeriod_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetShareMode_() = 0;
    virtual HRESULT STDMETHODCALLTYPE SetShareMode_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetPropertyValue_() = 0;
    virtual HRESULT STDMETHODCALLTYPE SetPropertyValue_() = 0;
    virtual HRESULT STDMETHODCALLTYPE SetDefaultEndpoint(LPCWSTR device_id, ERole role) = 0; // slot 13
    virtual HRESULT STDMETHODCALLTYPE SetEndpointVisibility_() = 0;
};

struct IAudioPolicyConfigFactory : public IInspectable {
    virtual HRESULT STDMETHODCALLTYPE add_CtxVolumeChange_() = 0;
    virtual HRESULT STDMETHODCALLTYPE remove_CtxVolumeChanged_() = 0;
    virtual HRESULT STDMETHODCALLTYPE add_RingerVibrateStateChanged_() = 0;
    virtual HRESULT STDMETHODCALLTYPE remove_RingerVibrateStateChange_() = 0;
    virtual HRESULT STDMETHODCALLTYPE SetVolumeGroupGainForId_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetVolumeGroupGainForId_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetActiveVolumeGroupForEndpointId_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetVolumeGroupsForEndpoint_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetCurrentVolumeContext_() = 0;
    virtual HRESULT STDMETHODCALLTYPE SetVolumeGroupMuteForId_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetVolumeGroupMuteForId_() = 0;
    virtual HRESULT STDMETHODCALLTYPE SetRingerVibrateState_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetRingerVibrateState_() = 0;
    virtual HRESULT STDMETHODCALLTYPE SetPreferredChatApplication_() = 0;
    virtual HRESULT STDMETHODCALLTYPE ResetPreferredChatApplication_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetPreferredChatApplication_() = 0;
    virtual HRESULT STDMETHODCALLTYPE GetCurrentChatApplications_() = 0;
    virtual HRESULT STDMETHODCALLTYPE add_ChatContextChanged_() = 0;
    virtual HRESULT STDMETHODCALLTYPE remove_ChatContextChanged_() = 0;
    virtual HRESULT STDMETHODCALLTYPE SetPersistedDefaultAudioEndpoint(UINT process_id, EDataFlow flow,
                                                                       ERole role, HSTRING device) = 0; // slot 25
    virtual HRESULT STDMETHODCALLTYPE GetPersistedDefaultAudioEndpoint(UINT process_id, EDataFlow flow,
                                                                       ERole role, HSTRING *device) = 0;
    virtual HRESULT STDMETHODCALLTYPE ClearAllPersistedApplicationDefaultEndpoints() = 0;
};
// clang-format on

// The vtable slots the checks pin (IUnknown 3, IInspectable 3 more).
constexpr int kSetDefaultEndpointSlot = 13;
constexpr int kSetPersistedDefaultAudioEndpointSlot = 25;

extern const CLSID kPolicyConfigClient;           // 870af99c-171d-4f9e-af0d-e63df40c2bc9
extern const IID kIPolicyConfig;                  // f8679f50-850a-41cf-9c72-430f290290c8
extern const IID kIAudioPolicyConfigFactory21H2;  // ab3d4648-e242-459f-b02f-541c70306324
extern const IID kIAudioPolicyConfigFactoryOlder; // 2a59116d-6c4f-45e0-a74f-707e3fef9258

} // namespace policy_layout

// The Windows build number (RtlGetVersion, which no manifest can lie to); 0 when unknown.
DWORD windows_build();

// The first build with per-app default endpoints (Windows 10 1803).
constexpr DWORD kPerAppDeviceBuild = 17134;
// From here on (Windows 11 21H2) the factory answers to the newer IID.
constexpr DWORD kNewFactoryIidBuild = 22000;

// Makes `endpoint_id` the default device of its flow for the console and
// multimedia roles, as the Sound control panel's "Set Default" does.
// Throws EngineError: Unsupported where IPolicyConfig is missing (Wine),
// else the HRESULT's code, naming the call.
void set_default_endpoint(const std::wstring &endpoint_id, const std::string &description);

// Sends every stream of each process in `pids` to the render endpoint
// `endpoint_id`, now and for the streams they open later: Windows keeps the
// choice for the app (Settings shows it) until it is reset. An empty
// `endpoint_id` resets them to follow the default. Throws EngineError:
// Unsupported before Windows 10 1803 or where the factory is missing.
void set_app_render_endpoint(const std::vector<DWORD> &pids, const std::wstring &endpoint_id,
                             const std::string &description);

// "\\?\SWD#MMDEVAPI#<endpoint id>#{e6327cad-...}": the device interface path
// the factory wants for a render endpoint id (empty stays empty).
std::wstring render_interface_path(const std::wstring &endpoint_id);

} // namespace pypac::wasapi
