#include "pypac/engine.hpp"

#include <algorithm>
#include <cmath>

// Every MSVC build must keep std::mutex's pre-17.10 constructor (see the top-level
// CMakeLists.txt): a build system that forgets the definition fails here, not on a user's
// machine with an older msvcp140.dll.
#if defined(_MSC_VER) && !defined(_DISABLE_CONSTEXPR_MUTEX_CONSTRUCTOR)
#error "define _DISABLE_CONSTEXPR_MUTEX_CONSTRUCTOR for MSVC (see CMakeLists.txt)"
#endif

namespace pypac {

namespace {
std::string pid_text(int64_t pid) { return std::to_string(pid); }

EngineError not_found(int64_t pid) {
    return EngineError(
        ErrorCode::SessionNotFound,
        "no audio session for process id " + pid_text(pid) +
            ": the process plays no sound right now (list sessions to see which do)");
}
} // namespace

Engine::Engine(const std::string &server) : Engine(make_platform_backend(server)) {}

Engine::Engine(std::unique_ptr<Backend> backend) : backend_(std::move(backend)) {
    backend_->start(*this);
}

Engine::~Engine() {
    backend_->stop();
    std::lock_guard<std::mutex> lock(subscribers_mutex_);
    for (auto &weak : subscribers_)
        if (auto q = weak.lock())
            q->close();
}

std::vector<SessionInfo> Engine::sessions() const {
    std::vector<SessionInfo> out;
    {
        std::lock_guard<std::mutex> lock(table_mutex_);
        if (!backend_->connected())
            throw EngineError(ErrorCode::ServerUnavailable,
                              "not connected to the sound server" +
                                  (last_server_detail_.empty() ? std::string()
                                                               : " (" + last_server_detail_ + ")") +
                                  "; PyPAC reconnects by itself once the server is back");
        out.reserve(sessions_.size());
        for (const auto &kv : sessions_)
            out.push_back(kv.second);
    }
    for (auto &s : out)
        s.peak = live_peak(s.process_id);
    backend_->read_session_peaks(out); // the OS meter, where there is one
    return out;
}

SessionInfo Engine::session(int64_t process_id) const {
    const std::vector<SessionInfo> all = sessions();
    for (const auto &s : all)
        if (s.process_id == process_id)
            return s;
    // Any process of an app stands for the app (a browser's audio helper).
    for (const auto &s : all)
        if (std::find(s.process_ids.begin(), s.process_ids.end(), process_id) !=
            s.process_ids.end())
            return s;
    throw not_found(process_id);
}

void Engine::set_volume(int64_t process_id, float volume) {
    check_volume(volume);
    // SessionNotFound before anything reaches the server; the backend knows apps by their key.
    backend_->set_volume(session(process_id).process_id, volume);
}

void Engine::set_channel_volumes(int64_t process_id, const std::vector<float> &volumes) {
    if (volumes.empty())
        throw EngineError(ErrorCode::InvalidArgument, "give one volume per channel, got none");
    for (float v : volumes)
        check_volume(v);
    backend_->set_channel_volumes(session(process_id).process_id, volumes);
}

float Engine::max_volume() const { return backend_->max_volume(); }

void Engine::check_volume(float volume) const {
    const float top = backend_->max_volume();
    if (!std::isfinite(volume) || volume < 0.0f || volume > top)
        throw EngineError(ErrorCode::InvalidArgument, "volume must be a number from 0.0 to " +
                                                          std::to_string(top).substr(0, 3) +
                                                          " on " + backend_->name() + ", got " +
                                                          std::to_string(volume));
}

void Engine::set_mute(int64_t process_id, bool muted) {
    backend_->set_mute(session(process_id).process_id, muted);
}

std::shared_ptr<EventQueue> Engine::subscribe() {
    auto q = std::make_shared<EventQueue>();
    std::lock_guard<std::mutex> lock(subscribers_mutex_);
    subscribers_.push_back(q);
    return q;
}

void Engine::check_capture_format(const CaptureFormat &format, double ring_seconds) {
    // Python callers were checked against the same limits already (arguments.py).
    using L = CaptureLimits;
    if (format.sample_rate < L::min_sample_rate || format.sample_rate > L::max_sample_rate)
        throw EngineError(ErrorCode::InvalidArgument,
                          "sample_rate must be " + std::to_string(L::min_sample_rate) + ".." +
                              std::to_string(L::max_sample_rate) + " Hz, got " +
                              std::to_string(format.sample_rate));
    if (format.channels < L::min_channels || format.channels > L::max_channels)
        throw EngineError(ErrorCode::InvalidArgument,
                          "channels must be " + std::to_string(L::min_channels) + ".." +
                              std::to_string(L::max_channels) + ", got " +
                              std::to_string(format.channels));
    if (!(ring_seconds >= L::min_ring_seconds && ring_seconds <= L::max_ring_seconds))
        throw EngineError(ErrorCode::InvalidArgument,
                          "ring_seconds must be " + std::to_string(L::min_ring_seconds) + ".." +
                              std::to_string(L::max_ring_seconds) + ", got " +
                              std::to_string(ring_seconds));
}

std::unique_ptr<CaptureReader>
Engine::open_capture(const CaptureTarget &asked, const CaptureFormat &format, double ring_seconds) {
    CaptureTarget target = asked;
    check_capture_format(format, ring_seconds);
    if (target.kind == CaptureTarget::Kind::Process) {
        target.process_id = session(target.process_id).process_id; // one capture per app
    } else if (target.kind == CaptureTarget::Kind::Device) {
        device(target.device_kind, target.device_id); // InvalidArgument naming the devices
    } else if (!backend_->connected()) {
        sessions(); // throws ServerUnavailable with the reason
    } else if (target.kind == CaptureTarget::Kind::SystemExceptProcess) {
        // An excluded process need not be playing now: it is left out whenever
        // it plays. One that is part of an app leaves the whole app out.
        try {
            target.process_id = session(target.process_id).process_id;
        } catch (const EngineError &) {
        }
    }

    const CaptureKey key{target, format.sample_rate, format.channels};
    const auto ring_frames = static_cast<size_t>(ring_seconds * format.sample_rate);
    std::shared_ptr<CaptureHub> hub;
    {
        std::lock_guard<std::mutex> lock(captures_mutex_);
        auto it = captures_.find(key);
        if (it != captures_.end())
            hub = it->second.lock();
        if (target.kind == CaptureTarget::Kind::Process) {
            // A capture caught when the app started: its reader holds the
            // app's audio from its first frame (a view with another ring
            // shares its hub and leaves the reader to whom it was caught for).
            std::shared_ptr<CaptureHub> caught;
            auto reader = backend_->take_caught(target.process_id, format, ring_frames, caught);
            if (caught && (!hub || hub->ended() || reader)) {
                captures_[key] = caught;
                if (reader)
                    return reader;
                hub = std::move(caught);
            }
        }
        if (!hub || hub->ended()) {
            hub = std::make_shared<CaptureHub>(target, format);
            hub->set_stream(backend_->open_capture(target, format, *hub));
            captures_[key] = hub;
        }
        for (auto i = captures_.begin(); i != captures_.end();)
            i = i->second.expired() ? captures_.erase(i) : std::next(i);
    }
    return std::make_unique<CaptureReader>(std::move(hub), ring_frames);
}

void Engine::catch_new_apps(const CaptureFormat &format, double ring_seconds, double hold_seconds) {
    check_capture_format(format, ring_seconds);
    if (!(hold_seconds >= 0.1 && hold_seconds <= CaptureLimits::max_ring_seconds))
        throw EngineError(ErrorCode::InvalidArgument,
                          "hold_seconds must be 0.1.." +
                              std::to_string(CaptureLimits::max_ring_seconds) + ", got " +
                              std::to_string(hold_seconds));
    backend_->catch_new_apps(format, static_cast<size_t>(ring_seconds * format.sample_rate),
                             hold_seconds);
}

void Engine::stop_catching() { backend_->stop_catching(); }

void Engine::drop_stale_caught() { backend_->drop_stale_caught(); }

float Engine::live_peak(int64_t process_id) const {
    std::lock_guard<std::mutex> lock(captures_mutex_);
    float peak = 0.0f;
    for (const auto &kv : captures_) {
        const CaptureTarget &target = std::get<0>(kv.first);
        if (target.kind != CaptureTarget::Kind::Process || target.process_id != process_id)
            continue;
        if (auto hub = kv.second.lock())
            peak = std::max(peak, hub->peak());
    }
    return peak;
}

void Engine::publish(SessionEvent event) {
    std::lock_guard<std::mutex> lock(subscribers_mutex_);
    for (auto it = subscribers_.begin(); it != subscribers_.end();) {
        auto q = it->lock();
        if (!q || q->closed()) {
            it = subscribers_.erase(it);
            continue;
        }
        q->push(event);
        ++it;
    }
}

void Engine::session_updated(const SessionInfo &info) {
    SessionEvent event;
    {
        std::lock_guard<std::mutex> lock(table_mutex_);
        auto it = sessions_.find(info.process_id);
        if (it == sessions_.end()) {
            event.kind = SessionEvent::Kind::Added;
        } else if (!it->second.same_visible_state(info)) {
            event.kind = SessionEvent::Kind::Changed;
        } else {
            return;
        }
        sessions_[info.process_id] = info;
    }
    event.session = info;
    publish(std::move(event));
}

void Engine::session_removed(int64_t process_id) {
    SessionEvent event;
    event.kind = SessionEvent::Kind::Removed;
    {
        std::lock_guard<std::mutex> lock(table_mutex_);
        auto it = sessions_.find(process_id);
        if (it == sessions_.end())
            return;
        event.session = it->second;
        sessions_.erase(it);
    }
    event.session.state = SessionState::Expired;
    event.session.peak = 0.0f;
    publish(std::move(event));
}

void Engine::server_state_changed(bool connected, const std::string &detail) {
    {
        std::lock_guard<std::mutex> lock(table_mutex_);
        last_server_detail_ = detail;
        if (!connected) {
            sessions_.clear();
            devices_.clear();
        }
    }
    SessionEvent event;
    event.kind = connected ? SessionEvent::Kind::ServerConnected : SessionEvent::Kind::ServerLost;
    event.detail = detail;
    publish(std::move(event));
}

void Engine::device_updated(const DeviceInfo &info) {
    SessionEvent event;
    {
        std::lock_guard<std::mutex> lock(table_mutex_);
        auto &slot = devices_[{info.kind, info.id}];
        const bool added = slot.id.empty();
        if (!added && slot == info)
            return;
        event.kind = added ? SessionEvent::Kind::DeviceAdded : SessionEvent::Kind::DeviceChanged;
        slot = info;
    }
    event.device = info;
    publish(std::move(event));
}

void Engine::device_removed(DeviceKind kind, const std::string &id) {
    SessionEvent event;
    {
        std::lock_guard<std::mutex> lock(table_mutex_);
        auto it = devices_.find({kind, id});
        if (it == devices_.end())
            return;
        event.device = it->second;
        devices_.erase(it);
    }
    event.kind = SessionEvent::Kind::DeviceRemoved;
    publish(std::move(event));
}

std::vector<SessionInfo> Engine::recording_sessions() const {
    sessions(); // ServerUnavailable with the reason while disconnected
    return backend_->recording_sessions();
}

std::vector<DeviceInfo> Engine::devices() const {
    sessions(); // ServerUnavailable with the reason while disconnected
    std::lock_guard<std::mutex> lock(table_mutex_);
    std::vector<DeviceInfo> out;
    out.reserve(devices_.size());
    for (const auto &kv : devices_) // Output sorts before Input
        out.push_back(kv.second);
    return out;
}

DeviceInfo Engine::device(DeviceKind kind, const std::string &id) const {
    std::string known;
    for (const auto &d : devices()) {
        if (d.kind != kind)
            continue;
        if (d.id == id)
            return d;
        known += (known.empty() ? "" : ", ") + d.id;
    }
    throw EngineError(ErrorCode::InvalidArgument,
                      std::string("no ") + (kind == DeviceKind::Output ? "output" : "input") +
                          " device '" + id + "'; there are: " + (known.empty() ? "none" : known));
}

void Engine::set_device_volume(DeviceKind kind, const std::string &id, float volume) {
    check_volume(volume);
    device(kind, id);
    backend_->set_device_volume(kind, id, volume);
}

void Engine::set_device_mute(DeviceKind kind, const std::string &id, bool muted) {
    device(kind, id);
    backend_->set_device_mute(kind, id, muted);
}

void Engine::set_default_device(DeviceKind kind, const std::string &id) {
    device(kind, id);
    backend_->set_default_device(kind, id);
}

void Engine::move_session(int64_t process_id, const std::string &output_id) {
    device(DeviceKind::Output, output_id);
    backend_->move_session(session(process_id).process_id, output_id);
}

} // namespace pypac
