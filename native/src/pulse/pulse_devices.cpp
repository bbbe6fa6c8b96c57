// PulseBackend's devices: sinks (outputs) and sources (inputs, monitors left
// out), the server's default of each, and moving apps between outputs.
#include "pulse_backend.hpp"
#include "pulse_capture.hpp"
#include "volume_scale.hpp"

#include <algorithm>
#include <cmath>

namespace pypac::pulse {

namespace {

PulseBackend *self_of(void *userdata) { return static_cast<PulseBackend *>(userdata); }

std::vector<float> faders(const pa_cvolume &cv) {
    std::vector<float> out(cv.channels);
    for (unsigned c = 0; c < cv.channels; ++c)
        out[c] = static_cast<float>(cv.values[c]) / PA_VOLUME_NORM;
    return out;
}

DeviceInfo device_of(DeviceKind kind, const char *name, const char *description,
                     const pa_cvolume &volume, int mute, bool running) {
    DeviceInfo d;
    d.kind = kind;
    d.id = name ? name : "";
    d.description = description && *description ? description : d.id;
    d.channel_volumes = faders(volume);
    d.volume = static_cast<float>(pa_cvolume_max(&volume)) / PA_VOLUME_NORM;
    d.muted = mute != 0;
    d.running = running;
    return d;
}

} // namespace

void PulseBackend::request_devices() {
    pa_context *ctx = context_.get();
    // Replies come in order: the defaults are known before the devices.
    OperationPtr(pa_context_get_server_info(
        ctx,
        [](pa_context *, const pa_server_info *i, void *u) {
            if (i)
                self_of(u)->on_server_info(*i);
        },
        this));
    OperationPtr(pa_context_get_sink_info_list(
        ctx,
        [](pa_context *, const pa_sink_info *i, int eol, void *u) {
            if (eol == 0 && i)
                self_of(u)->on_sink(*i);
        },
        this));
    OperationPtr(pa_context_get_source_info_list(
        ctx,
        [](pa_context *, const pa_source_info *i, int eol, void *u) {
            if (eol == 0 && i)
                self_of(u)->on_source(*i);
        },
        this));
}

void PulseBackend::on_server_info(const pa_server_info &info) {
    set_default_sink(info.default_sink_name ? info.default_sink_name : "");
    default_source_ = info.default_source_name ? info.default_source_name : "";
}

void PulseBackend::set_default_sink(const std::string &name) {
    if (name == default_sink_)
        return;
    default_sink_ = name;
    for (PulseCapture *c : std::set<PulseCapture *>(captures_))
        c->on_default_sink_changed();
}

void PulseBackend::on_sink(const pa_sink_info &info) {
    sink_monitors_[info.index] = info.monitor_source;
    if (info.name && info.monitor_source_name)
        monitor_names_[info.name] = info.monitor_source_name;
    for (PulseCapture *c : std::set<PulseCapture *>(captures_))
        c->on_sink_known(info.index);
    report_device(device_of(DeviceKind::Output, info.name, info.description, info.volume, info.mute,
                            info.state == PA_SINK_RUNNING),
                  info.index);
}

std::string PulseBackend::monitor_source_name(const std::string &sink_name) const {
    const auto it = monitor_names_.find(sink_name);
    return it != monitor_names_.end() ? it->second : sink_name + ".monitor";
}

void PulseBackend::on_source(const pa_source_info &info) {
    if (info.name)
        source_names_[info.index] = info.name; // what recording apps record from, monitors too
    if (info.monitor_of_sink != PA_INVALID_INDEX)
        return; // a sink's monitor: "System" capture's business, not a microphone
    report_device(device_of(DeviceKind::Input, info.name, info.description, info.volume, info.mute,
                            info.state == PA_SOURCE_RUNNING),
                  info.index);
}

void PulseBackend::report_device(DeviceInfo info, uint32_t index) {
    info.is_default =
        info.id == (info.kind == DeviceKind::Output ? default_sink_ : default_source_);
    devices_[{info.kind, index}] = info;
    listener_->device_updated(info);
}

void PulseBackend::on_device_removed(DeviceKind kind, uint32_t index) {
    auto it = devices_.find({kind, index});
    if (it == devices_.end())
        return;
    const std::string id = it->second.id;
    devices_.erase(it);
    listener_->device_removed(kind, id);
}

template <typename Issue> void PulseBackend::run_blocking(const std::string &call, Issue issue) {
    if (!connected())
        throw server_gone(state_.last_error());
    pa_context *ctx = context_.get();
    struct Request {
        pa_threaded_mainloop *loop;
        bool done = false;
        int error = 0;
    } request{loop_.get()};
    const pa_context_success_cb_t done = [](pa_context *c, int success, void *u) {
        auto *r = static_cast<Request *>(u);
        r->error = success ? 0 : pa_context_errno(c);
        r->done = true;
        pa_threaded_mainloop_signal(r->loop, 0);
    };
    OperationPtr op(issue(ctx, done, &request));
    if (!op)
        throw EngineError(ErrorCode::BackendFailure, call_failed(call, pa_context_errno(ctx)));
    while (!request.done && pa_context_get_state(ctx) == PA_CONTEXT_READY)
        pa_threaded_mainloop_wait(loop_.get());
    if (!request.done)
        throw server_gone("the server went away during " + call);
    if (request.error == PA_ERR_NOENTITY)
        throw EngineError(ErrorCode::InvalidArgument,
                          call_failed(call, request.error) + "; the device is gone");
    if (request.error != 0)
        throw EngineError(ErrorCode::BackendFailure, call_failed(call, request.error));
}

void PulseBackend::refresh_device(DeviceKind kind, const std::string &id) {
    pa_context *ctx = context_.get();
    OperationPtr op(kind == DeviceKind::Output
                        ? pa_context_get_sink_info_by_name(
                              ctx, id.c_str(),
                              [](pa_context *, const pa_sink_info *i, int eol, void *u) {
                                  if (eol == 0 && i)
                                      self_of(u)->on_sink(*i);
                              },
                              this)
                        : pa_context_get_source_info_by_name(
                              ctx, id.c_str(),
                              [](pa_context *, const pa_source_info *i, int eol, void *u) {
                                  if (eol == 0 && i)
                                      self_of(u)->on_source(*i);
                              },
                              this));
    if (!op)
        return; // the change's own event will tell
    pa_operation_set_state_callback(op.get(), signal_loop, loop_.get());
    while (pa_operation_get_state(op.get()) == PA_OPERATION_RUNNING &&
           pa_context_get_state(ctx) == PA_CONTEXT_READY)
        pa_threaded_mainloop_wait(loop_.get());
}

void PulseBackend::set_device_volume(DeviceKind kind, const std::string &id, float volume) {
    MainloopLock lock(loop_.get());
    pa_cvolume current{};
    pa_cvolume_set(&current, 1, PA_VOLUME_NORM);
    for (const auto &kv : devices_)
        if (kv.first.first == kind && kv.second.id == id) {
            current.channels = static_cast<uint8_t>(kv.second.channel_volumes.size());
            for (unsigned c = 0; c < current.channels; ++c)
                current.values[c] = static_cast<pa_volume_t>(
                    std::lround(kv.second.channel_volumes[c] * PA_VOLUME_NORM));
        }
    const pa_cvolume cv = scaled_to(current, pa_cvolume_max(&current),
                                    static_cast<pa_volume_t>(std::lround(volume * PA_VOLUME_NORM)));
    if (kind == DeviceKind::Output)
        run_blocking("pa_context_set_sink_volume_by_name(" + id + ")",
                     [&](pa_context *ctx, pa_context_success_cb_t cb, void *u) {
                         return pa_context_set_sink_volume_by_name(ctx, id.c_str(), &cv, cb, u);
                     });
    else
        run_blocking("pa_context_set_source_volume_by_name(" + id + ")",
                     [&](pa_context *ctx, pa_context_success_cb_t cb, void *u) {
                         return pa_context_set_source_volume_by_name(ctx, id.c_str(), &cv, cb, u);
                     });
    refresh_device(kind, id); // the device table holds the new volume when we return
}

void PulseBackend::set_device_mute(DeviceKind kind, const std::string &id, bool muted) {
    MainloopLock lock(loop_.get());
    if (kind == DeviceKind::Output)
        run_blocking("pa_context_set_sink_mute_by_name(" + id + ")",
                     [&](pa_context *ctx, pa_context_success_cb_t cb, void *u) {
                         return pa_context_set_sink_mute_by_name(ctx, id.c_str(), muted, cb, u);
                     });
    else
        run_blocking("pa_context_set_source_mute_by_name(" + id + ")",
                     [&](pa_context *ctx, pa_context_success_cb_t cb, void *u) {
                         return pa_context_set_source_mute_by_name(ctx, id.c_str(), muted, cb, u);
                     });
    refresh_device(kind, id);
}

void PulseBackend::set_default_device(DeviceKind kind, const std::string &id) {
    MainloopLock lock(loop_.get());
    if (kind == DeviceKind::Output)
        run_blocking("pa_context_set_default_sink(" + id + ")",
                     [&](pa_context *ctx, pa_context_success_cb_t cb, void *u) {
                         return pa_context_set_default_sink(ctx, id.c_str(), cb, u);
                     });
    else
        run_blocking("pa_context_set_default_source(" + id + ")",
                     [&](pa_context *ctx, pa_context_success_cb_t cb, void *u) {
                         return pa_context_set_default_source(ctx, id.c_str(), cb, u);
                     });
    // pipewire-pulse acknowledges before its server info says so (WirePlumber
    // applies the choice a moment later) and may announce no change after:
    // take the acknowledged choice as the default now.
    if (kind == DeviceKind::Output)
        set_default_sink(id);
    else
        default_source_ = id;
    std::vector<std::pair<uint32_t, DeviceInfo>> same_kind;
    for (const auto &kv : devices_)
        if (kv.first.first == kind)
            same_kind.emplace_back(kv.first.second, kv.second);
    for (auto &entry : same_kind)
        report_device(std::move(entry.second), entry.first);
}

void PulseBackend::move_session(int64_t process_id, const std::string &id) {
    MainloopLock lock(loop_.get());
    routes_[process_id] = id;
    std::vector<uint32_t> streams;
    for (const auto &kv : sink_inputs_)
        if (kv.second.process_id == process_id)
            streams.push_back(kv.first);
    for (uint32_t index : streams) {
        run_blocking("pa_context_move_sink_input_by_name(" + std::to_string(index) + ", " + id +
                         ")",
                     [&](pa_context *ctx, pa_context_success_cb_t cb, void *u) {
                         return pa_context_move_sink_input_by_name(ctx, index, id.c_str(), cb, u);
                     });
        follow_moved_stream(index, id);
    }
}

void PulseBackend::follow_moved_stream(uint32_t index, const std::string &sink_name) {
    auto si = sink_inputs_.find(index);
    if (si == sink_inputs_.end() || captures_.empty())
        return;
    for (const auto &kv : devices_)
        if (kv.first.first == DeviceKind::Output && kv.second.id == sink_name)
            si->second.sink = kv.first.second; // what the server's event will say too
    // The server killed the monitor streams of the moved stream; waiting for
    // its event and then the stream's info would leave a hole of several
    // round trips in the recording (~40 ms): re-attach on the new sink now.
    for (PulseCapture *c : std::set<PulseCapture *>(captures_))
        c->on_sink_input(si->second);
}

void PulseBackend::follow_route(const SinkInput &si) {
    const auto route = routes_.find(si.process_id);
    if (route == routes_.end())
        return;
    const auto sink = devices_.find({DeviceKind::Output, si.sink});
    if (sink != devices_.end() && sink->second.id == route->second)
        return;
    // Not waited for (we are on the mainloop thread): the move's own event
    // updates the stream.
    OperationPtr(pa_context_move_sink_input_by_name(context_.get(), si.index, route->second.c_str(),
                                                    nullptr, nullptr));
}

} // namespace pypac::pulse
