// The libpulse backend: one context on a threaded mainloop.
//
// Serves PulseAudio and PipeWire (through pipewire-pulse) alike. The mainloop
// thread is both the control thread and the audio thread of backend.hpp:
// every libpulse callback runs there with the mainloop lock held; Python
// threads take the lock for the short time they touch libpulse objects.
#pragma once

#include "pulse_handles.hpp"
#include "stream_owner.hpp"

#include "caught_captures.hpp"
#include "connection_state.hpp"
#include "pypac/backend.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace pypac::pulse {

class PulseCapture;

// What we keep of one playback stream (sink input).
struct SinkInput {
    uint32_t index = PA_INVALID_INDEX;
    int64_t process_id = 0; // the app's key: the top of its process tree (apps/process_tree.hpp)
    int64_t own_pid = 0;    // the process that plays the stream
    std::string process_name;
    std::string display_name;
    std::string icon_name;
    std::string title; // media.name
    pa_cvolume volume{};
    bool muted = false;
    bool corked = false;
    uint32_t sink = PA_INVALID_INDEX;
};

// A stream that records (a source output), and the app it belongs to.
struct SourceOutput {
    uint32_t index = PA_INVALID_INDEX;
    int64_t process_id = 0; // the app's key (apps/process_tree.hpp)
    std::string process_name, display_name, icon_name;
    uint32_t source = PA_INVALID_INDEX; // what it records from
    pa_cvolume volume{};
    bool muted = false;
    bool corked = false;
};

class PulseBackend final : public Backend {
  public:
    explicit PulseBackend(std::string server);
    ~PulseBackend() override;

    const char *name() const override { return "pulseaudio"; }
    void start(BackendListener &listener) override;
    void stop() override;
    void wait_connected(double timeout_s) override;
    bool connected() const override { return state_.connected(); }
    void set_volume(int64_t process_id, float volume) override;
    void set_channel_volumes(int64_t process_id, const std::vector<float> &volumes) override;
    void set_mute(int64_t process_id, bool muted) override;
    // pavucontrol's slider end (PA_VOLUME_UI_MAX, 153%) rounded down to what we show.
    float max_volume() const override { return 1.5f; }
    void set_device_volume(DeviceKind kind, const std::string &id, float volume) override;
    void set_device_mute(DeviceKind kind, const std::string &id, bool muted) override;
    void set_default_device(DeviceKind kind, const std::string &id) override;
    void move_session(int64_t process_id, const std::string &id) override;
    std::vector<SessionInfo> recording_sessions() const override;
    std::unique_ptr<CaptureStream> open_capture(const CaptureTarget &target,
                                                const CaptureFormat &format,
                                                CaptureSink &sink) override;
    void catch_new_apps(const CaptureFormat &format, size_t ring_frames,
                        double hold_seconds) override;
    void stop_catching() override;
    std::unique_ptr<CaptureReader> take_caught(int64_t process_id, const CaptureFormat &format,
                                               size_t ring_frames,
                                               std::shared_ptr<CaptureHub> &hub) override;
    void drop_stale_caught() override;

    // For PulseCapture; mainloop lock held.
    pa_threaded_mainloop *mainloop() const { return loop_.get(); }
    pa_context *context() const { return context_.get(); }
    const std::map<uint32_t, SinkInput> &sink_inputs() const { return sink_inputs_; }
    // The monitor source of a sink, or PA_INVALID_INDEX while its info is pending.
    uint32_t monitor_source_of(uint32_t sink) const;
    // The monitor source's name of the output device `sink_name` (its usual
    // "<sink>.monitor" until the sink's info came).
    std::string monitor_source_name(const std::string &sink_name) const;
    // Every known output device: sink index -> its monitor source index.
    const std::map<uint32_t, uint32_t> &sink_monitors() const { return sink_monitors_; }
    // The default output device's name ("" until the server said).
    const std::string &default_sink() const { return default_sink_; }
    void forget_capture(PulseCapture *capture) { captures_.erase(capture); }
    // The monitor opened on sink input `index`'s first event while catching,
    // when it is ready and in `format` (no longer held then); else null.
    StreamPtr take_early_monitor(uint32_t index, const CaptureFormat &format);

  private:
    void connect_locked();
    void schedule_reconnect_locked();
    // Read the defaults and devices again a moment after a server change:
    // pipewire-pulse can announce a new default before its server info shows it.
    void schedule_device_recheck_locked();
    void on_context_state();
    void on_context_lost(const std::string &why);
    void on_subscription(pa_subscription_event_type_t type, uint32_t index);
    void on_sink_input(const pa_sink_input_info &info);
    void on_client(const pa_client_info &info);
    void request_sink_input(uint32_t index);
    void on_sink_input_removed(uint32_t index);
    // While catching: open and hold a capture of the app of `si`, a stream
    // just seen, when it is the app's first and nobody captures the app yet.
    void catch_app(const SinkInput &si);
    // Group every stream by the app rule again, from a fresh look at /proc;
    // adds each app whose streams changed to `changed`.
    void regroup(std::set<int64_t> &changed);
    // The loudest channel of any stream of the app (mainloop lock held).
    pa_volume_t loudest_channel(int64_t process_id) const;
    // Devices (pulse_devices.cpp); mainloop thread.
    void request_devices(); // the server's defaults, then every sink and source
    void on_server_info(const pa_server_info &info);
    void on_sink(const pa_sink_info &info);
    void on_source(const pa_source_info &info);
    void on_device_removed(DeviceKind kind, uint32_t index);
    // Apps that record (pulse_recorders.cpp); mainloop thread.
    void request_source_output(uint32_t index);
    void on_source_output(const pa_source_output_info &info);
    void report_device(DeviceInfo info, uint32_t index);
    // The default output is now `name`: captures of "the system" follow it.
    void set_default_sink(const std::string &name);
    // Our own move of sink input `index` to `sink_name` was acknowledged:
    // captures of it re-attach now instead of after the server's event.
    void follow_moved_stream(uint32_t index, const std::string &sink_name);
    // Read one device again and wait for it (lock held): the table is current on return.
    void refresh_device(DeviceKind kind, const std::string &id);
    // Sends a new stream of an app with a chosen device there (lock held).
    void follow_route(const SinkInput &si);
    // Issue one operation and wait for its answer (lock held); throws with `call`'s name.
    template <typename Issue> void run_blocking(const std::string &call, Issue issue);
    void on_initial_sync_done();
    void report_session(int64_t process_id);
    std::string server_address() const;
    // Run one operation per sink input of `process_id`; waits for every answer.
    template <typename Issue>
    void apply_to_process(int64_t process_id, const char *call, Issue issue);

    std::string server_;
    MainloopPtr loop_;
    ContextPtr context_;
    BackendListener *listener_ = nullptr;
    pa_time_event *reconnect_timer_ = nullptr;
    pa_time_event *recheck_timer_ = nullptr; // schedule_device_recheck_locked()
    bool stopping_ = false;
    bool synced_ = false; // the first sink-input list after connecting has arrived
    // The last attempt reached a server that hung up before the handshake
    // ended: what PulseAudio and pipewire-pulse do when they have too many
    // clients (64 by default). Read by wait_connected() on callers' threads.
    std::atomic<bool> server_full_{false};

    std::map<uint32_t, SinkInput> sink_inputs_;
    std::map<uint32_t, uint32_t> sink_monitors_;       // sink index -> monitor source index
    std::map<std::string, std::string> monitor_names_; // sink name -> monitor source name
    std::map<uint32_t, SourceOutput> source_outputs_;  // streams that record
    std::map<uint32_t, std::string> source_names_;     // source index -> name (monitors too)
    std::map<std::pair<DeviceKind, uint32_t>, DeviceInfo> devices_; // by kind and index
    std::string default_sink_, default_source_;                     // names (DeviceInfo::id)
    std::map<int64_t, std::string> routes_;   // app -> the output device the user chose
    std::map<uint32_t, ClientFacts> clients_; // client index -> what it says of its program
    // Sink inputs seen before their client: asked again once the client is known.
    std::map<uint32_t, std::vector<uint32_t>> waiting_for_client_;
    std::set<PulseCapture *> captures_;
    CaughtCaptures caught_; // catch_new_apps(): held off this thread's hands (see its header)
    // While catching, a monitor is opened on each new sink input's first
    // event, before its owner is known (its info is asked for right after):
    // a capture that attaches to the stream then takes it, having saved a
    // round trip of the stream's start. The rest close when the info came.
    struct EarlyMonitor {
        StreamPtr stream;
        CaptureFormat format;
    };
    std::map<uint32_t, EarlyMonitor> early_monitors_;

    ConnectionState state_;
};

} // namespace pypac::pulse
