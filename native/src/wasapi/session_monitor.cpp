// Endpoints and sessions coming and going: registration, enumeration,
// notifications, process exits. Engine thread (see session_monitor.hpp).
#include "session_monitor.hpp"

#include "device_monitor.hpp"
#include "hresult.hpp"

#include <algorithm>
#include <chrono>

namespace pypac::wasapi {

namespace {

// How long an app whose session a format change disconnected has to open its
// new one: it does so as soon as its next buffer call fails (milliseconds),
// or on its next sound.
constexpr std::chrono::milliseconds kFormatChangeGrace(2000);

} // namespace

SessionMonitor::SessionMonitor(std::shared_ptr<TaskQueue> queue, BackendListener &listener,
                               std::function<void(const std::string &)> on_server_lost)
    : queue_(std::move(queue)), listener_(listener), on_server_lost_(std::move(on_server_lost)) {}

SessionMonitor::~SessionMonitor() { shutdown(); }

void SessionMonitor::warn(const std::string &text) {
    warnings_ = text; // the newest is what explains the current state
}

std::string SessionMonitor::connect() {
    HRESULT hr = CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL,
                                  __uuidof(IMMDeviceEnumerator), devices_.put_void());
    if (FAILED(hr))
        return hresult_error("CoCreateInstance(MMDeviceEnumerator)", hr).what();
    endpoint_events_ = ComPtr<EndpointEventsSink>::adopt(
        new EndpointEventsSink(queue_, [this] { sync_endpoints(); }));
    hr = devices_->RegisterEndpointNotificationCallback(endpoint_events_.get());
    if (FAILED(hr)) {
        endpoint_events_.reset();
        return hresult_error("IMMDeviceEnumerator::RegisterEndpointNotificationCallback()", hr)
            .what();
    }
    ComPtr<IMMDeviceCollection> list;
    hr = devices_->EnumAudioEndpoints(eRender, DEVICE_STATE_ACTIVE, list.put());
    if (FAILED(hr))
        return hresult_error("IMMDeviceEnumerator::EnumAudioEndpoints(eRender)", hr).what();
    UINT count = 0;
    list->GetCount(&count);
    std::string first_error;
    for (UINT i = 0; i < count; ++i) {
        ComPtr<IMMDevice> device;
        CoTaskString id;
        if (FAILED(list->Item(i, device.put())) || FAILED(device->GetId(id.put())))
            continue;
        const std::string error = add_endpoint(id.get(), device);
        if (!error.empty() && first_error.empty())
            first_error = error;
    }
    if (endpoints_.empty() && !first_error.empty())
        return first_error;
    if (!first_error.empty())
        warn(first_error);
    return {};
}

void SessionMonitor::report_all() {
    reporting_ = true;
    for (const auto &kv : sessions_)
        dirty_.insert(kv.second.group);
    regroup(); // groups the sessions read by connect(), then reports every group
}

void SessionMonitor::shutdown(bool report) {
    const bool was_reporting = reporting_;
    reporting_ = false;
    while (!endpoints_.empty())
        remove_endpoint(endpoints_.begin()->first); // its sessions too
    exit_watches_.clear();
    if (report && was_reporting)
        for (int64_t g : reported_)
            listener_.session_removed(g);
    reported_.clear();
    facts_.clear();
    dirty_.clear();
    lingering_.clear();      // a grace task still queued does nothing
    regroup_posted_ = false; // a regroup task still queued does nothing
    if (devices_ && endpoint_events_)
        devices_->UnregisterEndpointNotificationCallback(endpoint_events_.get());
    endpoint_events_.reset();
    devices_.reset();
}

// GetSessionEnumerator is read-only and answered by the audio service (not
// the endpoint builder), so a proxy left over from a service that restarted
// fails here even when nothing plays and no notification will ever come.
HRESULT SessionMonitor::probe() const {
    for (const auto &kv : endpoints_) {
        ComPtr<IAudioSessionEnumerator> list;
        const HRESULT hr = kv.second.manager->GetSessionEnumerator(list.put());
        if (SUCCEEDED(hr) || audio_service_gone(hr))
            return SUCCEEDED(hr) ? S_OK : hr;
        // Another failure concerns that endpoint only: ask the next one.
    }
    return S_OK;
}

void SessionMonitor::sync_endpoints() {
    if (!devices_)
        return;
    ComPtr<IMMDeviceCollection> list;
    if (FAILED(devices_->EnumAudioEndpoints(eRender, DEVICE_STATE_ACTIVE, list.put())))
        return;
    UINT count = 0;
    list->GetCount(&count);
    std::set<std::wstring> active;
    for (UINT i = 0; i < count; ++i) {
        ComPtr<IMMDevice> device;
        CoTaskString id;
        if (FAILED(list->Item(i, device.put())) || FAILED(device->GetId(id.put())))
            continue;
        active.insert(id.get());
        if (endpoints_.count(id.get()) == 0) {
            const std::string error = add_endpoint(id.get(), device);
            if (!error.empty())
                warn(error);
        }
    }
    std::vector<std::wstring> gone;
    for (const auto &kv : endpoints_)
        if (active.count(kv.first) == 0)
            gone.push_back(kv.first);
    for (const auto &id : gone)
        remove_endpoint(id);
}

std::string SessionMonitor::add_endpoint(const std::wstring &id, const ComPtr<IMMDevice> &device) {
    Endpoint e;
    e.name = endpoint_friendly_name(device);
    const std::string where = " on render endpoint \"" + e.name + "\"";
    HRESULT hr = device->Activate(__uuidof(IAudioSessionManager2), CLSCTX_ALL, nullptr,
                                  e.manager.put_void());
    if (FAILED(hr))
        return call_failed("IMMDevice::Activate(IAudioSessionManager2)" + where, hr);
    e.notifier = ComPtr<SessionCreatedSink>::adopt(new SessionCreatedSink(
        queue_, [this, id](const ComPtr<IAudioSessionControl> &c) { add_session(id, c); }));
    hr = e.manager->RegisterSessionNotification(e.notifier.get());
    if (FAILED(hr))
        return hresult_error("IAudioSessionManager2::RegisterSessionNotification()" + where, hr)
            .what();
    // Notifications start only once the sessions have been enumerated.
    ComPtr<IAudioSessionEnumerator> list;
    hr = e.manager->GetSessionEnumerator(list.put());
    if (FAILED(hr)) {
        e.manager->UnregisterSessionNotification(e.notifier.get());
        return hresult_error("IAudioSessionManager2::GetSessionEnumerator()" + where, hr).what();
    }
    endpoints_[id] = std::move(e);
    int count = 0;
    list->GetCount(&count);
    for (int i = 0; i < count; ++i) {
        ComPtr<IAudioSessionControl> control;
        if (SUCCEEDED(list->GetSession(i, control.put())))
            add_session(id, control);
    }
    return {};
}

void SessionMonitor::remove_endpoint(const std::wstring &id) {
    auto it = endpoints_.find(id);
    if (it == endpoints_.end())
        return;
    remove_sessions_where([&id](const Session &s) { return s.endpoint_id == id; });
    it->second.manager->UnregisterSessionNotification(it->second.notifier.get());
    endpoints_.erase(it);
}

void SessionMonitor::add_session(const std::wstring &endpoint_id,
                                 const ComPtr<IAudioSessionControl> &control) {
    if (endpoints_.count(endpoint_id) == 0 || !control)
        return; // the endpoint went away while this task waited
    Session s;
    s.endpoint_id = endpoint_id;
    if (FAILED(control.query(s.control)) || s.control->IsSystemSoundsSession() == S_OK)
        return;
    CoTaskString instance;
    if (FAILED(s.control->GetSessionInstanceIdentifier(instance.put())))
        return;
    const std::wstring key = instance.get();
    // AUDCLNT_S_NO_SINGLE_PROCESS (a success code) means the pid is meaningless.
    if (sessions_.count(key) || s.control->GetProcessId(&s.pid) != S_OK || s.pid == 0)
        return;
    if (SUCCEEDED(s.control->GetState(&s.state)) && s.state == AudioSessionStateExpired)
        return;
    // Windows keeps an inactive session after its process exited, until it
    // expires: no app to show (it would read "process N"), nothing to capture.
    if (!process_running(s.pid))
        return;
    control.query(s.volume);
    control.query(s.meter); // may be absent; the peak then reads 0
    read_fields(s);
    s.events = ComPtr<SessionEventsSink>::adopt(new SessionEventsSink(
        queue_, [this, key](const SessionChange &change) { on_session_change(key, change); }));
    const HRESULT hr = s.control->RegisterAudioSessionNotification(s.events.get());
    if (FAILED(hr)) {
        warn(call_failed("IAudioSessionControl::RegisterAudioSessionNotification() for pid " +
                             std::to_string(s.pid),
                         hr) +
             "; its changes show only when it is listed again");
        s.events.reset();
    }
    sessions_[key] = std::move(s);
    request_regroup(); // which groups it, watches its exit and reports it
}

void SessionMonitor::remove_session(const std::wstring &key) {
    auto it = sessions_.find(key);
    if (it == sessions_.end())
        return;
    Session &s = it->second;
    if (s.events)
        s.control->UnregisterAudioSessionNotification(s.events.get());
    dirty_.insert(s.group);
    sessions_.erase(it);
    request_regroup(); // the group may lose its last session, a root its helpers
}

void SessionMonitor::on_session_change(const std::wstring &key, const SessionChange &change) {
    auto it = sessions_.find(key);
    if (it == sessions_.end())
        return;
    Session &s = it->second;
    switch (change.kind) {
    case SessionChange::Kind::Volume:
        s.level = change.volume;
        s.muted = change.muted;
        break;
    case SessionChange::Kind::State:
        if (change.state == AudioSessionStateExpired) {
            remove_session(key);
            return;
        }
        s.state = change.state;
        break;
    case SessionChange::Kind::Disconnected:
        if (change.reason == DisconnectReasonFormatChanged)
            expect_return(s.group);
        remove_session(key);
        if (change.reason == DisconnectReasonServerShutdown)
            on_server_lost_("the Windows Audio service stopped (session disconnected: server "
                            "shutdown)");
        return;
    case SessionChange::Kind::Refresh:
        read_fields(s);
        break;
    }
    report(s.group);
}

// A new format on the endpoint (Sound control panel) disconnects every
// session on it, while their apps go on playing: each opens a new stream,
// whose new session (OnSessionCreated) lands in the same group. Until then,
// or until the grace period ends, the group stays listed, so the app keeps
// its identity (same pid, name, strip, volume memory) instead of vanishing
// and coming back.
void SessionMonitor::expect_return(int64_t group) {
    if (group == 0 || !lingering_.insert(group).second)
        return;
    queue_->post_after(kFormatChangeGrace, [this, group] {
        if (lingering_.erase(group))
            report(group); // removed now if nothing came back
    });
}

// A session's process, or a group root that may play nothing itself (a
// browser whose audio service plays): its helpers are re-rooted.
void SessionMonitor::on_process_exit(DWORD pid) {
    remove_sessions_where([pid](const Session &s) { return s.pid == pid; });
    exit_watches_.erase(pid); // waits for a callback in flight; it only posts
    request_regroup();
}

template <typename Match> void SessionMonitor::remove_sessions_where(Match match) {
    std::vector<std::wstring> doomed; // remove_session() changes the map
    for (const auto &kv : sessions_)
        if (match(kv.second))
            doomed.push_back(kv.first);
    for (const auto &key : doomed)
        remove_session(key);
}

} // namespace pypac::wasapi
