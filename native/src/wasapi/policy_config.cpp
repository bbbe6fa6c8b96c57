// See policy_config.hpp for what these interfaces are and where their layout
// comes from. Everything here is loaded at run time (combase.dll, ntdll.dll),
// so a Windows without them still loads PyPAC and gets a clear error.
#include "policy_config.hpp"

#include "hresult.hpp"

namespace pypac::wasapi {

namespace policy_layout {
const CLSID kPolicyConfigClient = {
    0x870af99c, 0x171d, 0x4f9e, {0xaf, 0x0d, 0xe6, 0x3d, 0xf4, 0x0c, 0x2b, 0xc9}};
const IID kIPolicyConfig = {
    0xf8679f50, 0x850a, 0x41cf, {0x9c, 0x72, 0x43, 0x0f, 0x29, 0x02, 0x90, 0xc8}};
const IID kIAudioPolicyConfigFactory21H2 = {
    0xab3d4648, 0xe242, 0x459f, {0xb0, 0x2f, 0x54, 0x1c, 0x70, 0x30, 0x63, 0x24}};
const IID kIAudioPolicyConfigFactoryOlder = {
    0x2a59116d, 0x6c4f, 0x45e0, {0xa7, 0x4f, 0x70, 0x7e, 0x3f, 0xef, 0x92, 0x58}};
} // namespace policy_layout

namespace {

using namespace policy_layout;

// FARPROC -> void(*)() -> the real type: the cast GCC accepts without warning.
template <typename Fn> Fn load(const wchar_t *dll, const char *name) {
    HMODULE module = GetModuleHandleW(dll);
    if (!module)
        module = LoadLibraryExW(dll, nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    FARPROC proc = module ? GetProcAddress(module, name) : nullptr;
    return reinterpret_cast<Fn>(reinterpret_cast<void (*)()>(proc));
}

// A WinRT string we created, deleted on scope exit.
class OwnedHString {
  public:
    explicit OwnedHString(const std::wstring &text) {
        create_ = load<Create>(L"combase.dll", "WindowsCreateString");
        delete_ = load<Delete>(L"combase.dll", "WindowsDeleteString");
        if (create_ && delete_)
            result_ = create_(text.c_str(), static_cast<UINT32>(text.size()), &s_);
    }
    ~OwnedHString() {
        if (s_ && delete_)
            delete_(s_);
    }
    OwnedHString(const OwnedHString &) = delete;
    OwnedHString &operator=(const OwnedHString &) = delete;
    HSTRING get() const { return s_; }
    HRESULT result() const { return result_; }

  private:
    using Create = HRESULT(WINAPI *)(PCNZWCH, UINT32, HSTRING *);
    using Delete = HRESULT(WINAPI *)(HSTRING);
    Create create_ = nullptr;
    Delete delete_ = nullptr;
    HSTRING s_ = nullptr;
    HRESULT result_ = E_NOTIMPL;
};

std::string build_text(DWORD build) {
    return build ? "Windows build " + std::to_string(build) : "a Windows build PyPAC cannot read";
}

bool class_missing(HRESULT hr) {
    return hr == REGDB_E_CLASSNOTREG || hr == E_NOINTERFACE || hr == CLASS_E_CLASSNOTAVAILABLE ||
           hr == E_NOTIMPL || hr == HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
}

ComPtr<IAudioPolicyConfigFactory> factory(const std::string &what) {
    const DWORD build = windows_build();
    if (build != 0 && build < kPerAppDeviceBuild)
        throw EngineError(ErrorCode::Unsupported,
                          what + " needs Windows 10 1803 (build 17134) or later; this is " +
                              build_text(build));
    using GetFactory = HRESULT(WINAPI *)(HSTRING, REFIID, void **);
    const auto get_factory = load<GetFactory>(L"combase.dll", "RoGetActivationFactory");
    const OwnedHString name(L"Windows.Media.Internal.AudioPolicyConfig");
    if (!get_factory || FAILED(name.result()))
        throw EngineError(ErrorCode::Unsupported,
                          what + " is not available on this Windows build (" + build_text(build) +
                              "): combase.dll has no RoGetActivationFactory/WindowsCreateString");
    const IID &iid = build >= kNewFactoryIidBuild ? kIAudioPolicyConfigFactory21H2
                                                  : kIAudioPolicyConfigFactoryOlder;
    ComPtr<IAudioPolicyConfigFactory> out;
    const HRESULT hr = get_factory(name.get(), iid, out.put_void());
    if (FAILED(hr)) {
        const std::string call = call_failed(
            std::string("RoGetActivationFactory(Windows.Media.Internal.AudioPolicyConfig, ") +
                (build >= kNewFactoryIidBuild ? "21H2+ IID" : "pre-21H2 IID") + ")",
            hr);
        if (class_missing(hr))
            throw EngineError(ErrorCode::Unsupported, what +
                                                          " is not available on this Windows "
                                                          "build (" +
                                                          build_text(build) + "): " + call);
        throw hresult_error(call, hr);
    }
    return out;
}

} // namespace

DWORD windows_build() {
    using GetVersion = LONG(WINAPI *)(OSVERSIONINFOW *);
    const auto get_version = load<GetVersion>(L"ntdll.dll", "RtlGetVersion");
    OSVERSIONINFOW v{};
    v.dwOSVersionInfoSize = sizeof v;
    if (!get_version || get_version(&v) != 0)
        return 0;
    return v.dwBuildNumber;
}

std::wstring render_interface_path(const std::wstring &endpoint_id) {
    if (endpoint_id.empty())
        return {};
    return L"\\\\?\\SWD#MMDEVAPI#" + endpoint_id + L"#{e6327cad-dcec-4949-ae8a-991e976a79d2}";
}

void set_default_endpoint(const std::wstring &endpoint_id, const std::string &description) {
    const std::string what = "choosing the default device";
    ComPtr<IPolicyConfig> policy;
    const HRESULT hr = CoCreateInstance(kPolicyConfigClient, nullptr, CLSCTX_ALL, kIPolicyConfig,
                                        policy.put_void());
    if (FAILED(hr)) {
        const std::string call =
            call_failed("CoCreateInstance(CPolicyConfigClient, IPolicyConfig)", hr);
        if (class_missing(hr))
            throw EngineError(ErrorCode::Unsupported,
                              what + " is not available on this Windows build (" +
                                  build_text(windows_build()) + "): " + call);
        throw hresult_error(call, hr);
    }
    // "Set Default" in the Sound control panel: console and multimedia; the
    // communications default (calls) stays the user's own choice.
    for (ERole role : {eConsole, eMultimedia}) {
        const HRESULT set = policy->SetDefaultEndpoint(endpoint_id.c_str(), role);
        if (FAILED(set))
            throw hresult_error(std::string("IPolicyConfig::SetDefaultEndpoint(\"") + description +
                                    "\", " + (role == eConsole ? "eConsole" : "eMultimedia") + ")",
                                set);
    }
}

void set_app_render_endpoint(const std::vector<DWORD> &pids, const std::wstring &endpoint_id,
                             const std::string &description) {
    ComPtr<IAudioPolicyConfigFactory> policy = factory("moving an app to another device");
    const OwnedHString path(render_interface_path(endpoint_id));
    if (FAILED(path.result()))
        throw hresult_error("WindowsCreateString(device path)", path.result());
    for (DWORD pid : pids)
        for (ERole role : {eConsole, eMultimedia}) {
            const HRESULT hr =
                policy->SetPersistedDefaultAudioEndpoint(pid, eRender, role, path.get());
            if (FAILED(hr))
                throw hresult_error("IAudioPolicyConfigFactory::SetPersistedDefaultAudioEndpoint("
                                    "pid " +
                                        std::to_string(pid) + ", \"" + description + "\")",
                                    hr);
        }
}

} // namespace pypac::wasapi
