// The one interface every audio backend implements.
//
// A backend talks to one OS sound system (libpulse, WASAPI) and nothing else:
// it reports sessions, applies volume/mute, and delivers captured frames. The
// Engine (engine.hpp) owns the backend and builds everything users see on top:
// the session table, the event queues, shared captures with one ring per reader.
//
// Threads. Each callback below says where it runs:
//   * control thread: the backend's own event thread (libpulse's mainloop,
//     the WASAPI notification thread). Callbacks may lock and allocate, but
//     must be quick.
//   * audio thread: where frames arrive. REAL-TIME: no allocation, no locks,
//     no I/O, no Python, nothing that can block.
// Backend methods are called from any non-audio thread (Python threads with
// the GIL released) and may block until the server answers.
//
// Writing a new backend: add a folder under native/src/, implement Backend,
// CaptureStream and the factory, and add one line to backends.cpp plus the
// folder to CMakeLists.txt.
#pragma once

#include "pypac/types.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace pypac {

class CaptureHub;    // capture_hub.hpp
class CaptureReader; // capture_hub.hpp

// Told about sessions and the server. Control thread only.
class BackendListener {
  public:
    virtual ~BackendListener() = default;
    // A session appeared or any of its fields changed; always the full entry.
    virtual void session_updated(const SessionInfo &info) = 0;
    // The last stream of a process is gone.
    virtual void session_removed(int64_t process_id) = 0;
    // The connection came up (`connected`) or was lost; `detail` says why.
    // After a loss every session is gone; the backend sends session_removed
    // for each first, and reconnects by itself.
    virtual void server_state_changed(bool connected, const std::string &detail) = 0;
    // A device appeared or any of its fields changed (is_default too); the full entry.
    virtual void device_updated(const DeviceInfo &info) = 0;
    virtual void device_removed(DeviceKind kind, const std::string &id) = 0;
};

// Receives one server-side capture.
class CaptureSink {
  public:
    virtual ~CaptureSink() = default;
    // Audio thread. `interleaved` holds frames * channels float32 samples in
    // the format the capture was opened with.
    virtual void on_frames(const float *interleaved, size_t frames) noexcept = 0;
    // Audio thread. The next frame on_frames() delivers was captured (for an
    // output or an app: is heard) at `ns` on monotonic_ns()'s clock
    // (pypac/clock.hpp). Backends call it before a block whenever the server
    // tells them; blocks without one follow on the last at the sample rate.
    virtual void on_frame_time(int64_t ns) noexcept { (void)ns; }
    // Audio thread. Server-side delay of the newest frames, in milliseconds.
    virtual void on_server_latency(double ms) noexcept = 0;
    // Control thread. No frames will follow; called at most once.
    virtual void on_end(CaptureEnd why) noexcept = 0;
};

// A running server-side capture. Destroying it detaches from the server; once
// the destructor returns, its sink is never called again.
class CaptureStream {
  public:
    virtual ~CaptureStream() = default;
};

class Backend {
  public:
    virtual ~Backend() = default;

    // "pulseaudio", "wasapi", ...
    virtual const char *name() const = 0;

    // Start connecting; the listener must outlive the backend's stop().
    virtual void start(BackendListener &listener) = 0;
    // Stop every thread of the backend; no listener call after it returns.
    virtual void stop() = 0;

    // Block until connected; throws EngineError(ServerUnavailable) naming the
    // server tried and why it failed when `timeout_s` passes first.
    virtual void wait_connected(double timeout_s) = 0;
    virtual bool connected() const = 0;

    // Apply to every stream of the process. Blocks until the server answered;
    // throws SessionNotFound / ServerUnavailable / BackendFailure.
    // `volume` goes to the app's loudest channel; every other channel keeps
    // its ratio to it (balance), and 0..max_volume() is accepted (boost).
    virtual void set_volume(int64_t process_id, float volume) = 0;
    // One volume per channel (front-left first), for every stream of the app.
    // Throws Unsupported where the OS has no per-app channel volumes.
    virtual void set_channel_volumes(int64_t process_id, const std::vector<float> &volumes) {
        (void)process_id;
        (void)volumes;
        throw EngineError(ErrorCode::Unsupported,
                          std::string(name()) + " has no per-channel app volume");
    }
    virtual void set_mute(int64_t process_id, bool muted) = 0;
    // The highest app volume the OS accepts: 1.0, or more where it can boost.
    virtual float max_volume() const { return 1.0f; }

    // Devices. Each blocks until the server answered; throws InvalidArgument
    // for an unknown device, Unsupported where the backend cannot.
    // `volume` keeps the device's balance, as set_volume() does for apps.
    virtual void set_device_volume(DeviceKind kind, const std::string &id, float volume) {
        unsupported("device volume", kind, id, volume);
    }
    virtual void set_device_mute(DeviceKind kind, const std::string &id, bool muted) {
        unsupported("device mute", kind, id, muted);
    }
    virtual void set_default_device(DeviceKind kind, const std::string &id) {
        unsupported("choosing the default device", kind, id, 0);
    }
    // Apps that record (a microphone, or a monitor), one entry per app, each
    // with the device it records from as `device_id`. PyPAC's own captures
    // are left out. Any non-audio thread; empty where the backend cannot tell.
    virtual std::vector<SessionInfo> recording_sessions() const { return {}; }
    // Moves every stream of the app to output device `id`, and the app's
    // streams opened later while the choice stands.
    virtual void move_session(int64_t process_id, const std::string &id) {
        unsupported("moving an app", DeviceKind::Output, id, process_id);
    }

    // Raise each session's `peak` to the OS's own meter of it, for backends
    // whose OS meters every session (WASAPI's IAudioMeterInformation). Any
    // non-audio thread; may block briefly. The default measures nothing.
    virtual void read_session_peaks(std::vector<SessionInfo> &sessions) { (void)sessions; }

    // Begin capturing `target` into `sink`, converted to `format`. The sink
    // must outlive the returned stream.
    virtual std::unique_ptr<CaptureStream>
    open_capture(const CaptureTarget &target, const CaptureFormat &format, CaptureSink &sink) = 0;

    // Catching new apps (Engine::catch_new_apps). While armed, the backend
    // opens a capture of each app whose first stream appears, on its control
    // thread as soon as it learns of the stream, and holds it (with its audio)
    // for `hold_seconds`, for take_caught(). Calling again changes the
    // settings. Throws Unsupported where the backend cannot (the default).
    virtual void catch_new_apps(const CaptureFormat &format, size_t ring_frames,
                                double hold_seconds) {
        (void)format;
        (void)ring_frames;
        (void)hold_seconds;
        throw EngineError(ErrorCode::Unsupported,
                          std::string("catching new apps is not supported by the ") + name() +
                              " backend; their captures start when asked for");
    }
    // Catch no more and drop every capture held. The next four: any thread
    // but the control thread (dropping a capture may wait for it).
    virtual void stop_catching() {}
    // The capture caught for app `process_id` in `format`: its hub in `hub`,
    // and its reader (the app's audio since the catch), handed over, when it
    // was caught with a ring of `ring_frames`. Null (and `hub` untouched)
    // when none is held. (The default, none, is in caught_captures.cpp,
    // where CaptureReader is a complete type.)
    virtual std::unique_ptr<CaptureReader> take_caught(int64_t process_id,
                                                       const CaptureFormat &format,
                                                       size_t ring_frames,
                                                       std::shared_ptr<CaptureHub> &hub);
    // Drop caught captures held past their hold time (or whose app ended).
    virtual void drop_stale_caught() {}

  private:
    template <typename T>
    [[noreturn]] void unsupported(const char *what, DeviceKind, const std::string &, T) const {
        throw EngineError(ErrorCode::Unsupported,
                          std::string(what) + " is not supported by the " + name() + " backend");
    }
};

// The platform's backend (backends.cpp). `server` is a backend-specific
// address (PULSE_SERVER syntax for libpulse); empty means the default.
std::unique_ptr<Backend> make_platform_backend(const std::string &server);

} // namespace pypac
