// One capture target on libpulse: a monitor stream per sink input of the
// process (or the default sink's monitor for the whole system), mixed into
// one stream and handed to the CaptureSink.
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
    void on_server_lost();

  private:
    struct Monitor {
        PulseCapture *owner = nullptr;
        uint32_t sink_input = PA_INVALID_INDEX; // PA_INVALID_INDEX: the system monitor
        uint32_t sink = PA_INVALID_INDEX;
        int slot = -1;
        bool failed = false;
        bool corked = false; // the app paused this stream: the server sends nothing
        StreamPtr stream;
    };

    // Whether this capture records the stream `si` (its process is the target,
    // or, excluding, is not).
    bool wants(const SinkInput &si) const;
    void attach(const SinkInput &si);
    void detach(uint32_t sink_input);
    // Creates and connects the stream of `m`; false with `error` set on failure.
    bool connect(Monitor &m, const char *device, std::string &error);
    // Record a whole source (the System mix, a device); throws with `hint` on failure.
    void record_source(const char *source, const char *hint);
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

    PulseBackend &backend_;
    CaptureTarget target_;
    CaptureFormat format_;
    CaptureSink &sink_;
    dsp::StreamMixer mixer_;
    SilenceClock silence_;
    bool delivered_ = false; // real audio has arrived since the start
    std::map<uint32_t, std::unique_ptr<Monitor>> monitors_;
    std::string app_name_;
    pa_io_event *exit_watch_ = nullptr;
    int pidfd_ = -1;
    bool ended_ = false;
};

} // namespace pypac::pulse
