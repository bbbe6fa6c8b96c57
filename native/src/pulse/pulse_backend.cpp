#include "pulse_backend.hpp"

#include "apps/proc_table_linux.hpp"
#include "pulse_capture.hpp"
#include "pypac/clock.hpp"
#include "volume_scale.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <vector>

namespace pypac::pulse {

namespace {

constexpr pa_usec_t kReconnectDelayUs = 1000 * 1000;
constexpr pa_usec_t kDeviceRecheckDelayUs = 300 * 1000;

PulseBackend *self_of(void *userdata) { return static_cast<PulseBackend *>(userdata); }

// Waits (mainloop lock held) until every operation finished or the context died.
void wait_operations(pa_threaded_mainloop *loop, pa_context *ctx,
                     const std::vector<OperationPtr> &ops) {
    for (;;) {
        bool running = false;
        for (const auto &op : ops)
            running = running || pa_operation_get_state(op.get()) == PA_OPERATION_RUNNING;
        if (!running || pa_context_get_state(ctx) != PA_CONTEXT_READY)
            return;
        pa_threaded_mainloop_wait(loop);
    }
}

} // namespace

PulseBackend::PulseBackend(std::string server) : server_(std::move(server)) {}

PulseBackend::~PulseBackend() { stop(); }

std::string PulseBackend::server_address() const {
    if (!server_.empty())
        return server_;
    if (const char *env = std::getenv("PULSE_SERVER"); env && *env)
        return env;
    const char *xdg = std::getenv("XDG_RUNTIME_DIR");
    return std::string("the default server (unix:") + (xdg ? xdg : "$XDG_RUNTIME_DIR") +
           "/pulse/native)";
}

void PulseBackend::start(BackendListener &listener) {
    listener_ = &listener;
    loop_.reset(pa_threaded_mainloop_new());
    if (!loop_)
        throw EngineError(ErrorCode::BackendFailure,
                          "pa_threaded_mainloop_new() failed: out of memory");
    pa_threaded_mainloop_set_name(loop_.get(), "pypac-pulse");
    if (pa_threaded_mainloop_start(loop_.get()) < 0)
        throw EngineError(
            ErrorCode::BackendFailure,
            "pa_threaded_mainloop_start() failed: could not start the libpulse thread");
    MainloopLock lock(loop_.get());
    connect_locked();
}

void PulseBackend::stop() {
    if (!loop_)
        return;
    // Off the mainloop's lock: each caught capture takes it to detach.
    caught_.disarm();
    caught_.clear();
    {
        MainloopLock lock(loop_.get());
        stopping_ = true;
        pa_mainloop_api *api = pa_threaded_mainloop_get_api(loop_.get());
        for (pa_time_event **timer : {&reconnect_timer_, &recheck_timer_}) {
            if (*timer) {
                api->time_free(*timer);
                *timer = nullptr;
            }
        }
        // Readers keep the engine alive, so no capture should be left; end any anyway.
        for (PulseCapture *c : std::set<PulseCapture *>(captures_))
            c->on_server_lost();
        early_monitors_.clear();
        context_.reset();
    }
    loop_.reset(); // joins the mainloop thread (must not hold its lock)
    state_.settle(false, "PyPAC's engine was stopped");
}

void PulseBackend::connect_locked() {
    state_.begin_attempt();
    synced_ = false;
    pa_mainloop_api *api = pa_threaded_mainloop_get_api(loop_.get());
    ProplistPtr props(pa_proplist_new());
    pa_proplist_sets(props.get(), PA_PROP_APPLICATION_NAME, "PyPAC");
    pa_proplist_sets(props.get(), PA_PROP_APPLICATION_ID, "org.pypac.PyPAC");
    pa_proplist_sets(props.get(), PA_PROP_APPLICATION_ICON_NAME, "audio-card");
    context_.reset(pa_context_new_with_proplist(api, "PyPAC", props.get()));
    if (!context_) {
        on_context_lost("pa_context_new() failed: out of memory");
        return;
    }
    pa_context_set_state_callback(
        context_.get(), [](pa_context *, void *u) { self_of(u)->on_context_state(); }, this);
    pa_context_set_subscribe_callback(
        context_.get(),
        [](pa_context *, pa_subscription_event_type_t t, uint32_t idx, void *u) {
            self_of(u)->on_subscription(t, idx);
        },
        this);
    if (pa_context_connect(context_.get(), server_.empty() ? nullptr : server_.c_str(),
                           PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0)
        on_context_lost(call_failed("pa_context_connect()", pa_context_errno(context_.get())));
}

void PulseBackend::schedule_device_recheck_locked() {
    if (stopping_ || recheck_timer_)
        return; // one pending recheck covers every change until it runs
    pa_mainloop_api *api = pa_threaded_mainloop_get_api(loop_.get());
    timeval when{};
    pa_gettimeofday(&when);
    pa_timeval_add(&when, kDeviceRecheckDelayUs);
    recheck_timer_ = api->time_new(
        api, &when,
        [](pa_mainloop_api *a, pa_time_event *e, const timeval *, void *u) {
            PulseBackend *self = self_of(u);
            a->time_free(e);
            self->recheck_timer_ = nullptr;
            if (!self->stopping_ && self->context_ && self->synced_)
                self->request_devices();
        },
        this);
}

void PulseBackend::schedule_reconnect_locked() {
    if (stopping_ || reconnect_timer_)
        return;
    pa_mainloop_api *api = pa_threaded_mainloop_get_api(loop_.get());
    timeval when{};
    pa_gettimeofday(&when);
    pa_timeval_add(&when, kReconnectDelayUs);
    reconnect_timer_ = api->time_new(
        api, &when,
        [](pa_mainloop_api *a, pa_time_event *e, const timeval *, void *u) {
            PulseBackend *self = self_of(u);
            a->time_free(e);
            self->reconnect_timer_ = nullptr;
            if (self->stopping_)
                return;
            self->context_.reset();
            self->connect_locked();
        },
        this);
}

void PulseBackend::on_context_state() {
    pa_context *ctx = context_.get();
    switch (pa_context_get_state(ctx)) {
    case PA_CONTEXT_READY: {
        const auto mask = static_cast<pa_subscription_mask_t>(
            PA_SUBSCRIPTION_MASK_SINK_INPUT | PA_SUBSCRIPTION_MASK_SOURCE_OUTPUT |
            PA_SUBSCRIPTION_MASK_SINK | PA_SUBSCRIPTION_MASK_SOURCE | PA_SUBSCRIPTION_MASK_SERVER |
            PA_SUBSCRIPTION_MASK_CLIENT);
        OperationPtr(pa_context_subscribe(ctx, mask, nullptr, nullptr));
        // Replies come in order: every client and sink is known before the
        // first sink input.
        OperationPtr(pa_context_get_client_info_list(
            ctx,
            [](pa_context *, const pa_client_info *i, int eol, void *u) {
                if (eol == 0 && i)
                    self_of(u)->on_client(*i);
            },
            this));
        request_devices();
        OperationPtr(pa_context_get_source_output_info_list(
            ctx,
            [](pa_context *, const pa_source_output_info *i, int eol, void *u) {
                if (eol == 0 && i)
                    self_of(u)->on_source_output(*i);
            },
            this));
        OperationPtr(pa_context_get_sink_input_info_list(
            ctx,
            [](pa_context *, const pa_sink_input_info *i, int eol, void *u) {
                if (eol == 0 && i)
                    self_of(u)->on_sink_input(*i);
                else
                    self_of(u)->on_initial_sync_done();
            },
            this));
        break;
    }
    case PA_CONTEXT_FAILED:
    case PA_CONTEXT_TERMINATED: {
        const int err = pa_context_errno(ctx);
        server_full_.store(!synced_ && err == PA_ERR_CONNECTIONTERMINATED,
                           std::memory_order_release);
        on_context_lost(synced_
                            ? "connection to the sound server lost: " + call_failed("libpulse", err)
                            : call_failed("pa_context_connect()", err));
        break;
    }
    default:
        break;
    }
    pa_threaded_mainloop_signal(loop_.get(), 0);
}

void PulseBackend::on_initial_sync_done() {
    if (synced_)
        return;
    synced_ = true;
    const char *server = pa_context_get_server(context_.get());
    const std::string where = server ? server : server_address();
    std::set<int64_t> pids;
    for (const auto &kv : sink_inputs_)
        pids.insert(kv.second.process_id);
    for (int64_t pid : pids)
        report_session(pid);
    // Connected (and the table full) before anyone hears so: a listener that
    // enumerates on "connected" must not be told "not connected".
    state_.settle(true, where);
    listener_->server_state_changed(true, where);
}

void PulseBackend::on_context_lost(const std::string &why) {
    const bool was_connected = connected();
    for (PulseCapture *c : std::set<PulseCapture *>(captures_))
        c->on_server_lost();
    early_monitors_.clear();
    std::set<int64_t> pids;
    for (const auto &kv : sink_inputs_)
        pids.insert(kv.second.process_id);
    sink_inputs_.clear();
    sink_monitors_.clear();
    clients_.clear();
    waiting_for_client_.clear();
    devices_.clear(); // the engine forgets them with the server; routes_ stay for its return
    source_outputs_.clear();
    source_names_.clear();
    if (was_connected) {
        for (int64_t pid : pids)
            listener_->session_removed(pid);
    }
    state_.settle(false, why);
    if (was_connected)
        listener_->server_state_changed(false, why);
    synced_ = false;
    schedule_reconnect_locked();
}

void PulseBackend::wait_connected(double timeout_s) {
    if (state_.wait(timeout_s))
        return;
    const std::string last_error = state_.last_error();
    const char *what_to_do =
        server_full_.load(std::memory_order_acquire)
            ? ". The server hung up during the handshake, which it does when it has too many "
              "clients (PulseAudio and pipewire-pulse allow 64): close some programs that use "
              "sound, then try again."
            : ". Start PulseAudio or PipeWire (`systemctl --user start pipewire-pulse` or "
              "`pulseaudio --start`), or set PULSE_SERVER to the server's address.";
    throw EngineError(ErrorCode::ServerUnavailable,
                      "cannot reach the sound server at " + server_address() + ": " +
                          (last_error.empty()
                               ? "no answer within " + std::to_string(timeout_s) + " s"
                               : last_error) +
                          what_to_do);
}

void PulseBackend::on_subscription(pa_subscription_event_type_t type, uint32_t index) {
    const auto facility = type & PA_SUBSCRIPTION_EVENT_FACILITY_MASK;
    const bool removed = (type & PA_SUBSCRIPTION_EVENT_TYPE_MASK) == PA_SUBSCRIPTION_EVENT_REMOVE;
    pa_context *ctx = context_.get();
    if (facility == PA_SUBSCRIPTION_EVENT_SINK_INPUT) {
        if (removed) {
            on_sink_input_removed(index);
            return;
        }
        CaughtCaptures::Settings catching;
        if ((type & PA_SUBSCRIPTION_EVENT_TYPE_MASK) == PA_SUBSCRIPTION_EVENT_NEW && synced_ &&
            caught_.settings(catching)) {
            // Before the info request: the server answers both in order, so
            // the monitor is ready by the time the info says whose it is.
            std::string error;
            StreamPtr early = connect_monitor_stream(
                ctx, catching.format, "PyPAC capture: new stream", index, nullptr, error);
            if (early)
                early_monitors_[index] = EarlyMonitor{std::move(early), catching.format};
        }
        request_sink_input(index);
    } else if (facility == PA_SUBSCRIPTION_EVENT_CLIENT) {
        if (removed) {
            clients_.erase(index);
            waiting_for_client_.erase(index);
            return;
        }
        OperationPtr(pa_context_get_client_info(
            ctx, index,
            [](pa_context *, const pa_client_info *i, int eol, void *u) {
                if (eol == 0 && i)
                    self_of(u)->on_client(*i);
            },
            this));
    } else if (facility == PA_SUBSCRIPTION_EVENT_SINK) {
        if (removed) {
            sink_monitors_.erase(index);
            for (PulseCapture *c : std::set<PulseCapture *>(captures_))
                c->on_sink_removed(index);
            on_device_removed(DeviceKind::Output, index);
            return;
        }
        OperationPtr(pa_context_get_sink_info_by_index(
            ctx, index,
            [](pa_context *, const pa_sink_info *i, int eol, void *u) {
                if (eol == 0 && i)
                    self_of(u)->on_sink(*i);
            },
            this));
    } else if (facility == PA_SUBSCRIPTION_EVENT_SOURCE) {
        if (removed) {
            on_device_removed(DeviceKind::Input, index);
            return;
        }
        OperationPtr(pa_context_get_source_info_by_index(
            ctx, index,
            [](pa_context *, const pa_source_info *i, int eol, void *u) {
                if (eol == 0 && i)
                    self_of(u)->on_source(*i);
            },
            this));
    } else if (facility == PA_SUBSCRIPTION_EVENT_SOURCE_OUTPUT) {
        if (removed)
            source_outputs_.erase(index);
        else
            request_source_output(index);
    } else if (facility == PA_SUBSCRIPTION_EVENT_SERVER) {
        request_devices(); // a new default device: every is_default may change
        schedule_device_recheck_locked();
    }
}

void PulseBackend::request_sink_input(uint32_t index) {
    OperationPtr(pa_context_get_sink_input_info(
        context_.get(), index,
        [](pa_context *, const pa_sink_input_info *i, int eol, void *u) {
            if (eol == 0 && i)
                self_of(u)->on_sink_input(*i);
        },
        this));
}

void PulseBackend::on_client(const pa_client_info &info) {
    clients_[info.index] = client_facts(info);
    auto waiting = waiting_for_client_.find(info.index);
    if (waiting == waiting_for_client_.end())
        return;
    const std::vector<uint32_t> streams = std::move(waiting->second);
    waiting_for_client_.erase(waiting);
    for (uint32_t index : streams)
        request_sink_input(index);
}

void PulseBackend::on_sink_input(const pa_sink_input_info &info) {
    const auto client = clients_.find(info.client);
    const bool client_known = client != clients_.end();
    StreamOwner owner = stream_owner(info.proplist, client_known ? &client->second : nullptr);
    if (owner.process_id == 0) {
        if (!client_known && info.client != PA_INVALID_INDEX) {
            // Its client's facts are on their way (a reply we asked for, or
            // the client's subscription event): look again once they came.
            waiting_for_client_[info.client].push_back(info.index);
        }
        if (client_known || info.client == PA_INVALID_INDEX)
            early_monitors_.erase(info.index);
        return; // a stream no process owns (network, loopback module) stays in "System" only
    }
    SinkInput si;
    si.index = info.index;
    si.own_pid = owner.process_id;
    si.process_id = owner.process_id; // until regroup() below finds its app
    si.process_name = std::move(owner.process_name);
    si.display_name = owner.display_name.empty() ? std::string(info.name ? info.name : "")
                                                 : std::move(owner.display_name);
    si.icon_name = std::move(owner.icon_name);
    si.title = proplist_get(info.proplist, PA_PROP_MEDIA_NAME);
    si.volume = info.volume;
    si.muted = info.mute != 0;
    si.corked = info.corked != 0;
    si.sink = info.sink;
    auto known = sink_inputs_.find(si.index);
    std::set<int64_t> changed;
    if (known != sink_inputs_.end()) {
        si.process_id = known->second.process_id;
        changed.insert(si.process_id);
    }
    const bool new_stream = known == sink_inputs_.end();
    sink_inputs_[si.index] = si;
    if (new_stream)
        regroup(changed);
    const SinkInput &grouped = sink_inputs_[si.index];
    changed.insert(grouped.process_id);
    if (new_stream) {
        follow_route(grouped);
        if (synced_) // streams already there at connection are not new apps
            catch_app(grouped);
    }
    for (PulseCapture *c : std::set<PulseCapture *>(captures_))
        c->on_sink_input(grouped);
    early_monitors_.erase(si.index); // nobody took it: nobody captures the stream
    if (synced_)
        for (int64_t app : changed)
            report_session(app);
    pa_threaded_mainloop_signal(loop_.get(), 0);
}

void PulseBackend::regroup(std::set<int64_t> &changed) {
    std::vector<uint32_t> pids;
    for (const auto &kv : sink_inputs_)
        pids.push_back(static_cast<uint32_t>(kv.second.own_pid));
    const ProcessTable table = read_process_lineage(pids);
    for (auto &kv : sink_inputs_) {
        SinkInput &si = kv.second;
        const int64_t app = app_root(table, static_cast<uint32_t>(si.own_pid));
        if (app != si.process_id) {
            changed.insert(si.process_id);
            changed.insert(app);
            si.process_id = app;
        }
    }
}

void PulseBackend::on_sink_input_removed(uint32_t index) {
    early_monitors_.erase(index); // also of a stream gone before its info came
    auto it = sink_inputs_.find(index);
    if (it == sink_inputs_.end())
        return;
    std::set<int64_t> changed{it->second.process_id};
    sink_inputs_.erase(it);
    regroup(changed); // an app's top process may have gone with it: its helpers stand alone
    for (PulseCapture *c : std::set<PulseCapture *>(captures_))
        c->on_sink_input_removed(index);
    if (synced_)
        for (int64_t app : changed)
            report_session(app);
}

uint32_t PulseBackend::monitor_source_of(uint32_t sink) const {
    auto it = sink_monitors_.find(sink);
    return it == sink_monitors_.end() ? PA_INVALID_INDEX : it->second;
}

void PulseBackend::report_session(int64_t process_id) {
    SessionInfo s;
    s.process_id = process_id;
    bool any_playing = false, all_muted = true;
    float volume = 0.0f;
    for (const auto &kv : sink_inputs_) {
        const SinkInput &si = kv.second;
        if (si.process_id != process_id)
            continue;
        if (s.stream_count++ == 0) {
            s.process_name = si.process_name;
            s.display_name = si.display_name;
            s.icon_name = si.icon_name;
        }
        // The loudest stream is what the user hears; show its level and balance.
        const float loudest = static_cast<float>(pa_cvolume_max(&si.volume)) / PA_VOLUME_NORM;
        if (loudest >= volume || s.channel_volumes.empty()) {
            const auto sink = devices_.find({DeviceKind::Output, si.sink});
            s.device_id = sink == devices_.end() ? std::string() : sink->second.id;
            s.channel_volumes.assign(si.volume.channels, 0.0f);
            for (unsigned c = 0; c < si.volume.channels; ++c)
                s.channel_volumes[c] = static_cast<float>(si.volume.values[c]) / PA_VOLUME_NORM;
        }
        volume = std::max(volume, loudest);
        StreamInfo stream;
        stream.index = si.index;
        stream.title = si.title;
        stream.playing = !si.corked;
        const auto sink = devices_.find({DeviceKind::Output, si.sink});
        stream.device_id = sink == devices_.end() ? std::string() : sink->second.id;
        s.streams.push_back(std::move(stream));
        all_muted = all_muted && si.muted;
        any_playing = any_playing || !si.corked;
    }
    if (s.stream_count == 0) {
        listener_->session_removed(process_id);
        return;
    }
    s.process_ids = {process_id};
    for (const auto &kv : sink_inputs_)
        if (kv.second.process_id == process_id &&
            std::find(s.process_ids.begin(), s.process_ids.end(), kv.second.own_pid) ==
                s.process_ids.end())
            s.process_ids.push_back(kv.second.own_pid);
    s.volume = volume;
    s.muted = all_muted;
    s.state = any_playing ? SessionState::Active : SessionState::Inactive;
    listener_->session_updated(s);
}

template <typename Issue>
void PulseBackend::apply_to_process(int64_t process_id, const char *call, Issue issue) {
    MainloopLock lock(loop_.get());
    if (!connected())
        throw server_gone(state_.last_error());
    pa_context *ctx = context_.get();
    struct Outcome {
        int failures = 0;
        int not_found = 0;
        int error = 0;
    } outcome;
    struct Request {
        Outcome *outcome;
        pa_threaded_mainloop *loop;
    } request{&outcome, loop_.get()};
    const pa_context_success_cb_t done = [](pa_context *c, int success, void *u) {
        auto *r = static_cast<Request *>(u);
        if (!success) {
            const int err = pa_context_errno(c);
            ++(err == PA_ERR_NOENTITY ? r->outcome->not_found : r->outcome->failures);
            r->outcome->error = err;
        }
        pa_threaded_mainloop_signal(r->loop, 0);
    };

    std::vector<uint32_t> targets;
    std::vector<OperationPtr> ops;
    for (const auto &kv : sink_inputs_) {
        if (kv.second.process_id != process_id)
            continue;
        pa_operation *op = issue(ctx, kv.second, done, &request);
        if (!op)
            throw EngineError(
                ErrorCode::BackendFailure,
                call_failed(std::string(call) + " for sink input " + std::to_string(kv.first),
                            pa_context_errno(ctx)));
        pa_operation_set_state_callback(op, signal_loop, loop_.get());
        ops.emplace_back(op);
        targets.push_back(kv.first);
    }
    if (ops.empty())
        throw EngineError(ErrorCode::SessionNotFound, "no audio session for process id " +
                                                          std::to_string(process_id) +
                                                          ": its streams are gone");
    wait_operations(loop_.get(), ctx, ops);
    if (pa_context_get_state(ctx) != PA_CONTEXT_READY)
        throw server_gone("the server went away during " + std::string(call));
    if (outcome.failures > 0)
        throw EngineError(ErrorCode::BackendFailure,
                          call_failed(call, outcome.error) +
                              "; the server refused the change (is the stream being moved?)");
    if (outcome.not_found == static_cast<int>(ops.size()))
        throw EngineError(ErrorCode::SessionNotFound,
                          "no audio session for process id " + std::to_string(process_id) +
                              ": its streams ended while changing them");

    // Read the streams back so the session table holds the new values when we return.
    std::vector<OperationPtr> reads;
    for (uint32_t index : targets) {
        pa_operation *op = pa_context_get_sink_input_info(
            ctx, index,
            [](pa_context *, const pa_sink_input_info *i, int eol, void *u) {
                if (eol == 0 && i)
                    self_of(u)->on_sink_input(*i);
            },
            this);
        if (op) {
            pa_operation_set_state_callback(op, signal_loop, loop_.get());
            reads.emplace_back(op);
        }
    }
    wait_operations(loop_.get(), ctx, reads);
}

pa_volume_t PulseBackend::loudest_channel(int64_t process_id) const {
    pa_volume_t loudest = PA_VOLUME_MUTED;
    for (const auto &kv : sink_inputs_)
        if (kv.second.process_id == process_id)
            loudest = std::max(loudest, pa_cvolume_max(&kv.second.volume));
    return loudest;
}

void PulseBackend::set_volume(int64_t process_id, float volume) {
    const auto target = static_cast<pa_volume_t>(std::lround(volume * PA_VOLUME_NORM));
    apply_to_process(process_id, "pa_context_set_sink_input_volume()",
                     [this, process_id, target](pa_context *ctx, const SinkInput &si,
                                                pa_context_success_cb_t cb, void *u) {
                         // One factor for every channel of every stream: the loudest goes
                         // to `target`, balance and the streams' relative levels stay.
                         const pa_cvolume cv =
                             scaled_to(si.volume, loudest_channel(process_id), target);
                         return pa_context_set_sink_input_volume(ctx, si.index, &cv, cb, u);
                     });
}

void PulseBackend::set_channel_volumes(int64_t process_id, const std::vector<float> &volumes) {
    apply_to_process(
        process_id, "pa_context_set_sink_input_volume()",
        [&volumes](pa_context *ctx, const SinkInput &si, pa_context_success_cb_t cb, void *u) {
            const unsigned channels = si.volume.channels ? si.volume.channels : 1;
            if (volumes.size() != channels)
                throw EngineError(ErrorCode::InvalidArgument,
                                  "the app's stream " + std::to_string(si.index) + " has " +
                                      std::to_string(channels) + " channels, got " +
                                      std::to_string(volumes.size()) + " volumes");
            pa_cvolume cv;
            cv.channels = static_cast<uint8_t>(channels);
            for (unsigned c = 0; c < channels; ++c)
                cv.values[c] = static_cast<pa_volume_t>(std::lround(volumes[c] * PA_VOLUME_NORM));
            return pa_context_set_sink_input_volume(ctx, si.index, &cv, cb, u);
        });
}

void PulseBackend::set_mute(int64_t process_id, bool muted) {
    apply_to_process(
        process_id, "pa_context_set_sink_input_mute()",
        [muted](pa_context *ctx, const SinkInput &si, pa_context_success_cb_t cb, void *u) {
            return pa_context_set_sink_input_mute(ctx, si.index, muted ? 1 : 0, cb, u);
        });
}

std::unique_ptr<CaptureStream> PulseBackend::open_capture(const CaptureTarget &target,
                                                          const CaptureFormat &format,
                                                          CaptureSink &sink) {
    MainloopLock lock(loop_.get());
    if (!connected())
        throw server_gone(state_.last_error());
    auto capture = std::make_unique<PulseCapture>(*this, target, format, sink);
    capture->start_locked(); // throws, before it is registered
    captures_.insert(capture.get());
    return capture;
}

} // namespace pypac::pulse

namespace pypac::pulse {

void PulseBackend::catch_app(const SinkInput &si) {
    CaughtCaptures::Settings settings;
    if (!caught_.settings(settings))
        return;
    for (const auto &kv : sink_inputs_)
        if (kv.first != si.index && kv.second.process_id == si.process_id)
            return; // not the app's first stream: it is no new app
    for (const PulseCapture *c : captures_)
        if (c->records_app(si.process_id))
            return; // captured already (or caught: a caught capture is one of them)
    const CaptureTarget target = CaptureTarget::process(si.process_id);
    auto hub = std::make_shared<CaptureHub>(target, settings.format);
    auto capture = std::make_unique<PulseCapture>(*this, target, settings.format, *hub);
    try {
        // The lock is held already (this is the mainloop thread): start_locked(),
        // never open_capture(). Monitors of the stream connect now.
        capture->start_locked();
    } catch (const EngineError &) {
        // Nothing of the app could be recorded: held anyway, since destroying
        // a capture here would take the lock this thread holds; it expires.
    }
    captures_.insert(capture.get());
    hub->set_stream(std::move(capture));
    auto reader = std::make_unique<CaptureReader>(hub, settings.ring_frames);
    caught_.add(si.process_id, std::move(hub), std::move(reader), settings.ring_frames,
                monotonic_ns());
}

void PulseBackend::catch_new_apps(const CaptureFormat &format, size_t ring_frames,
                                  double hold_seconds) {
    CaughtCaptures::Settings settings;
    settings.format = format;
    settings.ring_frames = ring_frames;
    settings.hold_ns = static_cast<int64_t>(hold_seconds * 1e9);
    caught_.arm(settings);
}

void PulseBackend::stop_catching() {
    caught_.disarm();
    caught_.clear();
}

std::unique_ptr<CaptureReader> PulseBackend::take_caught(int64_t process_id,
                                                         const CaptureFormat &format,
                                                         size_t ring_frames,
                                                         std::shared_ptr<CaptureHub> &hub) {
    CaughtCaptures::Taken taken = caught_.take(process_id, format, ring_frames, monotonic_ns());
    if (taken.hub)
        hub = std::move(taken.hub);
    return std::move(taken.reader);
}

void PulseBackend::drop_stale_caught() { caught_.drop_stale(monotonic_ns()); }

StreamPtr PulseBackend::take_early_monitor(uint32_t index, const CaptureFormat &format) {
    auto it = early_monitors_.find(index);
    if (it == early_monitors_.end() || it->second.format.sample_rate != format.sample_rate ||
        it->second.format.channels != format.channels ||
        pa_stream_get_state(it->second.stream.get()) != PA_STREAM_READY)
        return nullptr; // still being made, or failed: the capture opens its own
    StreamPtr stream = std::move(it->second.stream);
    early_monitors_.erase(it);
    return stream;
}

} // namespace pypac::pulse
