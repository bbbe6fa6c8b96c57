#include "default_device_watch.hpp"

namespace pypac::wasapi {

// Sets an event when the default endpoint of `flow` (console role) changes.
// It owns a duplicate of the event, so a notification that races with
// unregistering still signals a valid handle.
class DefaultDeviceWatch final : public ComObject<DefaultDeviceWatch, IMMNotificationClient> {
  public:
    DefaultDeviceWatch(EDataFlow flow, HANDLE event) : flow_(flow) {
        HANDLE copy = nullptr;
        DuplicateHandle(GetCurrentProcess(), event, GetCurrentProcess(), &copy, 0, FALSE,
                        DUPLICATE_SAME_ACCESS);
        event_.reset(copy);
    }
    // Audio-service RPC thread.
    HRESULT STDMETHODCALLTYPE OnDefaultDeviceChanged(EDataFlow flow, ERole role, LPCWSTR) override {
        if (flow == flow_ && role == eConsole && event_)
            SetEvent(event_.get());
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE OnDeviceStateChanged(LPCWSTR, DWORD) override { return S_OK; }
    HRESULT STDMETHODCALLTYPE OnDeviceAdded(LPCWSTR) override { return S_OK; }
    HRESULT STDMETHODCALLTYPE OnDeviceRemoved(LPCWSTR) override { return S_OK; }
    HRESULT STDMETHODCALLTYPE OnPropertyValueChanged(LPCWSTR, const PROPERTYKEY) override {
        return S_OK;
    }

  private:
    friend class ComObject<DefaultDeviceWatch, IMMNotificationClient>;
    ~DefaultDeviceWatch() = default;
    EDataFlow flow_;
    UniqueHandle event_;
};

DefaultDeviceRegistration::DefaultDeviceRegistration(EDataFlow flow, HANDLE event) {
    result_ = CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL,
                               __uuidof(IMMDeviceEnumerator), devices_.put_void());
    if (FAILED(result_))
        return;
    watch_ = ComPtr<DefaultDeviceWatch>::adopt(new DefaultDeviceWatch(flow, event));
    result_ = devices_->RegisterEndpointNotificationCallback(watch_.get());
    if (FAILED(result_))
        watch_.reset();
}

DefaultDeviceRegistration::~DefaultDeviceRegistration() {
    if (watch_)
        devices_->UnregisterEndpointNotificationCallback(watch_.get());
}

} // namespace pypac::wasapi
