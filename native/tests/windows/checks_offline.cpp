// Checks that need no audio device: declarations, error text, the clock's
// silence, the engine thread, COM pointers (and checks_process.cpp).
#include "check_harness.hpp"

#include "wasapi/capture_source.hpp"
#include "wasapi/clock_filler.hpp"
#include "wasapi/com_thread.hpp"
#include "wasapi/hresult.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

using namespace pypac;
using namespace pypac::wasapi;

namespace pypac_check {

namespace {

void compat_layout() {
    AUDIOCLIENT_ACTIVATION_PARAMS p{};
    p.ActivationType = AUDIOCLIENT_ACTIVATION_TYPE_PROCESS_LOOPBACK;
    p.ProcessLoopbackParams.TargetProcessId = 0x11223344;
    p.ProcessLoopbackParams.ProcessLoopbackMode = PROCESS_LOOPBACK_MODE_EXCLUDE_TARGET_PROCESS_TREE;
    unsigned char bytes[sizeof p];
    std::memcpy(bytes, &p, sizeof p);
    // The bytes the audio service reads: type 1, pid, mode 1, little-endian.
    const unsigned char want[12] = {1, 0, 0, 0, 0x44, 0x33, 0x22, 0x11, 1, 0, 0, 0};
    const GUID meter = {
        0xc02216f6, 0x8c67, 0x4b5b, {0x9d, 0x00, 0xd0, 0x08, 0xe7, 0x3e, 0x00, 0x64}};
    const bool ok =
        sizeof p == 12 && std::memcmp(bytes, want, 12) == 0 &&
        std::wcscmp(VIRTUAL_AUDIO_DEVICE_PROCESS_LOOPBACK, L"VAD\\Process_Loopback") == 0 &&
        __uuidof(IAudioMeterInformation) == meter;
    check("compat.layout", ok,
          "AUDIOCLIENT_ACTIVATION_PARAMS is 12 bytes {type, pid, mode}; VAD\\Process_Loopback; "
          "IAudioMeterInformation IID");
}

void hresult_messages() {
    const EngineError fmt =
        hresult_error("IAudioClient::Initialize()", AUDCLNT_E_UNSUPPORTED_FORMAT);
    const std::string a = fmt.what();
    const EngineError notimpl =
        hresult_error("IAudioSessionManager2::GetSessionEnumerator()", E_NOTIMPL);
    const std::string b = notimpl.what();
    const std::string c = hresult_text(HRESULT_FROM_WIN32(ERROR_SHARING_VIOLATION));
    const EngineError gone =
        hresult_error("IAudioCaptureClient::GetBuffer()", AUDCLNT_E_SERVICE_NOT_RUNNING);
    const bool ok = contains(a, "IAudioClient::Initialize() failed: HRESULT 0x88890008 "
                                "AUDCLNT_E_UNSUPPORTED_FORMAT") &&
                    contains(a, "48000") && fmt.code() == ErrorCode::BackendFailure &&
                    contains(b, "0x80004001 E_NOTIMPL") && contains(b, "Windows 10 version 2004") &&
                    notimpl.code() == ErrorCode::Unsupported &&
                    gone.code() == ErrorCode::ServerUnavailable && contains(c, "0x80070020 (") &&
                    c.size() > 14;
    check("hresult.message", ok, a + " | " + c);
    const HRESULT service_gone[] = {AUDCLNT_E_SERVICE_NOT_RUNNING,
                                    static_cast<HRESULT>(0x800706BAu),  // RPC_S_SERVER_UNAVAILABLE
                                    static_cast<HRESULT>(0x80010108u),  // RPC_E_DISCONNECTED
                                    static_cast<HRESULT>(0x800706BEu)}; // RPC_S_CALL_FAILED
    bool gone_ok = !audio_service_gone(AUDCLNT_E_DEVICE_INVALIDATED) && !audio_service_gone(E_FAIL);
    for (HRESULT hr : service_gone)
        gone_ok = gone_ok && audio_service_gone(hr) &&
                  error_code_for(hr) == ErrorCode::ServerUnavailable &&
                  contains(hresult_error("x", hr).what(), "Windows Audio service");
    check("hresult.service-gone", gone_ok,
          hresult_text(static_cast<HRESULT>(0x80010108u)) +
              ": a restarted audio service is a server loss (reconnect), like "
              "AUDCLNT_E_SERVICE_NOT_RUNNING; a device invalidation is not");
    check("hresult.invalidated",
          stream_invalidated(AUDCLNT_E_DEVICE_INVALIDATED) &&
              stream_invalidated(AUDCLNT_E_RESOURCES_INVALIDATED) &&
              !stream_invalidated(AUDCLNT_E_SERVICE_NOT_RUNNING) && !stream_invalidated(E_FAIL),
          "DEVICE_INVALIDATED and RESOURCES_INVALIDATED reopen the source; SERVICE_NOT_RUNNING "
          "is a server loss, not an invalidation");
}

// Every channel count 1-8 names as many speakers as it has channels; 9 is refused.
void channel_masks() {
    std::string detail;
    bool ok = true;
    for (uint32_t n = 1; n <= 8; ++n) {
        const DWORD mask = float_format({48000, n}).dwChannelMask;
        int bits = 0;
        for (DWORD m = mask; m; m &= m - 1)
            ++bits;
        ok = ok && bits == static_cast<int>(n) && (mask & 0x3) == (n == 1 ? 0u : 0x3u);
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%lX", static_cast<unsigned long>(mask));
        detail += std::to_string(n) + ":" + hex + " ";
    }
    std::string refused;
    try {
        float_format({48000, 9});
    } catch (const EngineError &e) {
        refused = e.code() == ErrorCode::InvalidArgument ? e.what() : "";
    }
    check("format.channel-masks", ok && contains(refused, "1 to 8 channels"),
          detail + "(one speaker per channel, front pair first); 9 channels: " +
              (refused.empty() ? "accepted" : refused));
}

// The process-loopback client is opened with AUTOCONVERTPCM first and, when
// Initialize refuses the flags, once more with exactly LOOPBACK |
// EVENTCALLBACK (what Microsoft's sample passes); endpoints never drop it.
void stream_flag_fallback() {
    const auto process =
        CaptureSource::process(1234, PROCESS_LOOPBACK_MODE_INCLUDE_TARGET_PROCESS_TREE);
    const auto endpoint = CaptureSource::render_endpoint();
    const DWORD base = AUDCLNT_STREAMFLAGS_LOOPBACK | AUDCLNT_STREAMFLAGS_EVENTCALLBACK;
    const bool ok = stream_flags(process) == (base | AUDCLNT_STREAMFLAGS_AUTOCONVERTPCM) &&
                    stream_flags(process, false) == base &&
                    retry_without_autoconvert(process, E_INVALIDARG) &&
                    retry_without_autoconvert(process, AUDCLNT_E_INVALID_STREAM_FLAG) &&
                    !retry_without_autoconvert(process, AUDCLNT_E_UNSUPPORTED_FORMAT) &&
                    !retry_without_autoconvert(endpoint, E_INVALIDARG) &&
                    (stream_flags(endpoint) & AUDCLNT_STREAMFLAGS_AUTOCONVERTPCM) != 0;
    check("capture.stream-flags", ok,
          "process loopback: LOOPBACK|EVENTCALLBACK|AUTOCONVERTPCM, then LOOPBACK|EVENTCALLBACK "
          "after E_INVALIDARG or AUDCLNT_E_INVALID_STREAM_FLAG; endpoints always convert");
}

constexpr int64_t kSecond = ClockFiller::kTicksPerSecond;
constexpr int64_t kMs = kSecond / 1000;

void clock_filler() {
    { // An idle app: nothing for 1 s, then 10 ms packets from 1.5 s on.
        ClockFiller f(48000, 5 * kMs, 100 * kMs);
        f.start(0);
        size_t emitted = 0;
        for (int64_t t = 20 * kMs; t <= 1500 * kMs; t += 20 * kMs)
            emitted += f.on_idle(t);
        const size_t idle = emitted;
        for (int i = 0; i < 50; ++i)
            emitted += f.on_packet(1500 * kMs + i * 10 * kMs, 480) + 480;
        const size_t clock = 48000 * 2; // the timeline now ends at 2.0 s
        check("clock.idle-app", idle == 48000 * 14 / 10 && emitted >= clock - 1 && emitted <= clock,
              "1.5 s without packets -> " + std::to_string(idle) +
                  " frames of silence held 100 ms "
                  "behind; then " +
                  std::to_string(emitted) + " frames for 2.0 s (want 96000)");
    }
    { // A device clock 100 ppm slow against QPC, back to back for 10 minutes: no invented frames.
        ClockFiller f(48000, 5 * kMs, 100 * kMs);
        f.start(0);
        size_t filled = 0;
        const double tick_per_frame = 1.0001 * kSecond / 48000.0;
        for (int64_t i = 0; i < 60000; ++i) {
            const auto t = static_cast<int64_t>(static_cast<double>(i * 480) * tick_per_frame);
            filled += f.on_packet(t, 480);
            filled += f.on_idle(t + 15 * kMs);
        }
        check("clock.drift", filled == 0,
              std::to_string(filled) + " frames of silence over 10 minutes of back-to-back packets "
                                       "from a clock 100 ppm off (want 0)");
    }
    { // A 200 ms hole between packets, and jitter below the tolerance.
        ClockFiller f(48000, 5 * kMs, 100 * kMs);
        f.start(0);
        size_t hole = f.on_packet(0, 480);
        hole += f.on_packet(10 * kMs + 2 * kMs, 480); // 2 ms jitter: absorbed
        hole += f.on_packet(220 * kMs + 2 * kMs, 480);
        check("clock.hole", hole == 9600,
              std::to_string(hole) + " frames filled for a 200 ms hole (want 9600)");
    }
    { // Idle fill ran ahead of a packet that was already in flight.
        ClockFiller f(48000, 5 * kMs, 100 * kMs);
        f.start(0);
        const size_t idle = f.on_idle(500 * kMs); // timeline to 400 ms
        const size_t fill = f.on_packet(380 * kMs, 480);
        check("clock.overlap", idle == 19200 && fill == 0 && f.end() == 410 * kMs,
              "a packet recorded before the idle silence's end continues the timeline, no fill");
    }
}

// A COM object of ours with IAgileObject, to check ComObject / ComPtr counting.
class Probe final : public ComObject<Probe, IAgileObject> {
  public:
    explicit Probe(std::atomic<int> &alive) : alive_(alive) { ++alive_; }

  private:
    friend class ComObject<Probe, IAgileObject>;
    ~Probe() { --alive_; }
    std::atomic<int> &alive_;
};

void com_pointers() {
    std::atomic<int> alive{0};
    {
        auto p = ComPtr<Probe>::adopt(new Probe(alive));
        ComPtr<Probe> copy = p;
        ComPtr<IUnknown> unknown;
        ComPtr<IAgileObject> agile;
        ComPtr<IMMDevice> unrelated;
        const bool qi = SUCCEEDED(p.query(unknown)) && SUCCEEDED(p.query(agile)) &&
                        p.query(unrelated) == E_NOINTERFACE && !unrelated;
        copy.reset();
        check("com.ptr", qi && alive == 1,
              "QueryInterface for IUnknown/IAgileObject, E_NOINTERFACE otherwise");
    }
    check("com.release", alive == 0, "the last Release deletes the object");
}

void com_thread() {
    ComThread thread;
    APTTYPE type = APTTYPE_CURRENT;
    APTTYPEQUALIFIER qualifier = APTTYPEQUALIFIER_NONE;
    const HRESULT hr = thread.call([&] { return CoGetApartmentType(&type, &qualifier); });
    const int nested = thread.call([&] { return thread.call([] { return 42; }); });
    std::string transported;
    ErrorCode code = ErrorCode::InvalidArgument;
    try {
        thread.call([]() -> int { throw EngineError(ErrorCode::SessionNotFound, "no pid 7"); });
    } catch (const EngineError &e) {
        transported = e.what();
        code = e.code();
    }
    check("com-thread.call",
          SUCCEEDED(hr) && type == APTTYPE_MTA && nested == 42 && transported == "no pid 7" &&
              code == ErrorCode::SessionNotFound,
          "tasks run in the MTA; nested calls run inline; EngineError reaches the caller");

    // From a single-threaded apartment (what Qt's main thread is): no RPC_E_CHANGED_MODE.
    bool sta_ok = false;
    std::thread sta([&] {
        ComApartment apartment(COINIT_APARTMENTTHREADED);
        APTTYPE t = APTTYPE_CURRENT;
        thread.call([&] { CoGetApartmentType(&t, &qualifier); });
        sta_ok = apartment.ok() && t == APTTYPE_MTA;
    });
    sta.join();
    check("com-thread.sta-caller", sta_ok,
          "a call from an STA thread runs on the MTA engine thread");

    std::atomic<int> order{0};
    int first = 0, second = 0;
    thread.queue()->post_after(std::chrono::milliseconds(60), [&] { second = ++order; });
    thread.queue()->post_after(std::chrono::milliseconds(20), [&] { first = ++order; });
    Sleep(150);
    thread.queue()->post_after(std::chrono::seconds(60), [] {}); // pending at stop
    const auto t0 = std::chrono::steady_clock::now();
    thread.stop([] {});
    const double stop_s = seconds_since(t0);
    bool refused = false;
    try {
        thread.call([] { return 0; });
    } catch (const EngineError &e) {
        refused = e.code() == ErrorCode::ServerUnavailable;
    }
    check("com-thread.timers-stop", first == 1 && second == 2 && stop_s < 1.0 && refused,
          "delayed tasks run in time order; stop() with a task due in 60 s took " +
              fixed(stop_s, 3) + " s; calls after stop raise ServerUnavailable");
}

} // namespace

void run_offline_checks() {
    compat_layout();
    hresult_messages();
    channel_masks();
    stream_flag_fallback();
    clock_filler();
    com_pointers();
    com_thread();
    run_process_checks();
    run_endpoint_offline_checks();
}

} // namespace pypac_check
