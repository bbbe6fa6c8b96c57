// One WASAPI capture: a thread of its own that activates the source,
// initialises it in our format and delivers its packets to the CaptureSink.
//
// The thread (cubeb's render loop is the model): COM (MTA) and MMCSS set up by
// RAII on it; one loop waiting on {stop, data ready, default device changed,
// target process exited} with a short timeout so that silence is filled by
// the clock while WASAPI sends nothing; the stream rebuilt on this same
// thread when the default device changes, and for every source when its
// stream is invalidated (device removed or reconfigured, resources lost).
//
// Threads: the capture thread is this capture's audio thread (on_frames and
// on_server_latency run there: no allocation, no locks, no I/O on that path).
// on_end also runs there, after the loop has left the real-time path, and
// only when the capture ends by itself: never once the destructor started
// (the two exclude each other through end_mutex_).
#pragma once

#include "capture_source.hpp"
#include "clock_filler.hpp"

#include "pypac/backend.hpp"

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace pypac::wasapi {

// What the capture thread saw; for tests and diagnostics.
struct CaptureCounters {
    std::atomic<uint64_t> packet_frames{0}; // frames that came in packets
    std::atomic<uint64_t> silent_frames{0}; // of those, flagged AUDCLNT_BUFFERFLAGS_SILENT
    std::atomic<uint64_t> filled_frames{0}; // silence inserted by the clock
    std::atomic<uint64_t> discontinuities{0};
    std::atomic<uint64_t> rebuilds{0};         // streams reopened (new default, invalidated)
    std::atomic<uint64_t> rebuild_failures{0}; // reopening attempts that failed
};

// How a capture reopens its stream after a device change: a new default may
// take a moment to appear, so a failed open is retried before the capture
// ends with CaptureEnd::Failed.
struct RebuildPolicy {
    int attempts = 5;
    DWORD pause_ms = 100; // between attempts
};

class WasapiCapture final : public CaptureStream {
  public:
    WasapiCapture(const CaptureSource &source, const CaptureFormat &format, CaptureSink &sink,
                  RebuildPolicy policy = {});
    ~WasapiCapture() override; // stops and joins the thread; no sink call after it returns
    WasapiCapture(const WasapiCapture &) = delete;
    WasapiCapture &operator=(const WasapiCapture &) = delete;

    // Starts the thread and waits until the stream runs. Throws EngineError
    // naming the call that failed (the thread has then ended). Any thread.
    void start();

    // Any thread: the default endpoint changed; a capture that follows the
    // default reopens on the new one.
    void default_device_changed();

    const CaptureSource &source() const { return source_; }
    const CaptureCounters &counters() const { return counters_; }
    // MMCSS refused, etc.: worth logging, not fatal. Valid after start().
    std::string warnings() const;
    // Why the capture ended with CaptureEnd::Failed / ServerLost; empty otherwise.
    std::string error() const;

  private:
    void run();
    void loop();
    void open_stream(); // throws EngineError
    void close_stream() noexcept;
    bool rebuild(const std::string &reason, CaptureEnd *why) noexcept;
    void report_end(CaptureEnd why) noexcept;
    HRESULT drain() noexcept; // on failure, failed_call_ names the call
    void emit_silence(size_t frames) noexcept;
    void set_error(const std::string &text);
    CaptureEnd end_for(HRESULT hr) const noexcept;
    int64_t now_ticks() const noexcept;

    CaptureSource source_;
    CaptureFormat format_;
    CaptureSink &sink_;
    RebuildPolicy policy_;
    WAVEFORMATEXTENSIBLE wave_format_; // ours; passed to Initialize, never freed by COM
    ClockFiller filler_;
    CaptureCounters counters_;
    std::unique_ptr<float[]> silence_; // kSilenceChunk frames of zeros, made before the loop
    int64_t qpc_frequency_ = 1;
    const char *failed_call_ = "";     // capture thread
    bool autoconvert_refused_ = false; // capture thread: Initialize refused AUTOCONVERTPCM

    UniqueHandle stop_;
    UniqueHandle ready_;
    UniqueHandle device_changed_;
    UniqueHandle process_; // the watched process, when there is one
    ComPtr<IAudioClient> client_;
    ComPtr<IAudioCaptureClient> capture_;

    std::thread thread_;
    std::mutex end_mutex_;
    bool closing_ = false; // the destructor started: no on_end from now on
    mutable std::mutex text_mutex_;
    std::string warnings_;
    std::string error_;
    std::promise<void> started_; // the thread's first word: running, or why not
};

} // namespace pypac::wasapi
