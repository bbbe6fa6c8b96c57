// Plain value types shared by the engine, every backend and the bindings.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace pypac {

// Session state numbers are the PyPAC 0.2 API's (and WASAPI's AudioSessionState).
enum class SessionState : int { Inactive = 0, Active = 1, Expired = 2 };

// One stream of an app (an app may play several at once: a browser's tabs).
struct StreamInfo {
    uint32_t index = 0;    // the server's id for it
    std::string title;     // what it plays, e.g. "YouTube video" (media.name); may be empty
    bool playing = false;  // not paused (corked)
    std::string device_id; // the output device it plays on (DeviceInfo::id)
    bool operator==(const StreamInfo &o) const {
        return index == o.index && title == o.title && playing == o.playing &&
               device_id == o.device_id;
    }
};

// One application that plays sound: every stream of one process, on every
// output device, folded into one entry.
struct SessionInfo {
    int64_t process_id = 0;
    std::string process_name; // the binary, e.g. "firefox"
    std::string display_name; // what the app calls itself, e.g. "Firefox"
    std::string icon_name;    // freedesktop icon name or a file path; may be empty
    SessionState state = SessionState::Inactive;
    float volume = 1.0f; // fader position of the loudest channel, 1.0 = 100% in the OS mixer
    // Each channel's fader (front-left first) where the OS has them; empty
    // otherwise. Their ratios are the balance that set_volume() keeps.
    std::vector<float> channel_volumes;
    // The output device it plays on (DeviceInfo::id), that of its loudest
    // stream when its streams play on several; empty where unknown.
    std::string device_id;
    std::vector<StreamInfo> streams; // where the OS lists them (PulseAudio/PipeWire)
    bool muted = false;
    float peak = 0.0f; // newest block's absolute peak, 0..1 (0 when not measured)
    int stream_count = 0;
    // Every process whose streams this session folds in, its own pid first
    // (Windows lists Chrome's audio child under the browser's pid).
    std::vector<int64_t> process_ids;

    // Everything a user can see change, not the peak (it changes every block).
    bool same_visible_state(const SessionInfo &o) const {
        return process_id == o.process_id && process_name == o.process_name &&
               display_name == o.display_name && icon_name == o.icon_name && state == o.state &&
               volume == o.volume && channel_volumes == o.channel_volumes &&
               device_id == o.device_id && muted == o.muted && stream_count == o.stream_count &&
               process_ids == o.process_ids && streams == o.streams;
    }
};

enum class DeviceKind : int { Output = 0, Input = 1 };

// An output device (speakers, headset) or an input device (microphone).
struct DeviceInfo {
    std::string id;          // stable while it exists: PulseAudio's sink/source name
    std::string description; // what the OS mixer shows, e.g. "Built-in Audio Analog Stereo"
    DeviceKind kind = DeviceKind::Output;
    float volume = 1.0f;                // the loudest channel's fader, 1.0 = 100%
    std::vector<float> channel_volumes; // each channel's fader, front-left first
    bool muted = false;
    bool is_default = false; // where new streams of its kind go
    bool running = false;    // something plays through it (records from it) now
    bool operator==(const DeviceInfo &o) const {
        return id == o.id && description == o.description && kind == o.kind && volume == o.volume &&
               channel_volumes == o.channel_volumes && muted == o.muted &&
               is_default == o.is_default && running == o.running;
    }
    bool operator!=(const DeviceInfo &o) const { return !(*this == o); }
};

// What callers may ask of a capture. pypac/arguments.py checks Python's arguments
// against these very numbers (bound as pypac._engine.MIN_SAMPLE_RATE, ...); the
// engine checks them again for C++ callers.
struct CaptureLimits {
    static constexpr uint32_t min_sample_rate = 8000;
    static constexpr uint32_t max_sample_rate = 384000;
    static constexpr uint32_t min_channels = 1;
    static constexpr uint32_t max_channels = 8;
    static constexpr double min_ring_seconds = 0.5; // a reader's own buffer
    static constexpr double max_ring_seconds = 600.0;
};

struct CaptureFormat {
    uint32_t sample_rate = 48000;
    uint32_t channels = 2;
};

// What a capture is aimed at: one process (and, where the OS can, its
// children), everything the system plays (the default output, followed when
// it changes), everything but one process, one device (what an output device
// plays, or what an input device records), or what every output device plays.
struct CaptureTarget {
    enum class Kind { Process, System, SystemExceptProcess, Device, AllOutputs };
    Kind kind = Kind::Process;
    int64_t process_id = 0;
    DeviceKind device_kind = DeviceKind::Output; // Device only
    std::string device_id;                       // Device only: DeviceInfo::id
    static CaptureTarget process(int64_t pid) { return {Kind::Process, pid, {}, {}}; }
    static CaptureTarget system() { return {Kind::System, 0, {}, {}}; }
    static CaptureTarget system_except(int64_t pid) {
        return {Kind::SystemExceptProcess, pid, {}, {}};
    }
    static CaptureTarget device(DeviceKind kind, std::string id) {
        return {Kind::Device, 0, kind, std::move(id)};
    }
    static CaptureTarget all_outputs() { return {Kind::AllOutputs, 0, {}, {}}; }
    bool operator<(const CaptureTarget &o) const {
        return std::tie(kind, process_id, device_kind, device_id) <
               std::tie(o.kind, o.process_id, o.device_kind, o.device_id);
    }
};

// Why a capture stopped delivering frames for good.
enum class CaptureEnd : int {
    None = 0,
    ProcessExited = 1,
    ServerLost = 2,
    Stopped = 3, // the reader was closed (Python: stop())
    Failed = 4,
};

struct CaptureStats {
    uint64_t frames_captured = 0; // frames written to this reader's ring
    uint64_t dropped_frames = 0;  // frames lost because this reader's ring was full
    double latency_ms = 0.0;      // server-side latency + frames waiting in the ring
};

// Error codes map one to one onto the Python exception classes (errors.py).
enum class ErrorCode : int {
    ServerUnavailable = 1, // no sound server, or it went away
    SessionNotFound = 2,   // no session for that process id
    InvalidArgument = 3,   // caught before anything reached the server
    BackendFailure = 4,    // an OS / server call failed
    Unsupported = 5,       // this backend or OS version cannot do it
};

// The one exception type the native side throws. `what()` names the call
// that failed, its code, and what the user can do.
class EngineError : public std::runtime_error {
  public:
    EngineError(ErrorCode code, const std::string &message)
        : std::runtime_error(message), code_(code) {}
    ErrorCode code() const noexcept { return code_; }

  private:
    ErrorCode code_;
};

} // namespace pypac
