#include "wasapi_backend.hpp"

#include "hresult.hpp"
#include "policy_config.hpp"

#include <chrono>

namespace pypac::wasapi {

namespace {

constexpr std::chrono::milliseconds kRetryDelay(2000);
// How soon an audio service restart is noticed while nothing plays.
constexpr std::chrono::milliseconds kProbeInterval(3000);

EngineError not_connected(const std::string &detail) {
    return EngineError(ErrorCode::ServerUnavailable,
                       "not connected to Windows audio" +
                           (detail.empty() ? std::string() : " (" + detail + ")") +
                           "; PyPAC reconnects by itself once it is back");
}

} // namespace

WasapiBackend::~WasapiBackend() { stop(); }

void WasapiBackend::start(BackendListener &listener) {
    listener_ = &listener;
    thread_ = std::make_unique<ComThread>();
    monitor_ = std::make_unique<SessionMonitor>(
        thread_->queue(), listener, [this](const std::string &why) { on_server_lost(why); });
    devices_ = std::make_unique<DeviceMonitor>(thread_->queue(), listener);
    thread_->queue()->post([this] { attempt_connect(); });
}

void WasapiBackend::stop() {
    if (!thread_)
        return;
    // Unregister and release on the engine thread, where everything was made.
    thread_->stop([this] {
        monitor_->shutdown();
        devices_->shutdown();
    });
    thread_.reset();
    monitor_.reset();
    devices_.reset();
    state_.settle(false, "PyPAC's engine was stopped");
}

// Engine thread.
void WasapiBackend::attempt_connect() {
    state_.begin_attempt();
    std::string error = monitor_->connect();
    if (error.empty())
        error = devices_->connect();
    if (!error.empty()) {
        monitor_->shutdown();
        devices_->shutdown();
        state_.settle(false, error);
        thread_->queue()->post_after(kRetryDelay, [this] { attempt_connect(); });
        return;
    }
    const std::string detail =
        "Windows audio, " + std::to_string(monitor_->endpoint_count()) + " render endpoint(s)";
    monitor_->report_all();
    devices_->report_all();
    // Connected (and the table full) before anyone hears so, as on libpulse.
    state_.settle(true, detail);
    listener_->server_state_changed(true, detail);
    const uint64_t generation = ++connection_;
    thread_->queue()->post_after(kProbeInterval, [this, generation] { probe(generation); });
}

// Engine thread. One chain of probes per connection: a chain left from an
// earlier connection stops at its first run.
void WasapiBackend::probe(uint64_t generation) {
    if (generation != connection_ || !connected())
        return;
    const HRESULT hr = monitor_->probe();
    if (audio_service_gone(hr)) {
        on_server_lost("the Windows Audio service stopped or restarted (" +
                       call_failed("IAudioSessionManager2::GetSessionEnumerator()", hr) + ")");
        return;
    }
    thread_->queue()->post_after(kProbeInterval, [this, generation] { probe(generation); });
}

// Engine thread.
void WasapiBackend::on_server_lost(const std::string &why) {
    if (!connected())
        return;
    monitor_->shutdown(true);
    devices_->shutdown(true);
    state_.settle(false, why);
    listener_->server_state_changed(false, why);
    thread_->queue()->post_after(kRetryDelay / 2, [this] { attempt_connect(); });
}

void WasapiBackend::wait_connected(double timeout_s) {
    if (state_.wait(timeout_s))
        return;
    const std::string last_error = state_.last_error();
    throw EngineError(ErrorCode::ServerUnavailable,
                      "cannot use Windows audio: " +
                          (last_error.empty()
                               ? "no answer within " + std::to_string(timeout_s) + " s"
                               : last_error));
}

void WasapiBackend::require_connected() const {
    if (connected())
        return;
    throw not_connected(state_.last_error());
}

void WasapiBackend::set_volume(int64_t process_id, float volume) {
    require_connected();
    thread_->call([&] { monitor_->set_volume(process_id, volume); });
}

void WasapiBackend::set_mute(int64_t process_id, bool muted) {
    require_connected();
    thread_->call([&] { monitor_->set_mute(process_id, muted); });
}

void WasapiBackend::set_device_volume(DeviceKind kind, const std::string &id, float volume) {
    require_connected();
    thread_->call([&] { devices_->set_volume(kind, id, volume); });
}

void WasapiBackend::set_device_mute(DeviceKind kind, const std::string &id, bool muted) {
    require_connected();
    thread_->call([&] { devices_->set_mute(kind, id, muted); });
}

void WasapiBackend::set_default_device(DeviceKind kind, const std::string &id) {
    require_connected();
    thread_->call([&] {
        set_default_endpoint(devices_->endpoint_id(kind, id), devices_->description(kind, id));
        devices_->refresh_defaults(); // reported now, not only when the notification comes
    });
}

void WasapiBackend::move_session(int64_t process_id, const std::string &id) {
    require_connected();
    thread_->call([&] {
        const std::wstring endpoint = devices_->endpoint_id(DeviceKind::Output, id);
        std::vector<DWORD> pids = monitor_->pids_of(process_id);
        if (pids.empty())
            throw EngineError(ErrorCode::SessionNotFound,
                              "process " + std::to_string(process_id) + " plays no sound now");
        // The root too when only its helpers play (a browser): the choice then
        // also holds for streams the root itself opens later.
        if (pids.front() != static_cast<DWORD>(process_id))
            pids.insert(pids.begin(), static_cast<DWORD>(process_id));
        set_app_render_endpoint(pids, endpoint, devices_->description(DeviceKind::Output, id));
    });
}

void WasapiBackend::read_session_peaks(std::vector<SessionInfo> &sessions) {
    if (!connected() || sessions.empty())
        return;
    thread_->call([&] { monitor_->read_peaks(sessions); });
}

std::vector<DWORD> WasapiBackend::session_pids(int64_t process_id) {
    require_connected();
    return thread_->call([&] { return monitor_->pids_of(process_id); });
}

std::string WasapiBackend::warnings() {
    if (!thread_)
        return {};
    return thread_->call([&] {
        const std::string sessions = monitor_->warnings(), devices = devices_->warnings();
        return sessions.empty() || devices.empty() ? sessions + devices : sessions + "; " + devices;
    });
}

std::unique_ptr<CaptureStream> WasapiBackend::open_capture(const CaptureTarget &target,
                                                           const CaptureFormat &format,
                                                           CaptureSink &sink) {
    if (target.kind == CaptureTarget::Kind::Device) {
        // What an output plays (its loopback) or what an input records.
        std::wstring id = widen(target.device_id);
        if (connected())
            id = thread_->call(
                [&] { return devices_->endpoint_id(target.device_kind, target.device_id); });
        return open_source(target.device_kind == DeviceKind::Output
                               ? CaptureSource::render_endpoint(id)
                               : CaptureSource::capture_endpoint(id),
                           format, sink);
    }
    if (target.kind == CaptureTarget::Kind::System)
        return open_source(CaptureSource::render_endpoint(), format, sink);
    if (target.kind == CaptureTarget::Kind::AllOutputs)
        throw EngineError(ErrorCode::Unsupported,
                          "capturing every output device at once (SimpleLoopback(all_devices="
                          "True)) is not available on Windows yet; capture each output with "
                          "DeviceCapture, or the default one with SimpleLoopback()");
    const auto mode = target.kind == CaptureTarget::Kind::SystemExceptProcess
                          ? PROCESS_LOOPBACK_MODE_EXCLUDE_TARGET_PROCESS_TREE
                          : PROCESS_LOOPBACK_MODE_INCLUDE_TARGET_PROCESS_TREE;
    if (target.process_id <= 0 || target.process_id > 0xFFFFFFFFll)
        throw EngineError(ErrorCode::InvalidArgument, "process id " +
                                                          std::to_string(target.process_id) +
                                                          " is not a Windows process id");
    // The session's pid is its group root: the tree brings in (or leaves
    // out) the children that actually play (Chrome's audio service).
    return open_source(CaptureSource::process(static_cast<DWORD>(target.process_id), mode), format,
                       sink);
}

std::unique_ptr<WasapiCapture> WasapiBackend::open_source(const CaptureSource &source,
                                                          const CaptureFormat &format,
                                                          CaptureSink &sink) {
    // Activation runs on the capture's own MTA thread, never on the caller's
    // (which may be Qt's main thread, an STA).
    auto capture = std::make_unique<WasapiCapture>(source, format, sink);
    capture->start();
    return capture;
}

} // namespace pypac::wasapi
