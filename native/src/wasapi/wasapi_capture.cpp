#include "wasapi_capture.hpp"

#include "default_device_watch.hpp"
#include "hresult.hpp"
#include "mmcss_scope.hpp"
#include "process_info.hpp"

#include <algorithm>

namespace pypac::wasapi {

namespace {

// How long the loop sleeps when no packet comes: the granularity of the
// clock's silence while an app is idle.
constexpr DWORD kWakeMs = 20;
// The shared-mode buffer: room for 200 ms, so a late wake-up loses nothing.
constexpr REFERENCE_TIME kBufferDuration = 2000000;
// Holes smaller than this are timing jitter, not silence. Windows stamps a
// packet with the time it was recorded; Wine with the time GetBuffer ran,
// which jitters by a wake-up period or two (10-16 ms). Silence worth filling
// lasts much longer: an idle app or a quiet system sends nothing for seconds.
constexpr int64_t kToleranceTicks = 400000; // 40 ms
// Idle silence stays this far behind now, so a packet in flight still fits.
constexpr int64_t kHoldBackTicks = 1000000; // 100 ms
constexpr size_t kSilenceChunk = 1024;

} // namespace

WasapiCapture::WasapiCapture(const CaptureSource &source, const CaptureFormat &format,
                             CaptureSink &sink, RebuildPolicy policy)
    : source_(source), format_(format), sink_(sink), policy_(policy),
      wave_format_(float_format(format)),
      filler_(format.sample_rate, kToleranceTicks, kHoldBackTicks),
      silence_(new float[kSilenceChunk * format.channels]()),
      stop_(CreateEventW(nullptr, TRUE, FALSE, nullptr)),
      ready_(CreateEventW(nullptr, FALSE, FALSE, nullptr)),
      device_changed_(CreateEventW(nullptr, FALSE, FALSE, nullptr)) {
    LARGE_INTEGER f{};
    QueryPerformanceFrequency(&f);
    qpc_frequency_ = f.QuadPart > 0 ? f.QuadPart : 1;
}

WasapiCapture::~WasapiCapture() {
    {
        // Waits for an on_end in progress; none starts after this.
        std::lock_guard<std::mutex> lock(end_mutex_);
        closing_ = true;
    }
    if (stop_)
        SetEvent(stop_.get());
    if (thread_.joinable())
        thread_.join();
}

void WasapiCapture::start() {
    if (!stop_ || !ready_ || !device_changed_)
        throw EngineError(ErrorCode::BackendFailure,
                          "CreateEventW() failed with error " + std::to_string(GetLastError()));
    if (source_.watch_pid != 0) {
        process_ = open_process_for_exit(source_.watch_pid);
        if (!process_) {
            const DWORD err = GetLastError();
            if (err != ERROR_ACCESS_DENIED)
                throw EngineError(ErrorCode::SessionNotFound,
                                  "process " + std::to_string(source_.watch_pid) +
                                      " is gone (OpenProcess() failed with error " +
                                      std::to_string(err) + "); list the sessions again");
            // Another user's process: capture anyway, without noticing its exit.
            std::lock_guard<std::mutex> lock(text_mutex_);
            warnings_ += "cannot watch process " + std::to_string(source_.watch_pid) +
                         " for exit (access denied); the capture will not end by itself. ";
        }
    }
    std::future<void> started = started_.get_future();
    thread_ = std::thread([this] { run(); });
    started.get(); // rethrows the thread's EngineError
}

void WasapiCapture::default_device_changed() {
    if (source_.follows_default() && device_changed_)
        SetEvent(device_changed_.get());
}

std::string WasapiCapture::warnings() const {
    std::lock_guard<std::mutex> lock(text_mutex_);
    return warnings_;
}

std::string WasapiCapture::error() const {
    std::lock_guard<std::mutex> lock(text_mutex_);
    return error_;
}

void WasapiCapture::set_error(const std::string &text) {
    std::lock_guard<std::mutex> lock(text_mutex_);
    error_ = text;
}

int64_t WasapiCapture::now_ticks() const noexcept {
    LARGE_INTEGER c{};
    QueryPerformanceCounter(&c);
    const int64_t f = qpc_frequency_;
    return (c.QuadPart / f) * ClockFiller::kTicksPerSecond +
           (c.QuadPart % f) * ClockFiller::kTicksPerSecond / f;
}

// Capture thread.
void WasapiCapture::run() {
    ComApartment com(COINIT_MULTITHREADED); // a fresh thread: always the MTA
    if (!com.ok()) {
        started_.set_exception(std::make_exception_ptr(hresult_error(
            "CoInitializeEx(COINIT_MULTITHREADED) on the capture thread", com.result())));
        return;
    }
    MmcssScope mmcss;
    if (mmcss.error() != 0) {
        std::lock_guard<std::mutex> lock(text_mutex_);
        warnings_ += "AvSetMmThreadCharacteristicsW(\"Audio\") failed with error " +
                     std::to_string(mmcss.error()) + "; capturing at normal priority. ";
    }
    // Watching before opening: a default that changes while the stream opens
    // (on the old default) signals device_changed_, and the loop's first wait
    // rebuilds on the new one. Registered after, that change would be lost.
    std::unique_ptr<DefaultDeviceRegistration> follow;
    if (source_.follows_default()) {
        follow = std::make_unique<DefaultDeviceRegistration>(
            source_.kind == CaptureSource::Kind::CaptureEndpoint ? eCapture : eRender,
            device_changed_.get());
        if (FAILED(follow->result())) {
            std::lock_guard<std::mutex> lock(text_mutex_);
            warnings_ += call_failed("IMMDeviceEnumerator::RegisterEndpointNotificationCallback()",
                                     follow->result()) +
                         "; the capture will not follow a new default device. ";
        }
    }
    try {
        open_stream();
    } catch (...) {
        close_stream();
        started_.set_exception(std::current_exception());
        return;
    }
    started_.set_value();
    loop();
}

// Capture thread: the real-time loop, then the end.
void WasapiCapture::loop() {
    HANDLE waits[4] = {stop_.get(), ready_.get(), device_changed_.get(), process_.get()};
    const DWORD count = process_ ? 4 : 3;
    CaptureEnd why = CaptureEnd::None;
    for (;;) {
        const DWORD woke = WaitForMultipleObjects(count, waits, FALSE, kWakeMs);
        if (woke == WAIT_OBJECT_0)
            break; // the owner closes the capture: no on_end
        if (woke == WAIT_OBJECT_0 + 2) {
            if (rebuild("the default device changed", &why))
                continue;
            break;
        }
        const HRESULT hr = drain();
        if (FAILED(hr)) {
            // Whatever the source: the device was removed or reconfigured
            // (a new format in the Sound control panel invalidates streams
            // too), or the audio engine dropped the stream's resources. The
            // same source opened again is what the user asked for; one that
            // stays gone ends the capture after the rebuild's attempts.
            if (stream_invalidated(hr)) {
                if (rebuild(call_failed(failed_call_, hr), &why))
                    continue;
                break;
            }
            if (error().empty())
                set_error(
                    call_failed(std::string(failed_call_) + " on the " + source_.describe(), hr));
            why = end_for(hr);
            break;
        }
        if (woke == WAIT_OBJECT_0 + 3) {
            why = CaptureEnd::ProcessExited; // everything it played has been drained
            break;
        }
        const int64_t idle_from = filler_.end();
        if (const size_t due = filler_.on_idle(now_ticks())) {
            counters_.filled_frames.fetch_add(due, std::memory_order_relaxed);
            sink_.on_frame_time(ClockFiller::ticks_to_ns(idle_from));
            emit_silence(due);
        }
    }
    close_stream();
    if (why != CaptureEnd::None)
        report_end(why);
}

// Capture thread. The owner closing the capture is no end to report, and a
// destructor that started must find the sink untouched from then on, even
// when a rebuild failed at the same moment.
void WasapiCapture::report_end(CaptureEnd why) noexcept {
    std::lock_guard<std::mutex> lock(end_mutex_);
    if (!closing_)
        sink_.on_end(why);
}

CaptureEnd WasapiCapture::end_for(HRESULT hr) const noexcept {
    return error_code_for(hr) == ErrorCode::ServerUnavailable && !stream_invalidated(hr)
               ? CaptureEnd::ServerLost
               : CaptureEnd::Failed;
}

// Capture thread. Activation included: it must run on an MTA thread, and
// this one is ours alone.
void WasapiCapture::open_stream() {
    client_ = activate_client(source_);
    const std::string fmt = "float32 " + std::to_string(format_.sample_rate) + " Hz " +
                            std::to_string(format_.channels) + " ch";
    // Wine accepts LOOPBACK in Initialize but refuses the capture service
    // afterwards; Windows before 2004 refuses process loopback. Same advice.
    const auto advice = [this](HRESULT hr) {
        return hr == AUDCLNT_E_WRONG_ENDPOINT_TYPE &&
                       source_.kind != CaptureSource::Kind::CaptureEndpoint
                   ? std::string("this system cannot capture in loopback mode from that device "
                                 "(Wine does not implement loopback capture)")
                   : std::string();
    };
    const auto initialize = [this] {
        return client_->Initialize(AUDCLNT_SHAREMODE_SHARED,
                                   stream_flags(source_, !autoconvert_refused_), kBufferDuration, 0,
                                   &wave_format_.Format, nullptr);
    };
    HRESULT hr = initialize();
    if (FAILED(hr) && !autoconvert_refused_ && retry_without_autoconvert(source_, hr)) {
        // Microsoft's ApplicationLoopback sample and OBS open the process-loopback
        // client without AUTOCONVERTPCM; a Windows build that refuses the flag
        // converts to the format asked for anyway. Remembered for rebuilds, and
        // on a fresh client: one whose Initialize failed is not initialised again.
        autoconvert_refused_ = true;
        {
            std::lock_guard<std::mutex> lock(text_mutex_);
            warnings_ += call_failed("IAudioClient::Initialize() with AUTOCONVERTPCM", hr) +
                         "; opened without it. ";
        }
        client_ = activate_client(source_);
        hr = initialize();
    }
    if (FAILED(hr))
        throw hresult_error("IAudioClient::Initialize(shared, " + fmt +
                                (autoconvert_refused_ ? ", without AUTOCONVERTPCM" : "") +
                                ") for the " + source_.describe(),
                            hr, advice(hr));
    hr = client_->SetEventHandle(ready_.get());
    if (FAILED(hr))
        throw hresult_error("IAudioClient::SetEventHandle()", hr);
    hr = client_->GetService(__uuidof(IAudioCaptureClient), capture_.put_void());
    if (FAILED(hr))
        throw hresult_error("IAudioClient::GetService(IAudioCaptureClient) for the " +
                                source_.describe(),
                            hr, advice(hr));
    hr = client_->Start();
    if (FAILED(hr))
        throw hresult_error("IAudioClient::Start() for the " + source_.describe(), hr);
    if (!filler_.started())
        filler_.start(now_ticks());
}

void WasapiCapture::close_stream() noexcept {
    if (client_)
        client_->Stop();
    capture_.reset();
    client_.reset();
}

// Capture thread. The clock keeps running across the switch: the time the
// new stream takes to open is filled with silence by on_idle(). False when
// the capture ends instead, with `why`: Failed (error set) once the attempts
// are used up, ProcessExited when the target exits meanwhile, None when the
// owner closes the capture between two attempts (nothing to report).
bool WasapiCapture::rebuild(const std::string &reason, CaptureEnd *why) noexcept {
    close_stream();
    const HANDLE waits[2] = {stop_.get(), process_.get()};
    const DWORD count = process_ ? 2 : 1;
    for (int attempt = 1;; ++attempt) {
        const DWORD woke =
            WaitForMultipleObjects(count, waits, FALSE, attempt == 1 ? 0 : policy_.pause_ms);
        if (woke == WAIT_OBJECT_0 || woke == WAIT_OBJECT_0 + 1) {
            *why = woke == WAIT_OBJECT_0 ? CaptureEnd::None : CaptureEnd::ProcessExited;
            return false;
        }
        ResetEvent(ready_.get());
        try {
            open_stream();
            counters_.rebuilds.fetch_add(1, std::memory_order_relaxed);
            return true;
        } catch (const std::exception &e) {
            close_stream();
            counters_.rebuild_failures.fetch_add(1, std::memory_order_relaxed);
            if (attempt >= policy_.attempts) {
                set_error("reopening the " + source_.describe() + " (" + reason + "; " +
                          std::to_string(attempt) + " attempts): " + e.what());
                *why = CaptureEnd::Failed;
                return false;
            }
        }
    }
}

// Capture thread, real-time: every packet waiting, in order.
HRESULT WasapiCapture::drain() noexcept {
    // Frames queued now, this packet's included: the newest was recorded
    // about now, so a packet with `queued` frames at and after it started
    // no later than now - queued. That bounds a timestamp that is only the
    // time of the call (Wine's), and is never earlier than a true one.
    UINT32 queued = 0;
    HRESULT hr = client_->GetCurrentPadding(&queued);
    // A dead stream: Wine says so only here (its GetNextPacketSize keeps
    // answering "no packet"), Windows here and in every call below.
    if (stream_invalidated(hr) || audio_service_gone(hr)) {
        failed_call_ = "IAudioClient::GetCurrentPadding()";
        return hr;
    }
    if (FAILED(hr))
        queued = 0;
    for (;;) {
        UINT32 next = 0;
        hr = capture_->GetNextPacketSize(&next);
        failed_call_ = "IAudioCaptureClient::GetNextPacketSize()";
        if (FAILED(hr) || next == 0)
            return hr;
        BYTE *data = nullptr;
        UINT32 frames = 0;
        DWORD flags = 0;
        UINT64 device_position = 0, qpc_position = 0;
        hr = capture_->GetBuffer(&data, &frames, &flags, &device_position, &qpc_position);
        failed_call_ = "IAudioCaptureClient::GetBuffer()";
        if (hr == AUDCLNT_S_BUFFER_EMPTY)
            return S_OK;
        if (FAILED(hr))
            return hr;
        const int64_t now = now_ticks();
        // When the packet was recorded. A missing or absurd timestamp means "just now".
        const int64_t latest = now - filler_.to_ticks(std::max<UINT32>(queued, frames));
        queued = queued > frames ? queued - frames : 0;
        auto start = static_cast<int64_t>(qpc_position);
        if ((flags & AUDCLNT_BUFFERFLAGS_TIMESTAMP_ERROR) || qpc_position == 0 ||
            start < now - 10 * ClockFiller::kTicksPerSecond || start > latest)
            start = latest;
        if (flags & AUDCLNT_BUFFERFLAGS_DATA_DISCONTINUITY)
            counters_.discontinuities.fetch_add(1, std::memory_order_relaxed);
        const int64_t hole_from = filler_.end();
        if (const size_t hole = filler_.on_packet(start, frames)) {
            counters_.filled_frames.fetch_add(hole, std::memory_order_relaxed);
            sink_.on_frame_time(ClockFiller::ticks_to_ns(hole_from));
            emit_silence(hole);
        }
        // qpcPosition is QPC time in 100 ns units: the packet's place on the
        // engine clock (monotonic_ns() reads QPC too).
        sink_.on_frame_time(ClockFiller::ticks_to_ns(start));
        // Interpreted in OUR format (the one passed to Initialize), never a mix format.
        if ((flags & AUDCLNT_BUFFERFLAGS_SILENT) || !data) {
            counters_.silent_frames.fetch_add(frames, std::memory_order_relaxed);
            emit_silence(frames);
        } else {
            sink_.on_frames(reinterpret_cast<const float *>(data), frames);
        }
        counters_.packet_frames.fetch_add(frames, std::memory_order_relaxed);
        hr = capture_->ReleaseBuffer(frames);
        failed_call_ = "IAudioCaptureClient::ReleaseBuffer()";
        if (FAILED(hr))
            return hr;
        const int64_t age = now - (start + filler_.to_ticks(frames));
        sink_.on_server_latency(static_cast<double>(std::max<int64_t>(age, 0)) / 10000.0);
    }
}

void WasapiCapture::emit_silence(size_t frames) noexcept {
    while (frames > 0) {
        const size_t n = std::min(frames, kSilenceChunk);
        sink_.on_frames(silence_.get(), n);
        frames -= n;
    }
}

} // namespace pypac::wasapi
