// Every audio session on every active render endpoint, folded into PyPAC
// sessions (one per process group) and reported to the BackendListener.
//
//   IMMDeviceEnumerator (all active render endpoints, not only the default)
//     -> IAudioSessionManager2 per endpoint (+ IAudioSessionNotification)
//       -> IAudioSessionControl2 per session (+ IAudioSessionEvents),
//          ISimpleAudioVolume (volume, mute), IAudioMeterInformation (peak)
//
// A process with sessions on several endpoints is one PyPAC session, and so is
// an app's process tree: helpers fold into the app's topmost process by the
// grouping rule (apps/process_tree.hpp), computed from a fresh snapshot of the
// process table whenever the set of sessions changes or a root exits.
// The system-sounds session is left out: it belongs to no process, so it can
// be neither captured alone nor named by a pid.
//
// Threads: every method runs on the engine thread (com_thread.hpp), which
// owns every COM pointer here and is the only one to register and unregister
// notifications. Listener calls are made from it.
#pragma once

#include "com_thread.hpp"
#include "notifications.hpp"
#include "process_info.hpp"
#include "process_table.hpp"

#include "pypac/backend.hpp"

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace pypac::wasapi {

class SessionMonitor {
  public:
    // `on_server_lost` runs (engine thread) when the audio service went away.
    SessionMonitor(std::shared_ptr<TaskQueue> queue, BackendListener &listener,
                   std::function<void(const std::string &)> on_server_lost);
    ~SessionMonitor(); // shutdown()

    // Registers for endpoint events and reads every active render endpoint.
    // Reports nothing yet. Returns "" when at least one endpoint (or none at
    // all, without errors) could be read, otherwise the first error.
    std::string connect();
    // Sends the whole table to the listener and reports changes from now on.
    void report_all();
    // Unregisters every notification and releases every COM object. With
    // `report`, each session is reported removed first.
    void shutdown(bool report = false);

    void set_volume(int64_t group, float volume); // throws EngineError
    void set_mute(int64_t group, bool muted);
    void read_peaks(std::vector<SessionInfo> &sessions) const;
    // The pids whose sessions make up this PyPAC session (root first when it plays).
    std::vector<DWORD> pids_of(int64_t group) const;
    size_t endpoint_count() const { return endpoints_.size(); }
    // A cheap call to the audio service through a session manager we hold:
    // S_OK while it answers; the HRESULT when a proxy fails (a stopped or
    // restarted service: see audio_service_gone()). With no endpoint, S_OK.
    HRESULT probe() const;
    // Endpoint or session problems that did not stop the rest (newest last).
    std::string warnings() const { return warnings_; }

  private:
    struct Endpoint {
        std::string name; // friendly name, for messages
        ComPtr<IAudioSessionManager2> manager;
        ComPtr<SessionCreatedSink> notifier;
    };
    struct Session {
        std::wstring endpoint_id;
        DWORD pid = 0;
        int64_t group = 0; // its app root; 0 until regroup() ran
        ComPtr<IAudioSessionControl2> control;
        ComPtr<ISimpleAudioVolume> volume;
        ComPtr<IAudioMeterInformation> meter;
        ComPtr<SessionEventsSink> events;
        std::string display_name;
        std::string icon_path;
        AudioSessionState state = AudioSessionStateInactive;
        float level = 1.0f;
        bool muted = false;
    };

    void sync_endpoints();
    std::string add_endpoint(const std::wstring &id, const ComPtr<IMMDevice> &device);
    void remove_endpoint(const std::wstring &id);
    void add_session(const std::wstring &endpoint_id, const ComPtr<IAudioSessionControl> &c);
    void remove_session(const std::wstring &key);
    template <typename Match> void remove_sessions_where(Match match);
    void on_session_change(const std::wstring &key, const SessionChange &change);
    void on_process_exit(DWORD pid);
    void expect_return(int64_t group); // keeps it listed while its app reopens
    void read_fields(Session &s);
    void request_regroup(); // soon, once for a burst of changes
    void regroup();         // assigns every session its app root, reports what changed
    void watch_exits();     // of every session's process and every group root
    void report(int64_t group);
    void warn(const std::string &text);
    template <typename Apply> void apply(int64_t group, const char *call, Apply apply);

    std::shared_ptr<TaskQueue> queue_;
    BackendListener &listener_;
    std::function<void(const std::string &)> on_server_lost_;
    ComPtr<IMMDeviceEnumerator> devices_;
    ComPtr<EndpointEventsSink> endpoint_events_;
    std::map<std::wstring, Endpoint> endpoints_; // by endpoint id
    std::map<std::wstring, Session> sessions_;   // by session instance id
    std::map<int64_t, ProcessFacts> facts_;      // group root -> its image, while reported
    std::map<DWORD, std::unique_ptr<ProcessExitWatch>> exit_watches_; // sessions' pids, roots
    std::set<int64_t> dirty_;     // groups to report at the next regroup()
    std::set<int64_t> lingering_; // groups kept listed after a format change
    bool regroup_posted_ = false;
    std::set<int64_t> reported_;
    bool reporting_ = false;
    std::string warnings_;
};

} // namespace pypac::wasapi
