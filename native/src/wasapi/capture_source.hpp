// Where a WASAPI capture comes from, and how its IAudioClient is made.
//
// All three sources end in the same plumbing (wasapi_capture.hpp): an
// IAudioClient initialised in OUR float32 format with AUTOCONVERTPCM (the
// process-loopback client may refuse it, then it goes without), event driven,
// read on one capture thread. Only activation differs:
//   * ProcessLoopback: ActivateAudioInterfaceAsync on the virtual
//     process-loopback device (one app, its process tree in or out);
//   * EndpointLoopback: a render endpoint in loopback mode (the system mix);
//   * CaptureEndpoint: a capture endpoint (microphone / monitor). PyPAC's API
//     does not use it; the Windows test program does, because Wine supports
//     it where it supports neither loopback, so the plumbing runs for real.
#pragma once

#include "com.hpp"

#include "pypac/types.hpp"

#include <chrono>
#include <string>

namespace pypac::wasapi {

struct CaptureSource {
    enum class Kind { ProcessLoopback, EndpointLoopback, CaptureEndpoint };
    Kind kind = Kind::EndpointLoopback;
    DWORD process_id = 0; // ProcessLoopback: the target (the root of its tree)
    PROCESS_LOOPBACK_MODE mode = PROCESS_LOOPBACK_MODE_INCLUDE_TARGET_PROCESS_TREE;
    std::wstring endpoint_id; // endpoints: empty = the default one, followed when it changes
    DWORD watch_pid = 0;      // end with ProcessExited when this process exits (0: none)

    static CaptureSource process(DWORD pid, PROCESS_LOOPBACK_MODE mode);
    static CaptureSource render_endpoint(std::wstring id = {});
    static CaptureSource capture_endpoint(std::wstring id = {});

    bool follows_default() const { return kind != Kind::ProcessLoopback && endpoint_id.empty(); }
    // "process 1234 (tree included)", "loopback of the default render endpoint"
    std::string describe() const;
};

// The format every capture is initialised with, and in which its buffers are
// read: IEEE float32, interleaved, at the rate and channel count asked for.
// Ours, on our stack or in our object: never handed to CoTaskMemFree. Every
// channel count has its speaker positions (3.0, quad, 5.0, 5.1, 7.0, 7.1...);
// more than 8 channels throw EngineError(InvalidArgument).
WAVEFORMATEXTENSIBLE float_format(const CaptureFormat &format);

// The IAudioClient of `source`, activated on the calling thread (an MTA
// thread of ours) but not initialised. Throws EngineError naming the call.
ComPtr<IAudioClient> activate_client(const CaptureSource &source);

// The IMMDevice of an endpoint (empty id: the default of `flow`, console role).
ComPtr<IMMDevice> endpoint_device(EDataFlow flow, const std::wstring &id);

// ActivateAudioInterfaceAsync on VAD\Process_Loopback. Waits for the agile
// completion handler up to `timeout` (never on an STA: call from an MTA
// thread). The async call's HRESULT and the activation result are checked and
// reported separately.
ComPtr<IAudioClient> activate_process_loopback(DWORD pid, PROCESS_LOOPBACK_MODE mode,
                                               std::chrono::milliseconds timeout);

// The stream flags Initialize gets for `source`: EVENTCALLBACK, LOOPBACK for
// the loopbacks, and AUTOCONVERTPCM (endpoints add SRC_DEFAULT_QUALITY) unless
// `autoconvert` is false.
DWORD stream_flags(const CaptureSource &source, bool autoconvert = true);

// Whether Initialize's `hr` may be the process-loopback client refusing
// AUTOCONVERTPCM (E_INVALIDARG or AUDCLNT_E_INVALID_STREAM_FLAG), so that one
// more try without it is worth making. Endpoints need the conversion: never.
bool retry_without_autoconvert(const CaptureSource &source, HRESULT hr);

} // namespace pypac::wasapi
