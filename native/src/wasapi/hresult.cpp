#include "hresult.hpp"

#include "com.hpp"

#include <cstdint>
#include <cstdio>

namespace pypac::wasapi {

namespace {

struct KnownResult {
    uint32_t hr;
    const char *name;
    const char *meaning;
};

// The HRESULTs WASAPI returns in practice. Numbers, not macros: several are
// missing from older SDK and mingw headers.
constexpr KnownResult kKnown[] = {
    {0x80004001u, "E_NOTIMPL", "not implemented by this version of Windows (or by Wine)"},
    {0x80004002u, "E_NOINTERFACE", "the object does not offer that interface"},
    {0x80004003u, "E_POINTER", "a required pointer was null"},
    {0x80004005u, "E_FAIL", "unspecified failure"},
    {0x8000000Eu, "E_ILLEGAL_METHOD_CALL", "the call is not allowed in this state"},
    {0x80070002u, "HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)", "no such device or interface"},
    {0x80070005u, "E_ACCESSDENIED", "access denied"},
    {0x8007000Eu, "E_OUTOFMEMORY", "out of memory"},
    {0x80070057u, "E_INVALIDARG", "an argument is invalid"},
    {0x80070490u, "E_NOTFOUND", "element not found (no such audio device)"},
    {0x800401F0u, "CO_E_NOTINITIALIZED", "COM is not initialised on this thread"},
    {0x80040154u, "REGDB_E_CLASSNOTREG", "the COM class is not registered"},
    {0x80010106u, "RPC_E_CHANGED_MODE", "the thread is already in another COM apartment"},
    {0x800706BAu, "RPC_S_SERVER_UNAVAILABLE", "the audio service is unreachable"},
    {0x800706BEu, "RPC_S_CALL_FAILED", "the call to the audio service failed"},
    {0x80010108u, "RPC_E_DISCONNECTED", "the audio service restarted: this object is gone"},
    {0x80010007u, "RPC_E_SERVER_DIED", "the audio service ended during the call"},
    {0x80010012u, "RPC_E_SERVER_DIED_DNE", "the audio service ended during the call"},
    {0x800401FDu, "CO_E_OBJNOTCONNECTED", "the audio service's object is disconnected"},
    {0x88890001u, "AUDCLNT_E_NOT_INITIALIZED", "the audio stream is not initialised"},
    {0x88890002u, "AUDCLNT_E_ALREADY_INITIALIZED", "the audio stream is already initialised"},
    {0x88890003u, "AUDCLNT_E_WRONG_ENDPOINT_TYPE", "the call does not fit this kind of device"},
    {0x88890004u, "AUDCLNT_E_DEVICE_INVALIDATED",
     "the audio device was removed, disabled or reconfigured"},
    {0x88890005u, "AUDCLNT_E_NOT_STOPPED", "the stream is still running"},
    {0x88890006u, "AUDCLNT_E_BUFFER_TOO_LARGE", "the buffer request is too large"},
    {0x88890007u, "AUDCLNT_E_OUT_OF_ORDER", "buffer calls out of order"},
    {0x88890008u, "AUDCLNT_E_UNSUPPORTED_FORMAT", "the audio engine does not support this format"},
    {0x88890009u, "AUDCLNT_E_INVALID_SIZE", "invalid buffer size"},
    {0x8889000Au, "AUDCLNT_E_DEVICE_IN_USE", "the device is in use in exclusive mode"},
    {0x8889000Bu, "AUDCLNT_E_BUFFER_OPERATION_PENDING", "a buffer operation is pending"},
    {0x8889000Cu, "AUDCLNT_E_THREAD_NOT_REGISTERED", "the thread is not registered"},
    {0x8889000Eu, "AUDCLNT_E_EXCLUSIVE_MODE_NOT_ALLOWED", "exclusive mode is not allowed"},
    {0x8889000Fu, "AUDCLNT_E_ENDPOINT_CREATE_FAILED", "the audio endpoint could not be created"},
    {0x88890010u, "AUDCLNT_E_SERVICE_NOT_RUNNING", "the Windows Audio service is not running"},
    {0x88890011u, "AUDCLNT_E_EVENTHANDLE_NOT_EXPECTED", "an event handle was not expected"},
    {0x88890014u, "AUDCLNT_E_EVENTHANDLE_NOT_SET", "the event handle was not set"},
    {0x88890019u, "AUDCLNT_E_BUFFER_SIZE_NOT_ALIGNED", "the buffer size is not aligned"},
    {0x88890021u, "AUDCLNT_E_INVALID_STREAM_FLAG", "a stream flag is not valid here"},
    {0x88890026u, "AUDCLNT_E_RESOURCES_INVALIDATED", "the stream's resources were invalidated"},
};

const KnownResult *find_known(HRESULT hr) {
    for (const auto &k : kKnown)
        if (k.hr == static_cast<uint32_t>(hr))
            return &k;
    return nullptr;
}

// The system's own text for HRESULTs not in the table.
std::string system_message(HRESULT hr) {
    wchar_t *buffer = nullptr;
    const DWORD n = FormatMessageW(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
        nullptr, static_cast<DWORD>(hr), 0, reinterpret_cast<LPWSTR>(&buffer), 0, nullptr);
    std::string text = n ? utf8(buffer) : std::string();
    if (buffer)
        LocalFree(buffer); // FormatMessage's buffer is LocalAlloc'd
    while (!text.empty() &&
           (text.back() == '\n' || text.back() == '\r' || text.back() == '.' || text.back() == ' '))
        text.pop_back();
    return text.empty() ? "unknown error" : text;
}

} // namespace

std::string hresult_text(HRESULT hr) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08lX",
                  static_cast<unsigned long>(static_cast<uint32_t>(hr)));
    if (const KnownResult *k = find_known(hr))
        return std::string(hex) + " " + k->name + " (" + k->meaning + ")";
    return std::string(hex) + " (" + system_message(hr) + ")";
}

std::string call_failed(const std::string &call, HRESULT hr) {
    return call + " failed: HRESULT " + hresult_text(hr);
}

bool audio_service_gone(HRESULT hr) {
    switch (static_cast<uint32_t>(hr)) {
    case 0x88890010u: // AUDCLNT_E_SERVICE_NOT_RUNNING
    case 0x800706BAu: // RPC_S_SERVER_UNAVAILABLE
    case 0x800706BEu: // RPC_S_CALL_FAILED
    case 0x80010108u: // RPC_E_DISCONNECTED
    case 0x80010007u: // RPC_E_SERVER_DIED
    case 0x80010012u: // RPC_E_SERVER_DIED_DNE
    case 0x800401FDu: // CO_E_OBJNOTCONNECTED
        return true;
    default:
        return false;
    }
}

ErrorCode error_code_for(HRESULT hr) {
    if (audio_service_gone(hr))
        return ErrorCode::ServerUnavailable;
    switch (static_cast<uint32_t>(hr)) {
    case 0x88890004u: // AUDCLNT_E_DEVICE_INVALIDATED
    case 0x80070490u: // E_NOTFOUND: no such endpoint
        return ErrorCode::ServerUnavailable;
    case 0x80004001u: // E_NOTIMPL
    case 0x80040154u: // REGDB_E_CLASSNOTREG
        return ErrorCode::Unsupported;
    default:
        return ErrorCode::BackendFailure;
    }
}

bool stream_invalidated(HRESULT hr) {
    return hr == AUDCLNT_E_DEVICE_INVALIDATED || hr == AUDCLNT_E_RESOURCES_INVALIDATED;
}

std::string advice_for(HRESULT hr) {
    switch (static_cast<uint32_t>(hr)) {
    case 0x80004001u:
        return "PyPAC needs Windows 10 version 2004 or later (Wine implements only part of "
               "WASAPI)";
    case 0x88890010u:
    case 0x800706BAu:
    case 0x800706BEu:
    case 0x80010108u:
    case 0x80010007u:
    case 0x80010012u:
    case 0x800401FDu:
        return "start the Windows Audio service (services.msc, \"Windows Audio\"); PyPAC "
               "reconnects by itself";
    case 0x80070490u:
        return "connect or enable an output device in Settings > System > Sound";
    case 0x88890004u:
        return "the device went away; open the capture again on the current device";
    case 0x80070005u:
        return "Windows refused access: check Settings > Privacy > Microphone (loopback "
               "capture needs it) and that the target is not a protected process";
    case 0x88890008u:
        return "ask for float32 at a common rate (48000 or 44100 Hz) and 1 to 8 channels";
    case 0x80010106u:
        return "this is a PyPAC bug: COM calls must run on PyPAC's own MTA thread";
    default:
        return {};
    }
}

EngineError hresult_error(const std::string &call, HRESULT hr, const std::string &advice) {
    const std::string hint = advice.empty() ? advice_for(hr) : advice;
    return EngineError(error_code_for(hr),
                       call_failed(call, hr) + (hint.empty() ? "" : ". " + hint));
}

} // namespace pypac::wasapi
