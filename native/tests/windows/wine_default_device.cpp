#include "wine_default_device.hpp"

#include "check_harness.hpp"

#include "wasapi/hresult.hpp"

#include <atomic>

using namespace pypac::wasapi;

namespace pypac_check {

// Counts the announcements of a new default capture device (console role),
// to tell "Wine announced nothing" apart from "the capture missed it".
class DefaultChangeCounter final : public ComObject<DefaultChangeCounter, IMMNotificationClient> {
  public:
    HRESULT STDMETHODCALLTYPE OnDefaultDeviceChanged(EDataFlow flow, ERole role, LPCWSTR) override {
        if (flow == eCapture && role == eConsole)
            ++count_;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE OnDeviceStateChanged(LPCWSTR, DWORD) override { return S_OK; }
    HRESULT STDMETHODCALLTYPE OnDeviceAdded(LPCWSTR) override { return S_OK; }
    HRESULT STDMETHODCALLTYPE OnDeviceRemoved(LPCWSTR) override { return S_OK; }
    HRESULT STDMETHODCALLTYPE OnPropertyValueChanged(LPCWSTR, const PROPERTYKEY) override {
        return S_OK;
    }
    int count() const { return count_; }

  private:
    friend class ComObject<DefaultChangeCounter, IMMNotificationClient>;
    ~DefaultChangeCounter() = default;
    std::atomic<int> count_{0};
};

namespace {
class RegKey {
  public:
    RegKey() = default;
    RegKey(const RegKey &) = delete;
    RegKey &operator=(const RegKey &) = delete;
    ~RegKey() {
        if (key_)
            RegCloseKey(key_);
    }
    HKEY *put() { return &key_; }
    HKEY get() const { return key_; }

  private:
    HKEY key_ = nullptr;
};

} // namespace

std::wstring wine_audio_driver_key() {
    RegKey drivers;
    if (RegOpenKeyExW(HKEY_CURRENT_USER, L"Software\\Wine\\Drivers", 0, KEY_READ, drivers.put()) !=
        ERROR_SUCCESS)
        return {};
    wchar_t name[256];
    for (DWORD i = 0;; ++i) {
        DWORD chars = 256;
        if (RegEnumKeyExW(drivers.get(), i, name, &chars, nullptr, nullptr, nullptr, nullptr) !=
            ERROR_SUCCESS)
            return {};
        // The driver in use is the one that keeps a device list.
        RegKey devices;
        const std::wstring path = L"Software\\Wine\\Drivers\\" + std::wstring(name);
        if (RegOpenKeyExW(HKEY_CURRENT_USER, (path + L"\\devices").c_str(), 0, KEY_READ,
                          devices.put()) == ERROR_SUCCESS)
            return path;
    }
}

bool set_wine_default(const wchar_t *value_name, const std::wstring &endpoint_id) {
    const std::wstring path = wine_audio_driver_key();
    RegKey key;
    if (path.empty() || RegOpenKeyExW(HKEY_CURRENT_USER, path.c_str(), 0, KEY_SET_VALUE,
                                      key.put()) != ERROR_SUCCESS)
        return false;
    if (endpoint_id.empty()) {
        const LONG r = RegDeleteValueW(key.get(), value_name);
        return r == ERROR_SUCCESS || r == ERROR_FILE_NOT_FOUND;
    }
    return RegSetValueExW(key.get(), value_name, 0, REG_SZ,
                          reinterpret_cast<const BYTE *>(endpoint_id.c_str()),
                          static_cast<DWORD>((endpoint_id.size() + 1) * sizeof(wchar_t))) ==
           ERROR_SUCCESS;
}

// Wine's mmdevapi announces a new default capture device when the value
// "DefaultInput" of its audio driver's key changes (a thread of it watches
// HKCU\Software\Wine\Drivers\<driver>.drv): the change a user makes in
// winecfg. This flips that value between the device's own id and "" (Wine's
// default), so the default stays the same device but is announced anew.
class WineDefaultInput {
  public:
    explicit WineDefaultInput(std::wstring device_id)
        : device_id_(std::move(device_id)), path_(wine_audio_driver_key()) {}
    ~WineDefaultInput() { // back to Wine's own choice
        RegKey key;
        if (!path_.empty() && RegOpenKeyExW(HKEY_CURRENT_USER, path_.c_str(), 0, KEY_SET_VALUE,
                                            key.put()) == ERROR_SUCCESS)
            RegDeleteValueW(key.get(), L"DefaultInput");
    }
    WineDefaultInput(const WineDefaultInput &) = delete;
    WineDefaultInput &operator=(const WineDefaultInput &) = delete;

    // "" when Wine was told; else why not.
    std::string announce() {
        RegKey key;
        if (path_.empty() ||
            RegOpenKeyExW(HKEY_CURRENT_USER, path_.c_str(), 0, KEY_QUERY_VALUE | KEY_SET_VALUE,
                          key.put()) != ERROR_SUCCESS)
            return "no Wine audio driver key under HKCU\\Software\\Wine\\Drivers";
        wchar_t current[128] = {};
        DWORD bytes = sizeof current - sizeof(wchar_t);
        DWORD type = 0;
        const bool is_id =
            RegQueryValueExW(key.get(), L"DefaultInput", nullptr, &type,
                             reinterpret_cast<BYTE *>(current), &bytes) == ERROR_SUCCESS &&
            type == REG_SZ && device_id_ == current;
        const std::wstring next = is_id ? std::wstring() : device_id_;
        const LONG r = RegSetValueExW(key.get(), L"DefaultInput", 0, REG_SZ,
                                      reinterpret_cast<const BYTE *>(next.c_str()),
                                      static_cast<DWORD>((next.size() + 1) * sizeof(wchar_t)));
        return r == ERROR_SUCCESS ? std::string()
                                  : "RegSetValueExW failed with error " + std::to_string(r);
    }

  private:
    std::wstring device_id_;
    std::wstring path_;
};

WineDefaultCapture::WineDefaultCapture(std::wstring device_id)
    : counter_(ComPtr<DefaultChangeCounter>::adopt(new DefaultChangeCounter)) {
    HRESULT hr = CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL,
                                  __uuidof(IMMDeviceEnumerator), devices_.put_void());
    if (SUCCEEDED(hr))
        hr = devices_->RegisterEndpointNotificationCallback(counter_.get());
    if (FAILED(hr)) {
        devices_.reset();
        setup_error_ = call_failed("RegisterEndpointNotificationCallback()", hr);
        return;
    }
    wine_ = std::make_unique<WineDefaultInput>(std::move(device_id));
    Sleep(300); // Wine's notification thread reads the registry once it has started
}

WineDefaultCapture::~WineDefaultCapture() {
    wine_.reset();
    if (devices_)
        devices_->UnregisterEndpointNotificationCallback(counter_.get());
}

bool WineDefaultCapture::announce(std::string *why) {
    if (!setup_error_.empty()) {
        *why = setup_error_;
        return false;
    }
    const int before = counter_->count();
    const std::string e = wine_->announce();
    if (!e.empty()) {
        *why = e;
        return false;
    }
    const auto t0 = std::chrono::steady_clock::now();
    while (counter_->count() <= before) {
        if (seconds_since(t0) > 3.0) {
            *why = "Wine did not announce the new default within 3 s";
            return false;
        }
        Sleep(20);
    }
    return true;
}

} // namespace pypac_check
