// Output and input devices: every active render and capture endpoint, as
// DeviceInfo, reported to the BackendListener and kept current.
//
//   IMMDeviceEnumerator (+ IMMNotificationClient: added, removed, state and
//   default changes) -> per endpoint: IAudioEndpointVolume (+ its
//   IAudioEndpointVolumeCallback: volume, channel volumes, mute) and
//   IAudioMeterInformation (the "running" flag).
//
// id = the endpoint id string (IMMDevice::GetId), UTF-8; is_default = the
// console-role default of its flow. `running` is the endpoint meter's peak
// above zero: one cheap call per endpoint, read at every report and polled
// every kRunningPoll while connected, because Windows sends no event for it.
// So a device that plays digital silence reads as not running.
//
// Threads: every method runs on the engine thread (com_thread.hpp), which
// owns every COM pointer here and is the only one to register and unregister
// the notifications; the callbacks only post tasks to it.
#pragma once

#include "com_thread.hpp"

#include "pypac/backend.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pypac::wasapi {

// PKEY_Device_FriendlyName of an endpoint, or "unnamed endpoint".
std::string endpoint_friendly_name(const ComPtr<IMMDevice> &device);

// The balance-keeping rule on fader positions: the loudest channel goes to
// `volume`, every other keeps its ratio to it (capped at 1.0); from silence,
// every channel goes to `volume`.
std::vector<float> keep_balance(const std::vector<float> &channels, float volume);

// One notification registration, undone when this is destroyed or reset
// (the undo holds its own references to the source and the sink).
class Registration {
  public:
    Registration() = default;
    explicit Registration(std::function<void()> undo) : undo_(std::move(undo)) {}
    Registration(Registration &&o) noexcept : undo_(std::exchange(o.undo_, nullptr)) {}
    Registration &operator=(Registration &&o) noexcept {
        if (this != &o) {
            reset();
            undo_ = std::exchange(o.undo_, nullptr);
        }
        return *this;
    }
    Registration(const Registration &) = delete;
    Registration &operator=(const Registration &) = delete;
    ~Registration() { reset(); }
    void reset() {
        if (auto undo = std::exchange(undo_, nullptr))
            undo();
    }

  private:
    std::function<void()> undo_;
};

class DeviceMonitor {
  public:
    DeviceMonitor(std::shared_ptr<TaskQueue> queue, BackendListener &listener);
    ~DeviceMonitor(); // shutdown()
    DeviceMonitor(const DeviceMonitor &) = delete;
    DeviceMonitor &operator=(const DeviceMonitor &) = delete;

    // Registers for endpoint events and reads every active endpoint of both
    // flows. Reports nothing yet. "" on success, else the failing call.
    std::string connect();
    // Reports every device, then each change as it comes.
    void report_all();
    // Unregisters everything and releases every COM object; with `report`,
    // every reported device is reported removed first.
    void shutdown(bool report = false);

    // Throw EngineError: InvalidArgument for an unknown device, the HRESULT's
    // code for a failed call. Each reads the device back and reports it.
    // The loudest channel goes to `volume`, the others keep their ratio to it.
    void set_volume(DeviceKind kind, const std::string &id, float volume);
    void set_mute(DeviceKind kind, const std::string &id, bool muted);

    // The endpoint id (UTF-16) of a known device; throws InvalidArgument.
    std::wstring endpoint_id(DeviceKind kind, const std::string &id) const;
    // Its PKEY_Device_FriendlyName, for messages; throws InvalidArgument.
    std::string description(DeviceKind kind, const std::string &id) const;
    std::vector<DeviceInfo> devices() const;
    // Re-reads both flows' defaults and reports the devices whose flag changed.
    void refresh_defaults();
    // Reading problems that did not stop the rest (newest).
    std::string warnings() const { return warnings_; }

  private:
    struct Endpoint {
        ComPtr<IMMDevice> device;
        ComPtr<IAudioEndpointVolume> volume; // may be absent: no volume control
        ComPtr<IAudioMeterInformation> meter;
        Registration volume_events; // IAudioEndpointVolumeCallback
        DeviceInfo info;
        DeviceInfo sent; // what the listener last heard
        bool reported = false;
    };
    using Key = std::pair<DeviceKind, std::wstring>;

    void sync(); // endpoints added / removed / enabled / disabled
    void add(DeviceKind kind, const std::wstring &id, const ComPtr<IMMDevice> &device);
    void remove(const Key &key);
    void refresh(const Key &key); // re-reads and reports when something changed
    void poll_running(uint64_t generation);
    void read(Endpoint &e, DeviceKind kind, const std::wstring &id);
    Endpoint &find(DeviceKind kind, const std::string &id);
    void report(Endpoint &e);

    std::shared_ptr<TaskQueue> queue_;
    BackendListener &listener_;
    ComPtr<IMMDeviceEnumerator> devices_;
    Registration events_; // IMMNotificationClient
    std::map<Key, Endpoint> endpoints_;
    std::wstring default_[2]; // by DeviceKind: the console default's endpoint id
    bool reporting_ = false;
    uint64_t generation_ = 0; // counts connections, for the running poll
    std::string warnings_;
};

} // namespace pypac::wasapi
