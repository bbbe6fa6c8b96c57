// One capture target on libpulse: a monitor stream per sink input of the
// process (or the default sink's monitor for the whole system, following the
// default; or every sink's monitor), mixed into one stream and handed to the
// CaptureSink.
//
// Every method runs with the mainloop lock held; the libpulse callbacks run
// on the mainloop thread, which is this capture's audio thread.
#pragma once

#include "pulse_backend.hpp"

#include "dsp/stream_mixer.hpp"
#include "silence_clock.hpp"

#include <map>
#include <memory>
#include <string>

namespace pypac::pulse {

// A new record stream in `format` named `media`, connected to `device`; for a
// sink input's monitor (`sink_input` valid) a null `device` lets the server
// pick the monitor of wherever the stream plays. Null with `error` set on failure.
StreamPtr connect_monitor_stream(pa_context *ctx, const CaptureFormat &format,
                                 const std::string &media, uint32_t sink_input, const char *device,
                                 std::string &error);

class PulseCapture final : public CaptureStream {
  public:
    PulseCapture(PulseBackend &backend, const CaptureTarget &target, const CaptureFormat &format,
                 CaptureSink &sink);
    ~PulseCapture() override; // takes the mainloop lock

    // Attach to what exists now; throws EngineError when nothing can be captured.
    void start_locked();

    // Backend events (loop thread).
    void on_sink_input(const SinkInput &si);
    void on_sink_input_removed(uint32_t index);
    void on_sink_known(uint32_t sink);
    void on_sink_removed(uint32_t sink);
    void on_default_sink_changed();
    void on_server_lost();
    // Records the app `process_id` and has not ended.
    bool records_app(int64_t process_id) const {
        return !ended_ && target_.kind == CaptureTarget::Kind::Process &&
               target_.process_id == process_id;
    }

  private:
    struct Monitor {
        PulseCapture *owner = nullptr;
        uint32_t sink_input = PA_INVALID_INDEX; // PA_INVALID_INDEX: the system monitor
        uint32_t sink = PA_INVALID_INDEX;
        int slot = -1;
        bool failed = false;
        bool corked = false; // the app paused this stream: the server sends nothing
        // The System capture's next source: it replaces the current one when
        // its first audio arrives, so switching leaves no hole.
        bool pending = false;
        // Since when sound is due: the stream's monitor became ready, its
        // stream resumed, or its last block with a non-zero sample came
        // (monotonic ns).
        int64_t due_since_ns = 0;
        int64_t last_block_ns = 0; // when the last block of any kind came
        bool heard_sound = false;  // a non-zero sample came since it was connected
        StreamPtr stream;
    };

    // Whether this capture records the stream `si` (its process is the target,
    // or, excluding, is not).
    bool wants(const SinkInput &si) const;
    void attach(const SinkInput &si);
    using Monitors = std::map<uint32_t, std::unique_ptr<Monitor>>;
    // Stop recording `from[key]` (a sink input's monitor, or an output's).
    void detach(Monitors &from, uint32_t key);
    // Creates and connects the stream of `m`; false with `error` set on failure.
    bool connect(Monitor &m, const char *device, std::string &error);
    // Route the stream of `m`'s callbacks to `m`.
    void listen(Monitor &m);
    // Record a whole source (the System mix, a device); throws with `hint` on failure.
    void record_source(const char *source, const char *hint);
    // The System capture's source: the default output's monitor.
    std::string default_monitor() const;
    // The pending next System source delivers: it takes over from the current one.
    void take_over(Monitor &next);
    // All outputs: record the monitor of `sink` if not yet.
    void attach_output(uint32_t sink);
    void end(CaptureEnd why);
    void watch_process_exit();
    void stop_watching_process();
    void on_stream_state(Monitor &m);
    void on_readable(Monitor &m);
    // Tell the sink when the monitor's next unread frame was heard.
    void mark_frame_time(Monitor &m);
    // Start or stop the silence clock: idle once audio has flowed and no
    // stream of the target plays (all corked, failed, or none at all).
    void update_idle();
    // Per-stream captures: every kQuietCheckUs, reconnect a monitor whose
    // playing stream has sent nothing but zeros for kQuietLimitNs (see
    // check_quiet_monitors).
    void start_quiet_watch();
    void check_quiet_monitors();

    PulseBackend &backend_;
    CaptureTarget target_;
    CaptureFormat format_;
    CaptureSink &sink_;
    dsp::StreamMixer mixer_;
    SilenceClock silence_;
    bool delivered_ = false; // real audio has arrived since the start
    Monitors monitors_;
    Monitors outputs_;                     // all outputs: by sink index
    std::unique_ptr<Monitor> next_source_; // System: the new default's monitor, connecting
    std::string source_name_;              // System: the source recorded (or connecting)
    std::string app_name_;
    pa_io_event *exit_watch_ = nullptr;
    int pidfd_ = -1;
    bool ended_ = false;
    TimeEventPtr quiet_watch_;
    std::map<uint32_t, int> reconnects_; // by sink input: quiet monitors reconnected
};

} // namespace pypac::pulse
