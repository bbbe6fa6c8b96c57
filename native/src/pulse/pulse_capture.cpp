#include "pulse_capture.hpp"

#include "pypac/clock.hpp"

#include <cerrno>
#include <csignal>
#include <fstream>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 // same number on every Linux architecture
#endif

namespace pypac::pulse {

namespace {

// A zombie still answers kill(pid, 0); /proc tells it apart.
bool all_zero(const float *samples, size_t count) noexcept {
    for (size_t i = 0; i < count; ++i)
        if (samples[i] != 0.0f)
            return false;
    return true;
}

bool process_gone(int64_t pid) {
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
        return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    const auto close_paren = text.rfind(')');
    return close_paren != std::string::npos && close_paren + 2 < text.size() &&
           text[close_paren + 2] == 'Z';
}

} // namespace

PulseCapture::PulseCapture(PulseBackend &backend, const CaptureTarget &target,
                           const CaptureFormat &format, CaptureSink &sink)
    : backend_(backend), target_(target), format_(format), sink_(sink),
      mixer_(format.channels, format.sample_rate, sink),
      silence_(backend.mainloop(), backend.context(), format, sink) {}

PulseCapture::~PulseCapture() {
    MainloopLock lock(backend_.mainloop());
    backend_.forget_capture(this);
    quiet_watch_.reset();
    silence_.stop();
    next_source_.reset();
    outputs_.clear();
    monitors_.clear();
    stop_watching_process();
}

void PulseCapture::start_locked() {
    if (target_.kind == CaptureTarget::Kind::System) {
        app_name_ = "system";
        source_name_ = default_monitor();
        record_source(source_name_.c_str(), "; check that the server has an output device");
        return;
    }
    if (target_.kind == CaptureTarget::Kind::AllOutputs) {
        app_name_ = "every output";
        for (const auto &kv : backend_.sink_monitors())
            attach_output(kv.first);
        if (outputs_.empty())
            throw EngineError(ErrorCode::BackendFailure,
                              "no output device could be captured; check that the server has "
                              "an output device (pypac devices)");
        return;
    }
    if (target_.kind == CaptureTarget::Kind::Device) {
        app_name_ = target_.device_id;
        // An output device is heard through its monitor source.
        const std::string source = target_.device_kind == DeviceKind::Output
                                       ? backend_.monitor_source_name(target_.device_id)
                                       : target_.device_id;
        record_source(source.c_str(), "; is the device still there? (pypac devices)");
        return;
    }
    if (target_.kind == CaptureTarget::Kind::SystemExceptProcess)
        app_name_ = "everything but process " + std::to_string(target_.process_id);
    for (const auto &kv : backend_.sink_inputs())
        if (wants(kv.second)) {
            if (app_name_.empty())
                app_name_ = kv.second.display_name;
            attach(kv.second);
        }
    if (target_.kind == CaptureTarget::Kind::Process)
        watch_process_exit();
    start_quiet_watch();
}

namespace {
constexpr pa_usec_t kQuietCheckUs = 500 * 1000;
// A playing stream's monitor delivers every ~10 ms: one that sent nothing
// since it was connected, or only zeros, for this long is linked to nothing.
constexpr int64_t kQuietLimitNs = 1'500'000'000;
// One that sent sound and then nothing at all is more likely stalled: under
// load pipewire-pulse holds some monitors' audio back for 1-3 s while the
// others go on, then sends all of it. A new monitor would throw that away
// (measured: app tracks of a take off by 0.5-1.5 s), so it is given longer.
constexpr int64_t kStalledLimitNs = 6'000'000'000;
constexpr int64_t kBlocksFlowNs = 500'000'000; // blocks came this recently: zeros flow
constexpr int kMaxReconnects = 3;              // per stream: one that stays quiet is left alone
} // namespace

void PulseCapture::start_quiet_watch() {
    quiet_watch_ =
        TimeEventPtr(pa_context_rttime_new(
                         backend_.context(), pa_rtclock_now() + kQuietCheckUs,
                         [](pa_mainloop_api *, pa_time_event *e, const timeval *, void *u) {
                             auto *self = static_cast<PulseCapture *>(u);
                             self->check_quiet_monitors();
                             if (self->quiet_watch_)
                                 pa_context_rttime_restart(self->backend_.context(), e,
                                                           pa_rtclock_now() + kQuietCheckUs);
                         },
                         this),
                     TimeEventDeleter{pa_threaded_mainloop_get_api(backend_.mainloop())});
}

void PulseCapture::check_quiet_monitors() {
    // pipewire-pulse now and then makes a stream's monitor ready and never
    // links it, or links it and then sends only zeros (both seen under load
    // right after another capture of the same stream closed): the capture
    // would hear nothing of a playing app for as long as it runs. A new
    // monitor is linked afresh. An app that plays digital silence looks the
    // same; it costs it at most kMaxReconnects new monitors.
    const int64_t now = monotonic_ns();
    std::vector<SinkInput> quiet;
    for (const auto &kv : monitors_) {
        const Monitor &m = *kv.second;
        const bool stalled = m.heard_sound && now - m.last_block_ns >= kBlocksFlowNs;
        const int64_t limit = stalled ? kStalledLimitNs : kQuietLimitNs;
        if (m.failed || m.pending || m.corked || m.due_since_ns == 0 ||
            now - m.due_since_ns < limit || reconnects_[kv.first] >= kMaxReconnects)
            continue;
        const auto si = backend_.sink_inputs().find(kv.first);
        if (si != backend_.sink_inputs().end() && !si->second.corked)
            quiet.push_back(si->second);
    }
    for (const SinkInput &si : quiet) {
        ++reconnects_[si.index];
        detach(monitors_, si.index);
        attach(si);
    }
}

void PulseCapture::record_source(const char *source, const char *hint) {
    auto m = std::make_unique<Monitor>();
    m->owner = this;
    m->slot = mixer_.attach();
    std::string error;
    if (!connect(*m, source, error))
        throw EngineError(ErrorCode::BackendFailure, error + hint);
    monitors_[PA_INVALID_INDEX] = std::move(m);
}

std::string PulseCapture::default_monitor() const {
    const std::string &sink = backend_.default_sink();
    return sink.empty() ? "@DEFAULT_MONITOR@" : backend_.monitor_source_name(sink);
}

void PulseCapture::on_default_sink_changed() {
    if (ended_ || target_.kind != CaptureTarget::Kind::System)
        return;
    const std::string source = default_monitor();
    if (source == source_name_)
        return;
    source_name_ = source;
    // Make before break: the current source keeps recording until the new
    // one delivers (take_over), so the switch leaves no hole.
    auto m = std::make_unique<Monitor>();
    m->owner = this;
    m->pending = true;
    std::string error;
    if (!connect(*m, source.c_str(), error)) {
        next_source_.reset();
        return; // the old default stays recorded: better than nothing
    }
    next_source_ = std::move(m);
}

void PulseCapture::take_over(Monitor &next) {
    auto &current = monitors_[PA_INVALID_INDEX];
    if (current && current->slot >= 0)
        mixer_.detach(current->slot);  // what it delivered is still emitted first
    current = std::move(next_source_); // the old default's stream ends here
    next.pending = false;
    next.slot = mixer_.attach();
}

void PulseCapture::attach_output(uint32_t sink) {
    auto it = outputs_.find(sink);
    if (it != outputs_.end() && !it->second->failed)
        return;
    const uint32_t source = backend_.monitor_source_of(sink);
    if (source == PA_INVALID_INDEX)
        return;             // the sink's info is on its way; on_sink_known() attaches then
    detach(outputs_, sink); // a failed one
    auto m = std::make_unique<Monitor>();
    m->owner = this;
    m->sink = sink;
    m->slot = mixer_.attach();
    if (m->slot < 0)
        return; // more devices than the mixer takes; the first ones are captured
    std::string error;
    if (!connect(*m, std::to_string(source).c_str(), error)) {
        mixer_.detach(m->slot);
        return; // the sink vanished meanwhile; its removal event follows
    }
    outputs_[sink] = std::move(m);
}

void PulseCapture::on_sink_removed(uint32_t sink) { detach(outputs_, sink); }

bool PulseCapture::wants(const SinkInput &si) const {
    switch (target_.kind) {
    case CaptureTarget::Kind::Process:
        return si.process_id == target_.process_id;
    case CaptureTarget::Kind::SystemExceptProcess:
        return si.process_id != target_.process_id;
    default:
        return false; // the system capture records the sink's monitor, not streams
    }
}

void PulseCapture::watch_process_exit() {
    const long fd = ::syscall(SYS_pidfd_open, static_cast<pid_t>(target_.process_id), 0);
    if (fd < 0) {
        if (errno == ESRCH)
            end(CaptureEnd::ProcessExited);
        return; // older kernel: on_sink_input_removed() checks /proc instead
    }
    pidfd_ = static_cast<int>(fd);
    pa_mainloop_api *api = pa_threaded_mainloop_get_api(backend_.mainloop());
    exit_watch_ = api->io_new(
        api, pidfd_, PA_IO_EVENT_INPUT,
        [](pa_mainloop_api *, pa_io_event *, int, pa_io_event_flags_t, void *u) {
            auto *self = static_cast<PulseCapture *>(u);
            self->mixer_.flush();
            self->end(CaptureEnd::ProcessExited);
        },
        this);
}

void PulseCapture::stop_watching_process() {
    if (exit_watch_) {
        pa_threaded_mainloop_get_api(backend_.mainloop())->io_free(exit_watch_);
        exit_watch_ = nullptr;
    }
    if (pidfd_ >= 0) {
        ::close(pidfd_);
        pidfd_ = -1;
    }
}

void PulseCapture::on_sink_input(const SinkInput &si) {
    if (ended_ || !wants(si))
        return;
    if (app_name_.empty())
        app_name_ = si.display_name;
    attach(si);
    if (auto it = monitors_.find(si.index); it != monitors_.end()) {
        Monitor &m = *it->second;
        if (m.corked && !si.corked && m.due_since_ns != 0) {
            m.due_since_ns = monotonic_ns(); // resumed: its audio is due from now
            m.heard_sound = false;
        }
        m.corked = si.corked;
    }
    update_idle();
}

void PulseCapture::update_idle() {
    if (ended_ || target_.kind == CaptureTarget::Kind::System ||
        target_.kind == CaptureTarget::Kind::Device ||
        target_.kind == CaptureTarget::Kind::AllOutputs || !delivered_)
        return;
    // A monitor killed while its stream lives is one whose stream moved: it
    // is re-attached in a moment, and silence meanwhile would be a hole.
    const auto &streams = backend_.sink_inputs();
    bool playing = false;
    for (const auto &kv : monitors_)
        playing = playing || (!kv.second->corked &&
                              (!kv.second->failed || streams.find(kv.first) != streams.end()));
    if (!playing && !silence_.running()) {
        mixer_.flush(); // what the streams sent before pausing comes first
        silence_.start();
    }
    // Leaving idleness waits for real audio (on_readable): a resumed stream's
    // first data takes a moment, and the silence keeps the clock meanwhile.
}

void PulseCapture::on_sink_input_removed(uint32_t index) {
    if (ended_ || monitors_.find(index) == monitors_.end())
        return;
    detach(monitors_, index);
    if (target_.kind == CaptureTarget::Kind::Process && pidfd_ < 0 && monitors_.empty() &&
        process_gone(target_.process_id)) {
        mixer_.flush();
        end(CaptureEnd::ProcessExited);
        return;
    }
    update_idle();
}

void PulseCapture::on_sink_known(uint32_t sink) {
    if (ended_)
        return;
    if (target_.kind == CaptureTarget::Kind::AllOutputs) {
        attach_output(sink); // a device added while capturing joins the mix
        return;
    }
    for (const auto &kv : backend_.sink_inputs())
        if (kv.second.sink == sink && wants(kv.second))
            attach(kv.second);
}

void PulseCapture::on_server_lost() {
    if (ended_)
        return;
    mixer_.flush();
    end(CaptureEnd::ServerLost);
}

void PulseCapture::attach(const SinkInput &si) {
    auto it = monitors_.find(si.index);
    if (it != monitors_.end()) {
        Monitor &m = *it->second;
        const bool live = m.stream && !m.failed;
        if (live && m.sink == si.sink)
            return; // already capturing this stream where it plays
        if (live && pa_stream_get_state(m.stream.get()) == PA_STREAM_READY) {
            // Moved to another output, a monitor that still records follows
            // its stream (PipeWire's does; PulseAudio kills it before it
            // acknowledges the move, so it is failed by now): keep it, as a
            // new one would start tens of ms later.
            m.sink = si.sink;
            return;
        }
        // The monitor failed (PulseAudio kills it when its stream moves), or
        // is still being made for a sink the stream has left: re-attach on
        // the stream's sink without the user noticing.
        detach(monitors_, si.index);
    }
    // Opened on the stream's first event while catching: it may have heard its start.
    StreamPtr early = backend_.take_early_monitor(si.index, format_);
    const uint32_t source = backend_.monitor_source_of(si.sink);
    if (!early && source == PA_INVALID_INDEX)
        return; // the sink's info is on its way; on_sink_known() attaches then
    auto m = std::make_unique<Monitor>();
    m->owner = this;
    m->sink_input = si.index;
    m->sink = si.sink;
    m->slot = mixer_.attach();
    m->corked = si.corked;
    if (m->slot < 0)
        return; // more streams than the mixer takes; the first ones are captured
    if (early) {
        m->stream = std::move(early);
        m->due_since_ns = monotonic_ns(); // ready already: no state change will say so
        listen(*m);
    } else {
        std::string error;
        const std::string device = std::to_string(source);
        if (!connect(*m, device.c_str(), error)) {
            mixer_.detach(m->slot);
            return; // the sink input vanished meanwhile; its removal event follows
        }
    }
    monitors_[si.index] = std::move(m);
}

void PulseCapture::detach(Monitors &from, uint32_t key) {
    auto it = from.find(key);
    if (it == from.end())
        return;
    if (it->second->slot >= 0)
        mixer_.detach(it->second->slot);
    from.erase(it);
}

bool PulseCapture::connect(Monitor &m, const char *device, std::string &error) {
    m.stream = connect_monitor_stream(backend_.context(), format_, "PyPAC capture: " + app_name_,
                                      m.sink_input, device, error);
    if (!m.stream)
        return false;
    listen(m);
    return true;
}

void PulseCapture::listen(Monitor &m) {
    pa_stream *s = m.stream.get();
    pa_stream_set_read_callback(
        s,
        [](pa_stream *, size_t, void *u) {
            auto *mon = static_cast<Monitor *>(u);
            mon->owner->on_readable(*mon);
        },
        &m);
    pa_stream_set_state_callback(
        s,
        [](pa_stream *, void *u) {
            auto *mon = static_cast<Monitor *>(u);
            mon->owner->on_stream_state(*mon);
        },
        &m);
}

StreamPtr connect_monitor_stream(pa_context *ctx, const CaptureFormat &format,
                                 const std::string &media, uint32_t sink_input, const char *device,
                                 std::string &error) {
    pa_sample_spec spec{};
    spec.format = PA_SAMPLE_FLOAT32LE;
    spec.rate = format.sample_rate;
    spec.channels = static_cast<uint8_t>(format.channels);
    pa_channel_map map{};
    pa_channel_map_init_extend(&map, spec.channels, PA_CHANNEL_MAP_DEFAULT);

    // Named so that other mixers and privacy indicators show who records.
    ProplistPtr props(pa_proplist_new());
    pa_proplist_sets(props.get(), PA_PROP_MEDIA_NAME, media.c_str());
    pa_proplist_sets(props.get(), PA_PROP_APPLICATION_NAME, "PyPAC");
    pa_proplist_sets(props.get(), PA_PROP_MEDIA_ROLE, "production");
    StreamPtr stream(pa_stream_new_with_proplist(ctx, media.c_str(), &spec, &map, props.get()));
    if (!stream) {
        error = call_failed("pa_stream_new_with_proplist()", pa_context_errno(ctx));
        return nullptr;
    }
    pa_stream *s = stream.get();
    if (sink_input != PA_INVALID_INDEX && pa_stream_set_monitor_stream(s, sink_input) < 0) {
        error = call_failed("pa_stream_set_monitor_stream()", pa_context_errno(ctx));
        return nullptr;
    }

    // A small fragment makes the server deliver every ~10 ms and pulls the
    // sink's render-ahead down from seconds to milliseconds.
    const uint32_t frame_bytes = 4u * format.channels;
    pa_buffer_attr attr{};
    attr.maxlength = static_cast<uint32_t>(-1);
    attr.tlength = static_cast<uint32_t>(-1);
    attr.prebuf = static_cast<uint32_t>(-1);
    attr.minreq = static_cast<uint32_t>(-1);
    attr.fragsize = frame_bytes * (format.sample_rate / 100);
    auto flags = static_cast<pa_stream_flags_t>(
        PA_STREAM_ADJUST_LATENCY | PA_STREAM_AUTO_TIMING_UPDATE | PA_STREAM_INTERPOLATE_TIMING);
    if (sink_input != PA_INVALID_INDEX)
        flags = static_cast<pa_stream_flags_t>(flags | PA_STREAM_DONT_MOVE);
    if (pa_stream_connect_record(s, device, &attr, flags) < 0) {
        error = call_failed(std::string("pa_stream_connect_record(") +
                                (device ? device : "its stream's output") + ")",
                            pa_context_errno(ctx));
        return nullptr;
    }
    return stream;
}

void PulseCapture::on_readable(Monitor &m) {
    if (m.pending)
        take_over(m);
    pa_stream *s = m.stream.get();
    const size_t frame_bytes = 4u * format_.channels;
    mark_frame_time(m);
    m.last_block_ns = monotonic_ns();
    while (pa_stream_readable_size(s) > 0) {
        const void *data = nullptr;
        size_t bytes = 0;
        if (pa_stream_peek(s, &data, &bytes) < 0 || bytes == 0)
            break;
        if (silence_.running())
            silence_.stop(); // audio again: the clock's silence ends where it begins
        delivered_ = true;
        const size_t frames = bytes / frame_bytes;
        if (data) {
            const auto *samples = static_cast<const float *>(data);
            if (m.sink_input != PA_INVALID_INDEX && !all_zero(samples, frames * format_.channels)) {
                m.due_since_ns = m.last_block_ns; // sound: the monitor is linked to its stream
                m.heard_sound = true;
            }
            mixer_.push(m.slot, samples, frames);
        } else
            mixer_.push_silence(m.slot, frames); // a hole in the stream: keep the timing
        pa_stream_drop(s);
    }
    pa_usec_t usec = 0;
    int negative = 0;
    if (pa_stream_get_latency(s, &usec, &negative) == 0)
        sink_.on_server_latency(negative ? 0.0 : static_cast<double>(usec) / 1000.0);
}

void PulseCapture::mark_frame_time(Monitor &m) {
    // The newest unread frame arrived just now: the oldest is older by the
    // unread frames, and the frames still queued in the mixer for this
    // stream come out before it. Arrival, not the server's latency report:
    // pipewire-pulse's reports are off by up to a graph cycle per stream, and
    // PulseAudio's jump by the sink's latency when a monitor connects, while
    // monitors of one sink receive the same render at the same moment. A
    // block read late (the mainloop was not scheduled) looks late, never
    // early; take_timeline.py reads the times with that in mind.
    const size_t bytes = pa_stream_readable_size(m.stream.get());
    if (bytes == 0 || bytes == static_cast<size_t>(-1))
        return;
    const auto unread = static_cast<int64_t>(bytes / (4u * format_.channels));
    const auto queued = static_cast<int64_t>(mixer_.buffered(m.slot));
    sink_.on_frame_time(monotonic_ns() - frames_to_ns(unread + queued, format_.sample_rate));
}

void PulseCapture::on_stream_state(Monitor &m) {
    const pa_stream_state_t st = pa_stream_get_state(m.stream.get());
    if (st == PA_STREAM_READY)
        m.due_since_ns = monotonic_ns();
    if (st != PA_STREAM_FAILED && st != PA_STREAM_TERMINATED)
        return;
    // Killed: the target stream ended or moved. The sink-input event that
    // follows detaches or re-attaches; until then this slot just stops.
    m.failed = true;
    if (m.pending)
        return; // the new default could not be recorded: the old one stays
    if (m.slot >= 0) {
        mixer_.detach(m.slot);
        m.slot = -1;
    }
    // A device of the all-outputs mix went away: the others go on.
    if (m.sink_input == PA_INVALID_INDEX && target_.kind != CaptureTarget::Kind::AllOutputs &&
        !ended_) {
        mixer_.flush();
        end(CaptureEnd::Failed);
        return;
    }
    update_idle();
}

void PulseCapture::end(CaptureEnd why) {
    if (ended_)
        return;
    ended_ = true;
    quiet_watch_.reset();
    silence_.stop();
    stop_watching_process();
    next_source_.reset();
    outputs_.clear();
    monitors_.clear();
    sink_.on_end(why);
}

} // namespace pypac::pulse
