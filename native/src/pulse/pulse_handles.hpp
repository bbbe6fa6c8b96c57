// RAII for libpulse handles, and the error text every failure carries.
#pragma once

#include "pypac/types.hpp"

#include <pulse/pulseaudio.h>

#include <memory>
#include <string>

namespace pypac::pulse {

struct MainloopDeleter {
    void operator()(pa_threaded_mainloop *m) const noexcept {
        pa_threaded_mainloop_stop(m);
        pa_threaded_mainloop_free(m);
    }
};
using MainloopPtr = std::unique_ptr<pa_threaded_mainloop, MainloopDeleter>;

// Disconnects and drops the context; callbacks are cleared first so none
// fires into a half-destroyed backend.
struct ContextDeleter {
    void operator()(pa_context *c) const noexcept {
        pa_context_set_state_callback(c, nullptr, nullptr);
        pa_context_set_subscribe_callback(c, nullptr, nullptr);
        pa_context_disconnect(c);
        pa_context_unref(c);
    }
};
using ContextPtr = std::unique_ptr<pa_context, ContextDeleter>;

// Disconnects and drops the stream; no callback reaches its owner afterwards.
// A stream the server is still creating cannot be disconnected yet (libpulse
// refuses until the server's reply): dropped then, the server would create it
// anyway and keep it open for the life of the connection. So it is left to a
// callback of its own that disconnects it once it exists and frees it once
// it has ended.
struct StreamDeleter {
    void operator()(pa_stream *s) const noexcept {
        pa_stream_set_read_callback(s, nullptr, nullptr);
        const pa_stream_state_t st = pa_stream_get_state(s);
        if (st == PA_STREAM_CREATING) {
            pa_stream_set_state_callback(s, finish_when_created, nullptr);
            return; // the callback owns our reference now
        }
        pa_stream_set_state_callback(s, nullptr, nullptr);
        if (st == PA_STREAM_READY)
            pa_stream_disconnect(s);
        pa_stream_unref(s);
    }

  private:
    static void finish_when_created(pa_stream *s, void *) {
        switch (pa_stream_get_state(s)) {
        case PA_STREAM_READY:
            pa_stream_disconnect(s); // -> TERMINATED, below
            break;
        case PA_STREAM_FAILED:
        case PA_STREAM_TERMINATED:
            pa_stream_set_state_callback(s, nullptr, nullptr);
            pa_stream_unref(s);
            break;
        default:
            break;
        }
    }
};
using StreamPtr = std::unique_ptr<pa_stream, StreamDeleter>;

struct OperationDeleter {
    void operator()(pa_operation *o) const noexcept { pa_operation_unref(o); }
};
using OperationPtr = std::unique_ptr<pa_operation, OperationDeleter>;

// A mainloop timer (pa_context_rttime_new); freed, like every handle here,
// with the mainloop lock held.
struct TimeEventDeleter {
    pa_mainloop_api *api = nullptr;
    void operator()(pa_time_event *e) const noexcept { api->time_free(e); }
};
using TimeEventPtr = std::unique_ptr<pa_time_event, TimeEventDeleter>;

struct ProplistDeleter {
    void operator()(pa_proplist *p) const noexcept { pa_proplist_free(p); }
};
using ProplistPtr = std::unique_ptr<pa_proplist, ProplistDeleter>;

// Holds the threaded mainloop's lock for a scope. Never from the loop thread.
class MainloopLock {
  public:
    explicit MainloopLock(pa_threaded_mainloop *m) : m_(m) { pa_threaded_mainloop_lock(m_); }
    ~MainloopLock() { pa_threaded_mainloop_unlock(m_); }
    MainloopLock(const MainloopLock &) = delete;
    MainloopLock &operator=(const MainloopLock &) = delete;

  private:
    pa_threaded_mainloop *m_;
};

// "pa_context_connect() failed: Connection refused (code 6)"
inline std::string call_failed(const std::string &call, int pa_errno) {
    return call + " failed: " + pa_strerror(pa_errno) + " (PulseAudio error " +
           std::to_string(pa_errno) + ")";
}

// An operation's state callback: wake the thread waiting in pa_threaded_mainloop_wait().
inline void signal_loop(pa_operation *, void *mainloop) {
    pa_threaded_mainloop_signal(static_cast<pa_threaded_mainloop *>(mainloop), 0);
}

inline EngineError server_gone(const std::string &detail) {
    return EngineError(ErrorCode::ServerUnavailable,
                       "not connected to the sound server" +
                           (detail.empty() ? std::string() : " (" + detail + ")") +
                           "; PyPAC reconnects by itself once the server is back");
}

inline std::string proplist_get(const pa_proplist *p, const char *key) {
    const char *v = p ? pa_proplist_gets(p, key) : nullptr;
    return v ? std::string(v) : std::string();
}

} // namespace pypac::pulse
