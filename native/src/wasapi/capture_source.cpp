#include "capture_source.hpp"

#include "hresult.hpp"

namespace pypac::wasapi {

namespace {

// KSDATAFORMAT_SUBTYPE_IEEE_FLOAT, spelled out so that no import library
// (ksuser) is needed for one GUID.
constexpr GUID kSubtypeFloat = {
    0x00000003, 0x0000, 0x0010, {0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71}};

// Speaker positions for 1-8 channels, in WAVEFORMATEXTENSIBLE's bit order
// (FL FR FC LFE BL BR .. SL SR). A mask of 0 would leave the mapping to the
// audio engine, which then may drop or mix channels: every count gets the
// layout users expect (odd counts are the next even layout without LFE).
DWORD channel_mask(uint32_t channels) {
    switch (channels) {
    case 1:
        return 0x4; // front centre
    case 2:
        return 0x3; // front left, front right
    case 3:
        return 0x7; // 3.0: FL FR FC
    case 4:
        return 0x33; // quad: FL FR BL BR
    case 5:
        return 0x37; // 5.0: FL FR FC BL BR
    case 6:
        return 0x3F; // 5.1: FL FR FC LFE BL BR
    case 7:
        return 0x637; // 7.0: FL FR FC BL BR SL SR
    case 8:
        return 0x63F; // 7.1: FL FR FC LFE BL BR SL SR
    default:
        throw EngineError(ErrorCode::InvalidArgument,
                          "WASAPI captures 1 to 8 channels, not " + std::to_string(channels));
    }
}

const wchar_t *flow_name(EDataFlow flow) { return flow == eRender ? L"render" : L"capture"; }

// Completes the process-loopback activation on a COM thread-pool thread.
// Agile (IAgileObject): COM calls it directly on any thread instead of
// marshalling into the apartment that started the activation, so no STA has
// to pump messages for it. It owns the activation parameters: the PROPVARIANT
// handed to ActivateAudioInterfaceAsync is a VT_BLOB pointing INTO this
// object, which lives until the activation has called us back (the async
// operation holds a reference), even when the waiter gave up. That variant is
// never PropVariantClear'ed: clearing would CoTaskMemFree our memory (an earlier
// version of this code did, and crashed with 0xc0000374 heap corruption on 24H2).
class ActivationHandler final
    : public ComObject<ActivationHandler, IActivateAudioInterfaceCompletionHandler, IAgileObject> {
  public:
    ActivationHandler(DWORD pid, PROCESS_LOOPBACK_MODE mode)
        : done_(CreateEventW(nullptr, TRUE, FALSE, nullptr)) {
        params_.ActivationType = AUDIOCLIENT_ACTIVATION_TYPE_PROCESS_LOOPBACK;
        params_.ProcessLoopbackParams.TargetProcessId = pid;
        params_.ProcessLoopbackParams.ProcessLoopbackMode = mode;
        PropVariantInit(&variant_);
        variant_.vt = VT_BLOB;
        variant_.blob.cbSize = sizeof(params_);
        variant_.blob.pBlobData = reinterpret_cast<BYTE *>(&params_);
    }

    // COM thread-pool thread (MTA), once. Stores the outcome, then wakes the waiter.
    HRESULT STDMETHODCALLTYPE
    ActivateCompleted(IActivateAudioInterfaceAsyncOperation *op) override {
        HRESULT activated = E_UNEXPECTED;
        ComPtr<IUnknown> object;
        get_result_hr_ = op ? op->GetActivateResult(&activated, object.put()) : E_POINTER;
        activate_hr_ = activated;
        object_ = object;
        SetEvent(done_.get()); // a full barrier: the fields above are visible to the waiter
        return S_OK;
    }

    PROPVARIANT *variant() { return &variant_; }
    HANDLE done() const { return done_.get(); }
    HRESULT get_result_hr() const { return get_result_hr_; }
    HRESULT activate_hr() const { return activate_hr_; }
    const ComPtr<IUnknown> &object() const { return object_; }

  private:
    friend class ComObject<ActivationHandler, IActivateAudioInterfaceCompletionHandler,
                           IAgileObject>;
    ~ActivationHandler() = default; // only Release() deletes

    AUDIOCLIENT_ACTIVATION_PARAMS params_{};
    PROPVARIANT variant_;
    UniqueHandle done_;
    HRESULT get_result_hr_ = E_PENDING;
    HRESULT activate_hr_ = E_PENDING;
    ComPtr<IUnknown> object_;
};

} // namespace

CaptureSource CaptureSource::process(DWORD pid, PROCESS_LOOPBACK_MODE mode) {
    CaptureSource s;
    s.kind = Kind::ProcessLoopback;
    s.process_id = pid;
    s.mode = mode;
    s.watch_pid = mode == PROCESS_LOOPBACK_MODE_INCLUDE_TARGET_PROCESS_TREE ? pid : 0;
    return s;
}

CaptureSource CaptureSource::render_endpoint(std::wstring id) {
    CaptureSource s;
    s.kind = Kind::EndpointLoopback;
    s.endpoint_id = std::move(id);
    return s;
}

CaptureSource CaptureSource::capture_endpoint(std::wstring id) {
    CaptureSource s;
    s.kind = Kind::CaptureEndpoint;
    s.endpoint_id = std::move(id);
    return s;
}

std::string CaptureSource::describe() const {
    switch (kind) {
    case Kind::ProcessLoopback:
        return "process loopback of pid " + std::to_string(process_id) +
               (mode == PROCESS_LOOPBACK_MODE_INCLUDE_TARGET_PROCESS_TREE
                    ? " and its child processes"
                    : " excluded (everything else the system plays)");
    case Kind::EndpointLoopback:
        return "loopback of " + (endpoint_id.empty() ? std::string("the default render endpoint")
                                                     : "render endpoint " + utf8(endpoint_id));
    case Kind::CaptureEndpoint:
    default:
        return endpoint_id.empty() ? std::string("default capture endpoint")
                                   : "capture endpoint " + utf8(endpoint_id);
    }
}

WAVEFORMATEXTENSIBLE float_format(const CaptureFormat &format) {
    WAVEFORMATEXTENSIBLE f{};
    f.Format.wFormatTag = WAVE_FORMAT_EXTENSIBLE;
    f.Format.nChannels = static_cast<WORD>(format.channels);
    f.Format.nSamplesPerSec = format.sample_rate;
    f.Format.wBitsPerSample = 32;
    f.Format.nBlockAlign = static_cast<WORD>(4 * format.channels);
    f.Format.nAvgBytesPerSec = format.sample_rate * f.Format.nBlockAlign;
    f.Format.cbSize = sizeof(WAVEFORMATEXTENSIBLE) - sizeof(WAVEFORMATEX);
    f.Samples.wValidBitsPerSample = 32;
    f.dwChannelMask = channel_mask(format.channels);
    f.SubFormat = kSubtypeFloat;
    return f;
}

DWORD stream_flags(const CaptureSource &source, bool autoconvert) {
    DWORD flags = AUDCLNT_STREAMFLAGS_EVENTCALLBACK;
    if (source.kind != CaptureSource::Kind::CaptureEndpoint)
        flags |= AUDCLNT_STREAMFLAGS_LOOPBACK;
    if (!autoconvert)
        return flags;
    // AUTOCONVERTPCM: the audio engine converts to our format (rate and
    // channels included), so buffers are always what float_format() says.
    flags |= AUDCLNT_STREAMFLAGS_AUTOCONVERTPCM;
    // Endpoints also get the better resampler; the process-loopback client
    // takes no more than LOOPBACK | EVENTCALLBACK | AUTOCONVERTPCM.
    if (source.kind != CaptureSource::Kind::ProcessLoopback)
        flags |= AUDCLNT_STREAMFLAGS_SRC_DEFAULT_QUALITY;
    return flags;
}

bool retry_without_autoconvert(const CaptureSource &source, HRESULT hr) {
    return source.kind == CaptureSource::Kind::ProcessLoopback &&
           (hr == E_INVALIDARG || hr == AUDCLNT_E_INVALID_STREAM_FLAG);
}

ComPtr<IMMDevice> endpoint_device(EDataFlow flow, const std::wstring &id) {
    ComPtr<IMMDeviceEnumerator> devices;
    HRESULT hr = CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL,
                                  __uuidof(IMMDeviceEnumerator), devices.put_void());
    if (FAILED(hr))
        throw hresult_error("CoCreateInstance(MMDeviceEnumerator)", hr);
    ComPtr<IMMDevice> device;
    if (id.empty()) {
        hr = devices->GetDefaultAudioEndpoint(flow, eConsole, device.put());
        if (FAILED(hr))
            throw hresult_error(
                "IMMDeviceEnumerator::GetDefaultAudioEndpoint(" + utf8(flow_name(flow)) + ")", hr,
                std::string("this machine has no active ") + utf8(flow_name(flow)) +
                    " device: connect or enable one in the Sound settings");
    } else {
        hr = devices->GetDevice(id.c_str(), device.put());
        if (FAILED(hr))
            throw hresult_error("IMMDeviceEnumerator::GetDevice(" + utf8(id) + ")", hr);
    }
    return device;
}

ComPtr<IAudioClient> activate_client(const CaptureSource &source) {
    if (source.kind == CaptureSource::Kind::ProcessLoopback)
        return activate_process_loopback(source.process_id, source.mode,
                                         std::chrono::milliseconds(5000));
    const EDataFlow flow =
        source.kind == CaptureSource::Kind::EndpointLoopback ? eRender : eCapture;
    ComPtr<IMMDevice> device = endpoint_device(flow, source.endpoint_id);
    ComPtr<IAudioClient> client;
    const HRESULT hr =
        device->Activate(__uuidof(IAudioClient), CLSCTX_ALL, nullptr, client.put_void());
    if (FAILED(hr))
        throw hresult_error("IMMDevice::Activate(IAudioClient) for the " + source.describe(), hr);
    return client;
}

ComPtr<IAudioClient> activate_process_loopback(DWORD pid, PROCESS_LOOPBACK_MODE mode,
                                               std::chrono::milliseconds timeout) {
    const std::string what =
        "pid " + std::to_string(pid) +
        (mode == PROCESS_LOOPBACK_MODE_INCLUDE_TARGET_PROCESS_TREE ? ", process tree included"
                                                                   : ", process tree excluded");
    auto handler = ComPtr<ActivationHandler>::adopt(new ActivationHandler(pid, mode));
    if (!handler->done())
        throw EngineError(ErrorCode::BackendFailure,
                          "CreateEventW() failed with error " + std::to_string(GetLastError()));
    ComPtr<IActivateAudioInterfaceAsyncOperation> operation;
    // The call's own HRESULT says whether the activation could START...
    const HRESULT call_hr =
        ActivateAudioInterfaceAsync(VIRTUAL_AUDIO_DEVICE_PROCESS_LOOPBACK, __uuidof(IAudioClient),
                                    handler->variant(), handler.get(), operation.put());
    if (FAILED(call_hr))
        throw hresult_error("ActivateAudioInterfaceAsync(VAD\\Process_Loopback, " + what + ")",
                            call_hr);
    const DWORD waited = WaitForSingleObject(handler->done(), static_cast<DWORD>(timeout.count()));
    if (waited != WAIT_OBJECT_0)
        throw EngineError(ErrorCode::BackendFailure,
                          "ActivateAudioInterfaceAsync(VAD\\Process_Loopback, " + what +
                              ") did not complete within " + std::to_string(timeout.count()) +
                              " ms; the audio service may be busy or hung: try again");
    if (FAILED(handler->get_result_hr()))
        throw hresult_error("IActivateAudioInterfaceAsyncOperation::GetActivateResult()",
                            handler->get_result_hr());
    // ...and the activation result, delivered to the handler, whether it WORKED.
    if (FAILED(handler->activate_hr()))
        throw hresult_error("process-loopback activation (" + what +
                                ", result of ActivateAudioInterfaceAsync)",
                            handler->activate_hr(),
                            "per-application capture needs Windows 10 version 2004 (build "
                            "19041) or later; Wine does not implement it");
    ComPtr<IAudioClient> client;
    const HRESULT hr = handler->object().query(client);
    if (FAILED(hr) || !client)
        throw hresult_error("QueryInterface(IAudioClient) on the process-loopback client",
                            FAILED(hr) ? hr : E_NOINTERFACE);
    return client;
}

} // namespace pypac::wasapi
