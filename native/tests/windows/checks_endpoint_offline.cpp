// Offline checks of the device code: the balance-keeping rule, and the vtable
// slots of the undocumented policy interfaces (policy_config.hpp). A wrong
// count of placeholder slots would call some other method of the audio
// service with our arguments; here a fake implementation, called through the
// raw vtable at the slot the real service uses, must land on the method we
// declared.
#include "check_harness.hpp"

#include "wasapi/device_monitor.hpp"
#include "wasapi/policy_config.hpp"

#include <cmath>

using namespace pypac;
using namespace pypac::wasapi;
using namespace pypac::wasapi::policy_layout;

namespace pypac_check {

namespace {

bool levels_are(const std::vector<float> &got, const std::vector<float> &want) {
    if (got.size() != want.size())
        return false;
    for (size_t i = 0; i < got.size(); ++i)
        if (std::fabs(got[i] - want[i]) > 1e-5f)
            return false;
    return true;
}

void balance_rule() {
    const bool ok = levels_are(keep_balance({1.0f, 0.3f}, 0.5f), {0.5f, 0.15f}) &&
                    levels_are(keep_balance({0.4f, 0.8f}, 1.0f), {0.5f, 1.0f}) &&
                    levels_are(keep_balance({0.0f, 0.0f}, 0.7f), {0.7f, 0.7f}) &&
                    levels_are(keep_balance({0.6f, 0.6f, 0.3f}, 0.0f), {0.0f, 0.0f, 0.0f}) &&
                    keep_balance({}, 0.5f).empty();
    check("endpoints.balance-rule", ok,
          "1.00/0.30 -> 0.5 gives 0.50/0.15; 0.40/0.80 -> 1.0 gives 0.50/1.00; silence -> "
          "every channel at the new volume");
}

// Every method fails except the one under test, which records its arguments.
#define PYPAC_STUB(name)                                                                           \
    HRESULT STDMETHODCALLTYPE name() override { return E_NOTIMPL; }

struct FakePolicyConfig final : IPolicyConfig {
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID, void **) override { return E_NOINTERFACE; }
    ULONG STDMETHODCALLTYPE AddRef() override { return 1; }
    ULONG STDMETHODCALLTYPE Release() override { return 1; }
    PYPAC_STUB(GetMixFormat_)
    PYPAC_STUB(GetDeviceFormat_)
    PYPAC_STUB(ResetDeviceFormat_)
    PYPAC_STUB(SetDeviceFormat_)
    PYPAC_STUB(GetProcessingPeriod_)
    PYPAC_STUB(SetProcessingPeriod_)
    PYPAC_STUB(GetShareMode_)
    PYPAC_STUB(SetShareMode_)
    PYPAC_STUB(GetPropertyValue_)
    PYPAC_STUB(SetPropertyValue_)
    PYPAC_STUB(SetEndpointVisibility_)
    HRESULT STDMETHODCALLTYPE SetDefaultEndpoint(LPCWSTR id, ERole role) override {
        got = std::wstring(id) + L"/" + std::to_wstring(role);
        return S_OK;
    }
    std::wstring got;
};

struct FakeFactory final : IAudioPolicyConfigFactory {
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID, void **) override { return E_NOINTERFACE; }
    ULONG STDMETHODCALLTYPE AddRef() override { return 1; }
    ULONG STDMETHODCALLTYPE Release() override { return 1; }
    HRESULT STDMETHODCALLTYPE GetIids(ULONG *, IID **) override { return E_NOTIMPL; }
    HRESULT STDMETHODCALLTYPE GetRuntimeClassName(HSTRING *) override { return E_NOTIMPL; }
    HRESULT STDMETHODCALLTYPE GetTrustLevel(TrustLevel *) override { return E_NOTIMPL; }
    PYPAC_STUB(add_CtxVolumeChange_)
    PYPAC_STUB(remove_CtxVolumeChanged_)
    PYPAC_STUB(add_RingerVibrateStateChanged_)
    PYPAC_STUB(remove_RingerVibrateStateChange_)
    PYPAC_STUB(SetVolumeGroupGainForId_)
    PYPAC_STUB(GetVolumeGroupGainForId_)
    PYPAC_STUB(GetActiveVolumeGroupForEndpointId_)
    PYPAC_STUB(GetVolumeGroupsForEndpoint_)
    PYPAC_STUB(GetCurrentVolumeContext_)
    PYPAC_STUB(SetVolumeGroupMuteForId_)
    PYPAC_STUB(GetVolumeGroupMuteForId_)
    PYPAC_STUB(SetRingerVibrateState_)
    PYPAC_STUB(GetRingerVibrateState_)
    PYPAC_STUB(SetPreferredChatApplication_)
    PYPAC_STUB(ResetPreferredChatApplication_)
    PYPAC_STUB(GetPreferredChatApplication_)
    PYPAC_STUB(GetCurrentChatApplications_)
    PYPAC_STUB(add_ChatContextChanged_)
    PYPAC_STUB(remove_ChatContextChanged_)
    HRESULT STDMETHODCALLTYPE SetPersistedDefaultAudioEndpoint(UINT pid, EDataFlow flow, ERole role,
                                                               HSTRING) override {
        got = pid * 100 + static_cast<UINT>(flow) * 10 + static_cast<UINT>(role);
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE GetPersistedDefaultAudioEndpoint(UINT, EDataFlow, ERole,
                                                               HSTRING *) override {
        return E_NOTIMPL;
    }
    PYPAC_STUB(ClearAllPersistedApplicationDefaultEndpoints)
    UINT got = 0;
};
#undef PYPAC_STUB

// The function in slot `slot` of the object's first vtable.
template <typename Fn, typename T> Fn slot_of(T *object, int slot) {
    void **vtable = *reinterpret_cast<void ***>(object);
    return reinterpret_cast<Fn>(vtable[slot]);
}

void policy_slots() {
    FakePolicyConfig policy;
    using SetDefault = HRESULT(STDMETHODCALLTYPE *)(IPolicyConfig *, LPCWSTR, ERole);
    IPolicyConfig *as_policy = &policy;
    const HRESULT a =
        slot_of<SetDefault>(as_policy, kSetDefaultEndpointSlot)(as_policy, L"x", eMultimedia);
    FakeFactory factory;
    using SetPersisted =
        HRESULT(STDMETHODCALLTYPE *)(IAudioPolicyConfigFactory *, UINT, EDataFlow, ERole, HSTRING);
    IAudioPolicyConfigFactory *as_factory = &factory;
    const HRESULT b = slot_of<SetPersisted>(as_factory, kSetPersistedDefaultAudioEndpointSlot)(
        as_factory, 7, eRender, eMultimedia, nullptr);
    check("policy.vtable-slots",
          a == S_OK && policy.got == L"x/1" && b == S_OK && factory.got == 701,
          "IPolicyConfig::SetDefaultEndpoint is slot " + std::to_string(kSetDefaultEndpointSlot) +
              ", IAudioPolicyConfigFactory::SetPersistedDefaultAudioEndpoint slot " +
              std::to_string(kSetPersistedDefaultAudioEndpointSlot) +
              " (IUnknown + IInspectable + 19 placeholders)");
    const std::wstring path = render_interface_path(L"{0.0.0.00000000}.{abc}");
    check("policy.device-path",
          path == L"\\\\?\\SWD#MMDEVAPI#{0.0.0.00000000}.{abc}#{e6327cad-dcec-4949-ae8a-"
                  L"991e976a79d2}" &&
              render_interface_path(L"").empty(),
          utf8(path));
}

} // namespace

void run_endpoint_offline_checks() {
    balance_rule();
    policy_slots();
}

} // namespace pypac_check
