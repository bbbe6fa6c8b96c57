// The WASAPI backend (Windows 10 2004+ and 11).
//
// Sessions come from SessionMonitor and devices from DeviceMonitor, both on
// the engine thread (com_thread.hpp);
// each capture runs on a thread of its own (wasapi_capture.hpp). "Connected"
// means: the audio service answered and the session API works on at least
// one render endpoint (or there is none). When it does not (the service is
// stopped, or Wine, which lacks the session enumerator), wait_connected()
// names the call and HRESULT that failed and the backend retries by itself.
// A service that stops or restarts is noticed by a session's
// OnSessionDisconnected(ServerShutdown), by a call that fails, and, when
// nothing plays and so nothing would tell, by a cheap probe every few seconds.
#pragma once

#include "capture_source.hpp"
#include "com_thread.hpp"
#include "device_monitor.hpp"
#include "session_monitor.hpp"
#include "wasapi_capture.hpp"

#include "connection_state.hpp"
#include "pypac/backend.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pypac::wasapi {

class WasapiBackend final : public Backend {
  public:
    WasapiBackend() = default;
    ~WasapiBackend() override;

    const char *name() const override { return "wasapi"; }
    void start(BackendListener &listener) override;
    void stop() override;
    void wait_connected(double timeout_s) override;
    bool connected() const override { return state_.connected(); }
    void set_volume(int64_t process_id, float volume) override;
    void set_mute(int64_t process_id, bool muted) override;
    // Endpoint volume tops at 100% too: max_volume() stays 1.0.
    void set_device_volume(DeviceKind kind, const std::string &id, float volume) override;
    void set_device_mute(DeviceKind kind, const std::string &id, bool muted) override;
    // Through the undocumented IPolicyConfig / IAudioPolicyConfigFactory
    // (policy_config.hpp): Unsupported, saying why, where Windows lacks them.
    void set_default_device(DeviceKind kind, const std::string &id) override;
    void move_session(int64_t process_id, const std::string &id) override;
    // A process capture includes the target's process tree (Chrome's audio
    // child); the system capture is the loopback of the default render
    // endpoint and follows it when the default changes.
    std::unique_ptr<CaptureStream> open_capture(const CaptureTarget &target,
                                                const CaptureFormat &format,
                                                CaptureSink &sink) override;
    void read_session_peaks(std::vector<SessionInfo> &sessions) override;

    // ---- WASAPI-only API (the Windows test program; richer Python options) ----
    // Any capture source, e.g. everything except one app:
    //   CaptureSource::process(pid, PROCESS_LOOPBACK_MODE_EXCLUDE_TARGET_PROCESS_TREE)
    // or the loopback of one render endpoint by id. Any thread.
    std::unique_ptr<WasapiCapture> open_source(const CaptureSource &source,
                                               const CaptureFormat &format, CaptureSink &sink);
    // Which pids a PyPAC session covers (the root and the children it folds in).
    std::vector<DWORD> session_pids(int64_t process_id);
    // Problems that did not stop the backend (an endpoint it could not read):
    // the sessions' newest, then the devices'.
    std::string warnings();

  private:
    void attempt_connect();                      // engine thread
    void on_server_lost(const std::string &why); // engine thread
    void probe(uint64_t generation);             // engine thread, every kProbeInterval
    void require_connected() const;

    BackendListener *listener_ = nullptr;
    std::unique_ptr<ComThread> thread_;
    std::unique_ptr<SessionMonitor> monitor_; // engine thread only
    std::unique_ptr<DeviceMonitor> devices_;  // engine thread only
    uint64_t connection_ = 0;                 // engine thread: counts connections, for probes

    ConnectionState state_;
};

} // namespace pypac::wasapi
