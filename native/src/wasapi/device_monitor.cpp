#include "device_monitor.hpp"

#include "hresult.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace pypac::wasapi {

namespace {

// Windows sends no event when a device starts or stops playing.
constexpr std::chrono::milliseconds kRunningPoll(1000);

// Passed with our own changes (their notifications come back with it).
constexpr GUID kPyPacContext = {
    0x5079a9ac, 0x3c1e, 0x4d2b, {0x9a, 0x61, 0x50, 0x79, 0x50, 0x41, 0x43, 0x02}};

// PKEY_Device_FriendlyName, spelled out so that no GUID library is needed.
constexpr PROPERTYKEY kFriendlyName = {
    {0xa45c254e, 0xdf1c, 0x4efd, {0x80, 0x20, 0x67, 0xd1, 0x46, 0xa8, 0x50, 0xe0}}, 14};

[[noreturn]] void unknown_device(DeviceKind kind, const std::string &id);

EDataFlow flow_of(DeviceKind kind) { return kind == DeviceKind::Output ? eRender : eCapture; }
const char *kind_name(DeviceKind kind) { return kind == DeviceKind::Output ? "output" : "input"; }

void unknown_device(DeviceKind kind, const std::string &id) {
    throw EngineError(ErrorCode::InvalidArgument, std::string("no active ") + kind_name(kind) +
                                                      " endpoint with id '" + id + "'");
}

} // namespace

std::string endpoint_friendly_name(const ComPtr<IMMDevice> &device) {
    ComPtr<IPropertyStore> props;
    if (FAILED(device->OpenPropertyStore(STGM_READ, props.put())))
        return "unnamed endpoint";
    OsPropVariant value;
    if (FAILED(props->GetValue(kFriendlyName, value.put())) || value.get().vt != VT_LPWSTR)
        return "unnamed endpoint";
    return utf8(value.get().pwszVal);
}

std::vector<float> keep_balance(const std::vector<float> &channels, float volume) {
    std::vector<float> out(channels.size(), volume);
    if (channels.empty())
        return out;
    const float loudest = *std::max_element(channels.begin(), channels.end());
    if (loudest > 0.0f)
        for (size_t c = 0; c < channels.size(); ++c)
            out[c] = std::min(1.0f, channels[c] * volume / loudest);
    return out;
}

// IMMNotificationClient. Audio-service RPC thread: only posts tasks.
class DeviceEventsSink final : public ComObject<DeviceEventsSink, IMMNotificationClient> {
  public:
    DeviceEventsSink(std::shared_ptr<TaskQueue> queue, std::function<void()> on_endpoints,
                     std::function<void()> on_default,
                     std::function<void(const std::wstring &)> on_property)
        : queue_(std::move(queue)), on_endpoints_(std::move(on_endpoints)),
          on_default_(std::move(on_default)), on_property_(std::move(on_property)) {}

    HRESULT STDMETHODCALLTYPE OnDeviceStateChanged(LPCWSTR, DWORD) override {
        return post(on_endpoints_);
    }
    HRESULT STDMETHODCALLTYPE OnDeviceAdded(LPCWSTR) override { return post(on_endpoints_); }
    HRESULT STDMETHODCALLTYPE OnDeviceRemoved(LPCWSTR) override { return post(on_endpoints_); }
    HRESULT STDMETHODCALLTYPE OnDefaultDeviceChanged(EDataFlow, ERole role, LPCWSTR) override {
        return role == eConsole ? post(on_default_) : S_OK;
    }
    HRESULT STDMETHODCALLTYPE OnPropertyValueChanged(LPCWSTR id, const PROPERTYKEY key) override {
        if (!id || !IsEqualGUID(key.fmtid, kFriendlyName.fmtid) || key.pid != kFriendlyName.pid)
            return S_OK; // the description is the only property PyPAC shows
        queue_->post([handler = on_property_, changed = std::wstring(id)] { handler(changed); });
        return S_OK;
    }

  private:
    friend class ComObject<DeviceEventsSink, IMMNotificationClient>;
    ~DeviceEventsSink() = default;
    HRESULT post(const std::function<void()> &task) {
        queue_->post(task);
        return S_OK;
    }
    std::shared_ptr<TaskQueue> queue_;
    std::function<void()> on_endpoints_, on_default_;
    std::function<void(const std::wstring &)> on_property_;
};

// IAudioEndpointVolumeCallback of one endpoint. Audio-service RPC thread.
class DeviceVolumeSink final : public ComObject<DeviceVolumeSink, IAudioEndpointVolumeCallback> {
  public:
    DeviceVolumeSink(std::shared_ptr<TaskQueue> queue, std::function<void()> on_change)
        : queue_(std::move(queue)), on_change_(std::move(on_change)) {}
    HRESULT STDMETHODCALLTYPE OnNotify(AUDIO_VOLUME_NOTIFICATION_DATA *) override {
        queue_->post(on_change_); // read back on the engine thread: one truth, whatever changed
        return S_OK;
    }

  private:
    friend class ComObject<DeviceVolumeSink, IAudioEndpointVolumeCallback>;
    ~DeviceVolumeSink() = default;
    std::shared_ptr<TaskQueue> queue_;
    std::function<void()> on_change_;
};

DeviceMonitor::DeviceMonitor(std::shared_ptr<TaskQueue> queue, BackendListener &listener)
    : queue_(std::move(queue)), listener_(listener) {}

DeviceMonitor::~DeviceMonitor() { shutdown(); }

std::string DeviceMonitor::connect() {
    HRESULT hr = CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL,
                                  __uuidof(IMMDeviceEnumerator), devices_.put_void());
    if (FAILED(hr))
        return call_failed("CoCreateInstance(MMDeviceEnumerator)", hr);
    const auto sink = ComPtr<DeviceEventsSink>::adopt(new DeviceEventsSink(
        queue_, [this] { sync(); }, [this] { refresh_defaults(); },
        [this](const std::wstring &id) {
            refresh({DeviceKind::Output, id});
            refresh({DeviceKind::Input, id});
        }));
    hr = devices_->RegisterEndpointNotificationCallback(sink.get());
    if (FAILED(hr))
        return call_failed("IMMDeviceEnumerator::RegisterEndpointNotificationCallback()", hr);
    events_ = Registration([devices = devices_, sink] {
        devices->UnregisterEndpointNotificationCallback(sink.get());
    });
    for (DeviceKind kind : {DeviceKind::Output, DeviceKind::Input}) {
        ComPtr<IMMDeviceCollection> list;
        hr = devices_->EnumAudioEndpoints(flow_of(kind), DEVICE_STATE_ACTIVE, list.put());
        if (FAILED(hr))
            return call_failed(std::string("IMMDeviceEnumerator::EnumAudioEndpoints(") +
                                   (kind == DeviceKind::Output ? "eRender" : "eCapture") + ")",
                               hr);
    }
    sync();
    return {};
}

void DeviceMonitor::report_all() {
    reporting_ = true;
    for (auto &kv : endpoints_)
        report(kv.second);
    const uint64_t generation = ++generation_;
    queue_->post_after(kRunningPoll, [this, generation] { poll_running(generation); });
}

void DeviceMonitor::shutdown(bool report) {
    const bool was_reporting = reporting_;
    reporting_ = false;
    ++generation_; // a poll still queued stops at its first run
    std::vector<std::pair<DeviceKind, std::string>> gone;
    for (const auto &kv : endpoints_)
        if (report && was_reporting && kv.second.reported)
            gone.emplace_back(kv.first.first, kv.second.info.id);
    endpoints_.clear(); // unregisters each volume callback
    events_.reset();
    devices_.reset();
    for (const auto &g : gone)
        listener_.device_removed(g.first, g.second);
    default_[0].clear();
    default_[1].clear();
}

void DeviceMonitor::sync() {
    if (!devices_)
        return;
    for (DeviceKind kind : {DeviceKind::Output, DeviceKind::Input}) {
        ComPtr<IMMDeviceCollection> list;
        if (FAILED(devices_->EnumAudioEndpoints(flow_of(kind), DEVICE_STATE_ACTIVE, list.put())))
            continue; // keep what we have; the next event tries again
        UINT count = 0;
        list->GetCount(&count);
        std::vector<std::wstring> active;
        for (UINT i = 0; i < count; ++i) {
            ComPtr<IMMDevice> device;
            CoTaskString id;
            if (FAILED(list->Item(i, device.put())) || FAILED(device->GetId(id.put())))
                continue;
            active.emplace_back(id.get());
            if (endpoints_.count({kind, id.get()}) == 0)
                add(kind, id.get(), device);
        }
        std::vector<Key> gone;
        for (const auto &kv : endpoints_)
            if (kv.first.first == kind &&
                std::find(active.begin(), active.end(), kv.first.second) == active.end())
                gone.push_back(kv.first);
        for (const Key &key : gone)
            remove(key);
    }
    refresh_defaults(); // a new device may have become the default without its own event
}

void DeviceMonitor::add(DeviceKind kind, const std::wstring &id, const ComPtr<IMMDevice> &device) {
    Endpoint e;
    e.device = device;
    HRESULT hr =
        device->Activate(__uuidof(IAudioEndpointVolume), CLSCTX_ALL, nullptr, e.volume.put_void());
    if (FAILED(hr)) {
        warnings_ = call_failed(
            "IMMDevice::Activate(IAudioEndpointVolume) on " + endpoint_friendly_name(device), hr);
        e.volume.reset();
    }
    device->Activate(__uuidof(IAudioMeterInformation), CLSCTX_ALL, nullptr, e.meter.put_void());
    const Key key{kind, id};
    if (e.volume) {
        const auto sink = ComPtr<DeviceVolumeSink>::adopt(
            new DeviceVolumeSink(queue_, [this, key] { refresh(key); }));
        hr = e.volume->RegisterControlChangeNotify(sink.get());
        if (SUCCEEDED(hr))
            e.volume_events = Registration(
                [volume = e.volume, sink] { volume->UnregisterControlChangeNotify(sink.get()); });
        else
            warnings_ = call_failed("IAudioEndpointVolume::RegisterControlChangeNotify() on " +
                                        endpoint_friendly_name(device),
                                    hr) +
                        "; its volume changes show at the next report";
    }
    read(e, kind, id);
    Endpoint &stored = endpoints_[key] = std::move(e);
    report(stored);
}

void DeviceMonitor::remove(const Key &key) {
    auto it = endpoints_.find(key);
    if (it == endpoints_.end())
        return;
    const bool reported = it->second.reported && reporting_;
    const std::string id = it->second.info.id;
    endpoints_.erase(it); // unregisters its volume callback
    if (reported)
        listener_.device_removed(key.first, id);
}

void DeviceMonitor::refresh(const Key &key) {
    auto it = endpoints_.find(key);
    if (it == endpoints_.end())
        return; // gone while this task waited, or the other flow's id
    read(it->second, key.first, key.second);
    report(it->second);
}

void DeviceMonitor::refresh_defaults() {
    if (!devices_)
        return;
    for (DeviceKind kind : {DeviceKind::Output, DeviceKind::Input}) {
        ComPtr<IMMDevice> device;
        CoTaskString id;
        std::wstring now;
        if (SUCCEEDED(devices_->GetDefaultAudioEndpoint(flow_of(kind), eConsole, device.put())) &&
            SUCCEEDED(device->GetId(id.put())))
            now = id.get();
        std::wstring &was = default_[static_cast<int>(kind)];
        if (now == was)
            continue;
        const std::wstring old = was;
        was = now;
        refresh({kind, old});
        refresh({kind, now});
    }
}

// Engine thread, every kRunningPoll while connected: one meter read per endpoint.
void DeviceMonitor::poll_running(uint64_t generation) {
    if (generation != generation_ || !reporting_)
        return;
    for (auto &kv : endpoints_) {
        Endpoint &e = kv.second;
        float peak = 0.0f;
        const bool running = e.meter && SUCCEEDED(e.meter->GetPeakValue(&peak)) && peak > 0.0f;
        if (running != e.info.running) {
            e.info.running = running;
            report(e);
        }
    }
    queue_->post_after(kRunningPoll, [this, generation] { poll_running(generation); });
}

void DeviceMonitor::read(Endpoint &e, DeviceKind kind, const std::wstring &id) {
    DeviceInfo &d = e.info;
    d.id = utf8(id);
    d.kind = kind;
    d.description = endpoint_friendly_name(e.device);
    d.is_default = !id.empty() && id == default_[static_cast<int>(kind)];
    d.channel_volumes.clear();
    if (e.volume) {
        UINT channels = 0;
        if (SUCCEEDED(e.volume->GetChannelCount(&channels)))
            for (UINT c = 0; c < channels; ++c) {
                float level = 0.0f;
                if (FAILED(e.volume->GetChannelVolumeLevelScalar(c, &level))) {
                    d.channel_volumes.clear();
                    break;
                }
                d.channel_volumes.push_back(level);
            }
        float master = 1.0f;
        if (!d.channel_volumes.empty())
            d.volume = *std::max_element(d.channel_volumes.begin(), d.channel_volumes.end());
        else if (SUCCEEDED(e.volume->GetMasterVolumeLevelScalar(&master)))
            d.volume = master;
        BOOL muted = FALSE;
        if (SUCCEEDED(e.volume->GetMute(&muted)))
            d.muted = muted != FALSE;
    }
    float peak = 0.0f;
    d.running = e.meter && SUCCEEDED(e.meter->GetPeakValue(&peak)) && peak > 0.0f;
}

void DeviceMonitor::report(Endpoint &e) {
    if (!reporting_ || (e.reported && e.sent == e.info))
        return;
    e.reported = true;
    e.sent = e.info;
    listener_.device_updated(e.info);
}

DeviceMonitor::Endpoint &DeviceMonitor::find(DeviceKind kind, const std::string &id) {
    for (auto &kv : endpoints_)
        if (kv.first.first == kind && kv.second.info.id == id)
            return kv.second;
    unknown_device(kind, id);
}

std::wstring DeviceMonitor::endpoint_id(DeviceKind kind, const std::string &id) const {
    for (const auto &kv : endpoints_)
        if (kv.first.first == kind && kv.second.info.id == id)
            return kv.first.second;
    unknown_device(kind, id);
}

std::string DeviceMonitor::description(DeviceKind kind, const std::string &id) const {
    for (const auto &kv : endpoints_)
        if (kv.first.first == kind && kv.second.info.id == id)
            return kv.second.info.description;
    unknown_device(kind, id);
}

std::vector<DeviceInfo> DeviceMonitor::devices() const {
    std::vector<DeviceInfo> out;
    for (const auto &kv : endpoints_)
        out.push_back(kv.second.info);
    return out;
}

void DeviceMonitor::set_volume(DeviceKind kind, const std::string &id, float volume) {
    if (!(volume >= 0.0f && volume <= 1.0f))
        throw EngineError(ErrorCode::InvalidArgument,
                          "device volume " + std::to_string(volume) +
                              " is outside 0..1 (Windows endpoint volume tops at 100%)");
    Endpoint &e = find(kind, id);
    const std::string where = " on \"" + e.info.description + "\"";
    if (!e.volume)
        throw EngineError(ErrorCode::Unsupported,
                          "the " + std::string(kind_name(kind)) + " device" + where +
                              " has no volume control (IAudioEndpointVolume)");
    read(e, kind, endpoint_id(kind, id));
    const std::vector<float> before = e.info.channel_volumes;
    if (before.empty()) { // the driver gives no channels: the master is all there is
        const HRESULT hr = e.volume->SetMasterVolumeLevelScalar(volume, &kPyPacContext);
        if (FAILED(hr))
            throw hresult_error("IAudioEndpointVolume::SetMasterVolumeLevelScalar()" + where, hr);
    } else {
        const std::vector<float> after = keep_balance(before, volume);
        for (size_t c = 0; c < after.size(); ++c) {
            const HRESULT hr = e.volume->SetChannelVolumeLevelScalar(static_cast<UINT>(c), after[c],
                                                                     &kPyPacContext);
            if (FAILED(hr))
                throw hresult_error("IAudioEndpointVolume::SetChannelVolumeLevelScalar(" +
                                        std::to_string(c) + ")" + where,
                                    hr);
        }
    }
    refresh({kind, endpoint_id(kind, id)});
}

void DeviceMonitor::set_mute(DeviceKind kind, const std::string &id, bool muted) {
    Endpoint &e = find(kind, id);
    const std::string where = " on \"" + e.info.description + "\"";
    if (!e.volume)
        throw EngineError(ErrorCode::Unsupported,
                          "the " + std::string(kind_name(kind)) + " device" + where +
                              " has no mute control (IAudioEndpointVolume)");
    const HRESULT hr = e.volume->SetMute(muted ? TRUE : FALSE, &kPyPacContext);
    if (FAILED(hr))
        throw hresult_error("IAudioEndpointVolume::SetMute()" + where, hr);
    refresh({kind, endpoint_id(kind, id)});
}

} // namespace pypac::wasapi
