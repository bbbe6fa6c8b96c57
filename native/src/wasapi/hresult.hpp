// HRESULT -> EngineError: every failure names the call, its HRESULT in hex
// with the symbolic name, what it means, and what the user can do.
//
//   "IAudioClient::Initialize() failed: HRESULT 0x88890003 AUDCLNT_E_WRONG_ENDPOINT_TYPE
//    (the call does not fit this kind of device). <advice>"
#pragma once

#include "wasapi_compat.hpp"

#include "pypac/types.hpp"

#include <string>

namespace pypac::wasapi {

// "0x88890003 AUDCLNT_E_WRONG_ENDPOINT_TYPE (the call does not fit this kind of device)"
std::string hresult_text(HRESULT hr);

// "<call> failed: HRESULT <hresult_text>"
std::string call_failed(const std::string &call, HRESULT hr);

// Which Python exception the HRESULT becomes: the audio service gone or a
// device missing -> ServerUnavailable; not implemented -> Unsupported;
// anything else -> BackendFailure.
ErrorCode error_code_for(HRESULT hr);

// The Windows Audio service stopped or restarted under us: every proxy to
// it fails (AUDCLNT_E_SERVICE_NOT_RUNNING, or an RPC/COM "server gone" code).
// The backend then drops what it holds and reconnects.
bool audio_service_gone(HRESULT hr);

// The stream is gone but its source may still be there: the device was
// removed, disabled or reconfigured (AUDCLNT_E_DEVICE_INVALIDATED), or the
// audio engine released the stream's resources (AUDCLNT_E_RESOURCES_INVALIDATED).
// A capture reopens the same source on these.
bool stream_invalidated(HRESULT hr);

// The exception for a failed call. `advice` overrides the built-in hint for
// the HRESULT (pass what the user can do in this context).
EngineError hresult_error(const std::string &call, HRESULT hr, const std::string &advice = {});

// The built-in hint for an HRESULT, or "" when there is none.
std::string advice_for(HRESULT hr);

} // namespace pypac::wasapi
