// pypac._engine: a thin nanobind layer over Engine. Every call that can wait
// on the server or on audio releases the GIL; every returned array owns its
// memory. Errors become the classes of pypac.errors.
#include "dsp/loudness_meter.hpp"
#include "pypac/clock.hpp"
#include "pypac/engine.hpp"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <algorithm>

namespace nb = nanobind;
using namespace nb::literals;
using pypac::CaptureReader;
using pypac::Engine;

namespace {

using FrameArray = nb::ndarray<nb::numpy, float, nb::ndim<2>>;

// Python exception classes, looked up once from pypac.errors.
struct ErrorClasses {
    nb::object server_unavailable, session_not_found, invalid_argument, backend_failure,
        unsupported;
};
ErrorClasses *g_errors = nullptr;

PyObject *class_for(pypac::ErrorCode code) {
    switch (code) {
    case pypac::ErrorCode::ServerUnavailable:
        return g_errors->server_unavailable.ptr();
    case pypac::ErrorCode::SessionNotFound:
        return g_errors->session_not_found.ptr();
    case pypac::ErrorCode::InvalidArgument:
        return g_errors->invalid_argument.ptr();
    case pypac::ErrorCode::Unsupported:
        return g_errors->unsupported.ptr();
    default:
        return g_errors->backend_failure.ptr();
    }
}

FrameArray frames_to_numpy(std::unique_ptr<float[]> data, size_t frames, size_t channels) {
    float *raw = data.release();
    nb::capsule owner(raw, [](void *p) noexcept { delete[] static_cast<float *>(p); });
    return FrameArray(raw, {frames, channels}, owner);
}

// Reads with the GIL released: waits for data, then copies what is there.
// `first_ns` receives the capture time of the first frame (pypac::kNoTime: none).
FrameArray read_frames_at(CaptureReader &reader, size_t max_frames, double timeout_s,
                          int64_t &first_ns) {
    const size_t channels = reader.format().channels;
    std::unique_ptr<float[]> data;
    size_t got = 0;
    {
        nb::gil_scoped_release release;
        size_t avail = reader.wait_readable(timeout_s);
        if (max_frames > 0)
            avail = std::min(avail, max_frames);
        data = std::make_unique<float[]>(std::max<size_t>(avail, 1) * channels);
        got = reader.read(data.get(), avail, 0.0, &first_ns);
    }
    return frames_to_numpy(std::move(data), got, channels);
}

// float32 frames, shape (n, channels); other dtypes and layouts are converted (a copy).
using InputFrames = nb::ndarray<const float, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

void add_loudness_frames(pypac::dsp::LoudnessMeter &meter, const InputFrames &frames) {
    if (frames.shape(1) != meter.channels())
        throw pypac::EngineError(pypac::ErrorCode::InvalidArgument,
                                 "LoudnessMeter.add: frames have " +
                                     std::to_string(frames.shape(1)) + " channels, the meter " +
                                     std::to_string(meter.channels()) +
                                     " (pass a float32 array of shape (frames, channels))");
    nb::gil_scoped_release release;
    meter.add(frames.data(), frames.shape(0));
}

FrameArray read_frames(CaptureReader &reader, size_t max_frames, double timeout_s) {
    int64_t unused = pypac::kNoTime;
    return read_frames_at(reader, max_frames, timeout_s, unused);
}

// (frames, time of the first frame in monotonic_ns() nanoseconds, or None).
std::pair<FrameArray, std::optional<int64_t>> read_timed(CaptureReader &reader, size_t max_frames,
                                                         double timeout_s) {
    int64_t first_ns = pypac::kNoTime;
    FrameArray frames = read_frames_at(reader, max_frames, timeout_s, first_ns);
    return {std::move(frames),
            first_ns == pypac::kNoTime ? std::nullopt : std::optional<int64_t>(first_ns)};
}

} // namespace

NB_MODULE(_engine, m) {
    m.doc() = "PyPAC native engine (use the pypac package, not this module directly)";

    nb::module_ errors = nb::module_::import_("pypac.errors");
    g_errors =
        new ErrorClasses{errors.attr("ServerUnavailableError"), errors.attr("SessionNotFoundError"),
                         errors.attr("InvalidArgumentError"), errors.attr("BackendError"),
                         errors.attr("UnsupportedError")};
    nb::register_exception_translator([](const std::exception_ptr &p, void *) {
        try {
            std::rethrow_exception(p);
        } catch (const pypac::EngineError &e) {
            PyErr_SetString(class_for(e.code()), e.what());
        }
    });

    // The limits pypac/arguments.py checks capture arguments against.
    m.attr("MIN_SAMPLE_RATE") = pypac::CaptureLimits::min_sample_rate;
    m.attr("MAX_SAMPLE_RATE") = pypac::CaptureLimits::max_sample_rate;
    m.attr("MIN_CHANNELS") = pypac::CaptureLimits::min_channels;
    m.attr("MAX_CHANNELS") = pypac::CaptureLimits::max_channels;
    m.attr("MIN_RING_SECONDS") = pypac::CaptureLimits::min_ring_seconds;
    m.attr("MAX_RING_SECONDS") = pypac::CaptureLimits::max_ring_seconds;
    m.def("monotonic_ns", &pypac::monotonic_ns,
          "The engine's clock (CLOCK_MONOTONIC / QPC) in nanoseconds: frame times are on it.");

    // The C++ enums, as Python IntEnums under their public names (pypac re-exports them).
    nb::enum_<pypac::SessionState>(
        m, "SessionState", nb::is_arithmetic(),
        "A session's state; the numbers are the PyPAC 0.2 API's (and WASAPI's).")
        .value("INACTIVE", pypac::SessionState::Inactive, "every stream paused")
        .value("ACTIVE", pypac::SessionState::Active, "playing")
        .value("EXPIRED", pypac::SessionState::Expired, "gone (in REMOVED events)");

    nb::enum_<pypac::SessionEvent::Kind>(m, "EventKind", nb::is_arithmetic(),
                                         "What a SessionEvent reports.")
        .value("ADDED", pypac::SessionEvent::Kind::Added)
        .value("CHANGED", pypac::SessionEvent::Kind::Changed)
        .value("REMOVED", pypac::SessionEvent::Kind::Removed)
        .value("SERVER_LOST", pypac::SessionEvent::Kind::ServerLost)
        .value("SERVER_CONNECTED", pypac::SessionEvent::Kind::ServerConnected)
        .value("RESYNC", pypac::SessionEvent::Kind::Resync,
               "events were dropped: list the sessions and devices again")
        .value("DEVICE_ADDED", pypac::SessionEvent::Kind::DeviceAdded)
        .value("DEVICE_CHANGED", pypac::SessionEvent::Kind::DeviceChanged,
               "any field, is_default too")
        .value("DEVICE_REMOVED", pypac::SessionEvent::Kind::DeviceRemoved);

    nb::enum_<pypac::DeviceKind>(m, "DeviceKind", nb::is_arithmetic(),
                                 "An output device (speakers) or an input device (microphone).")
        .value("OUTPUT", pypac::DeviceKind::Output)
        .value("INPUT", pypac::DeviceKind::Input);

    nb::enum_<pypac::CaptureEnd>(m, "CaptureEndReason", nb::is_arithmetic(),
                                 "Why a capture stopped delivering frames for good.")
        .value("NONE", pypac::CaptureEnd::None, "still capturing")
        .value("PROCESS_EXITED", pypac::CaptureEnd::ProcessExited)
        .value("SERVER_LOST", pypac::CaptureEnd::ServerLost)
        .value("STOPPED", pypac::CaptureEnd::Stopped, "stop() or close() was called")
        .value("FAILED", pypac::CaptureEnd::Failed);

    nb::class_<pypac::SessionInfo>(m, "SessionInfo")
        .def_ro("process_id", &pypac::SessionInfo::process_id)
        .def_ro("process_name", &pypac::SessionInfo::process_name)
        .def_ro("display_name", &pypac::SessionInfo::display_name)
        .def_ro("icon_name", &pypac::SessionInfo::icon_name)
        .def_ro("state", &pypac::SessionInfo::state)
        .def_ro("volume", &pypac::SessionInfo::volume)
        .def_ro("channel_volumes", &pypac::SessionInfo::channel_volumes)
        .def_ro("muted", &pypac::SessionInfo::muted)
        .def_ro("peak", &pypac::SessionInfo::peak)
        .def_ro("stream_count", &pypac::SessionInfo::stream_count)
        .def_ro("process_ids", &pypac::SessionInfo::process_ids)
        .def_ro("device_id", &pypac::SessionInfo::device_id)
        .def_ro("streams", &pypac::SessionInfo::streams);

    nb::class_<pypac::StreamInfo>(m, "StreamInfo")
        .def_ro("index", &pypac::StreamInfo::index)
        .def_ro("title", &pypac::StreamInfo::title)
        .def_ro("playing", &pypac::StreamInfo::playing)
        .def_ro("device_id", &pypac::StreamInfo::device_id);

    nb::class_<pypac::DeviceInfo>(m, "DeviceInfo")
        .def_ro("id", &pypac::DeviceInfo::id)
        .def_ro("description", &pypac::DeviceInfo::description)
        .def_ro("kind", &pypac::DeviceInfo::kind)
        .def_ro("volume", &pypac::DeviceInfo::volume)
        .def_ro("channel_volumes", &pypac::DeviceInfo::channel_volumes)
        .def_ro("muted", &pypac::DeviceInfo::muted)
        .def_ro("is_default", &pypac::DeviceInfo::is_default)
        .def_ro("running", &pypac::DeviceInfo::running);

    nb::class_<pypac::SessionEvent>(m, "SessionEvent")
        .def_ro("kind", &pypac::SessionEvent::kind)
        .def_ro("session", &pypac::SessionEvent::session)
        .def_ro("device", &pypac::SessionEvent::device)
        .def_ro("detail", &pypac::SessionEvent::detail);

    nb::class_<pypac::EventQueue>(m, "EventQueue")
        .def("wait", &pypac::EventQueue::wait, "timeout"_a,
             nb::call_guard<nb::gil_scoped_release>())
        .def("close", &pypac::EventQueue::close);

    nb::class_<pypac::CaptureStats>(m, "CaptureStats")
        .def_ro("frames_captured", &pypac::CaptureStats::frames_captured)
        .def_ro("dropped_frames", &pypac::CaptureStats::dropped_frames)
        .def_ro("latency_ms", &pypac::CaptureStats::latency_ms);

    nb::class_<CaptureReader>(m, "CaptureReader")
        .def("read", &read_frames, "max_frames"_a = 0, "timeout"_a = 0.0)
        .def("read_timed", &read_timed, "max_frames"_a = 0, "timeout"_a = 0.0,
             "Like read(), with the capture time of the first frame returned (monotonic_ns() "
             "nanoseconds; None until the backend timed a block).")
        .def(
            "read_latest",
            [](CaptureReader &r, size_t frames) {
                {
                    nb::gil_scoped_release release;
                    r.skip_to_newest(frames);
                }
                return read_frames(r, frames, 0.0);
            },
            "frames"_a)
        .def("wait_for_frames", &CaptureReader::wait_for_frames, "frames"_a, "timeout"_a,
             nb::call_guard<nb::gil_scoped_release>())
        .def_prop_ro("available", &CaptureReader::available)
        .def_prop_ro("stats", &CaptureReader::stats)
        .def_prop_ro("active", &CaptureReader::active)
        .def_prop_ro("end_reason", &CaptureReader::end_reason)
        .def_prop_ro("peak", &CaptureReader::peak)
        .def_prop_ro("sample_rate", [](const CaptureReader &r) { return r.format().sample_rate; })
        .def_prop_ro("channels", [](const CaptureReader &r) { return r.format().channels; })
        .def("close", &CaptureReader::close, nb::call_guard<nb::gil_scoped_release>());

    nb::class_<Engine>(m, "Engine")
        .def(nb::init<const std::string &>(), "server"_a = std::string())
        .def_prop_ro("backend_name", &Engine::backend_name)
        .def_prop_ro("connected", &Engine::connected)
        .def("wait_connected", &Engine::wait_connected, "timeout"_a,
             nb::call_guard<nb::gil_scoped_release>())
        .def("sessions", &Engine::sessions, nb::call_guard<nb::gil_scoped_release>())
        .def("session", &Engine::session, "process_id"_a, nb::call_guard<nb::gil_scoped_release>())
        .def("set_volume", &Engine::set_volume, "process_id"_a, "volume"_a,
             nb::call_guard<nb::gil_scoped_release>())
        .def("set_channel_volumes", &Engine::set_channel_volumes, "process_id"_a, "volumes"_a,
             nb::call_guard<nb::gil_scoped_release>())
        .def_prop_ro("max_volume", &Engine::max_volume)
        .def("set_mute", &Engine::set_mute, "process_id"_a, "muted"_a,
             nb::call_guard<nb::gil_scoped_release>())
        .def("recording_sessions", &Engine::recording_sessions,
             nb::call_guard<nb::gil_scoped_release>())
        .def("devices", &Engine::devices, nb::call_guard<nb::gil_scoped_release>())
        .def("device", &Engine::device, "kind"_a, "id"_a, nb::call_guard<nb::gil_scoped_release>())
        .def("set_device_volume", &Engine::set_device_volume, "kind"_a, "id"_a, "volume"_a,
             nb::call_guard<nb::gil_scoped_release>())
        .def("set_device_mute", &Engine::set_device_mute, "kind"_a, "id"_a, "muted"_a,
             nb::call_guard<nb::gil_scoped_release>())
        .def("set_default_device", &Engine::set_default_device, "kind"_a, "id"_a,
             nb::call_guard<nb::gil_scoped_release>())
        .def("move_session", &Engine::move_session, "process_id"_a, "output_id"_a,
             nb::call_guard<nb::gil_scoped_release>())
        .def("subscribe", &Engine::subscribe)
        .def(
            "catch_new_apps",
            [](Engine &e, uint32_t sample_rate, uint32_t channels, double ring_seconds,
               double hold_seconds) {
                nb::gil_scoped_release release;
                e.catch_new_apps(pypac::CaptureFormat{sample_rate, channels}, ring_seconds,
                                 hold_seconds);
            },
            "sample_rate"_a, "channels"_a, "ring_seconds"_a, "hold_seconds"_a)
        .def("stop_catching", &Engine::stop_catching, nb::call_guard<nb::gil_scoped_release>())
        .def("drop_stale_caught", &Engine::drop_stale_caught,
             nb::call_guard<nb::gil_scoped_release>())
        .def(
            "open_capture",
            [](Engine &e, int64_t process_id, bool system, uint32_t sample_rate, uint32_t channels,
               double ring_seconds) {
                // system with a process id: everything but that process
                const auto target = !system ? pypac::CaptureTarget::process(process_id)
                                    : process_id > 0
                                        ? pypac::CaptureTarget::system_except(process_id)
                                        : pypac::CaptureTarget::system();
                nb::gil_scoped_release release;
                return e.open_capture(target, pypac::CaptureFormat{sample_rate, channels},
                                      ring_seconds);
            },
            "process_id"_a, "system"_a, "sample_rate"_a, "channels"_a, "ring_seconds"_a,
            nb::keep_alive<0, 1>()) // a reader keeps its engine (and backend) alive
        .def(
            "open_device_capture",
            [](Engine &e, pypac::DeviceKind kind, const std::string &id, uint32_t sample_rate,
               uint32_t channels, double ring_seconds) {
                nb::gil_scoped_release release;
                return e.open_capture(pypac::CaptureTarget::device(kind, id),
                                      pypac::CaptureFormat{sample_rate, channels}, ring_seconds);
            },
            "kind"_a, "id"_a, "sample_rate"_a, "channels"_a, "ring_seconds"_a,
            nb::keep_alive<0, 1>())
        .def(
            "open_all_outputs_capture",
            [](Engine &e, uint32_t sample_rate, uint32_t channels, double ring_seconds) {
                // What every output device plays, mixed (devices added later join).
                nb::gil_scoped_release release;
                return e.open_capture(pypac::CaptureTarget::all_outputs(),
                                      pypac::CaptureFormat{sample_rate, channels}, ring_seconds);
            },
            "sample_rate"_a, "channels"_a, "ring_seconds"_a, nb::keep_alive<0, 1>());

    using pypac::dsp::LoudnessMeter;
    nb::class_<LoudnessMeter>(
        m, "LoudnessMeter",
        "EBU R128 / ITU-R BS.1770 loudness of a stream (libebur128): feed it frames with add() "
        "on any thread but the audio one, read LUFS and dBTP (-inf until there is audio to "
        "measure). Without integrated/true_peak (a live readout) it costs less and its memory "
        "does not grow.")
        .def(nb::init<unsigned, unsigned, bool, bool>(), "sample_rate"_a, "channels"_a,
             nb::kw_only(), "integrated"_a = true, "true_peak"_a = true)
        .def("add", &add_loudness_frames, "frames"_a,
             "Measures float32 frames of shape (frames, channels); the GIL is released.")
        .def("reset", &LoudnessMeter::reset, nb::call_guard<nb::gil_scoped_release>())
        .def_prop_ro("momentary_lufs", &LoudnessMeter::momentary_lufs,
                     nb::call_guard<nb::gil_scoped_release>(), "LUFS over the last 400 ms")
        .def_prop_ro("short_term_lufs", &LoudnessMeter::short_term_lufs,
                     nb::call_guard<nb::gil_scoped_release>(), "LUFS over the last 3 s")
        .def_prop_ro("integrated_lufs", &LoudnessMeter::integrated_lufs,
                     nb::call_guard<nb::gil_scoped_release>(), "gated LUFS of everything so far")
        .def_prop_ro("true_peak_dbtp", &LoudnessMeter::true_peak_dbtp,
                     nb::call_guard<nb::gil_scoped_release>(),
                     "largest true peak of any channel so far, dBTP")
        .def_prop_ro("sample_rate", &LoudnessMeter::sample_rate)
        .def_prop_ro("channels", &LoudnessMeter::channels);
}
