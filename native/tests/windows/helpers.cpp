// Helper modes of the test program: a tone player (an app for the loopback
// checks to capture), a sleeper (a process to watch exit), a parent that
// leaves its child behind, and the endpoint list.
#include "check_harness.hpp"

#include "wasapi/capture_source.hpp"
#include "wasapi/hresult.hpp"

#include <cmath>
#include <cstdio>

using namespace pypac;
using namespace pypac::wasapi;

namespace pypac_check {

namespace {

void list_flow(const ComPtr<IMMDeviceEnumerator> &devices, EDataFlow flow, UINT *count) {
    ComPtr<IMMDeviceCollection> list;
    *count = 0;
    if (FAILED(devices->EnumAudioEndpoints(flow, DEVICE_STATE_ACTIVE, list.put())))
        return;
    list->GetCount(count);
    for (UINT i = 0; i < *count; ++i) {
        ComPtr<IMMDevice> device;
        CoTaskString id;
        if (SUCCEEDED(list->Item(i, device.put())) && SUCCEEDED(device->GetId(id.put())))
            std::printf("%s endpoint: %s\n", flow == eRender ? "render" : "capture",
                        utf8(id.get()).c_str());
    }
}

} // namespace

int helper_list_endpoints() {
    ComApartment com;
    ComPtr<IMMDeviceEnumerator> devices;
    const HRESULT hr = CoCreateInstance(__uuidof(MMDeviceEnumerator), nullptr, CLSCTX_ALL,
                                        __uuidof(IMMDeviceEnumerator), devices.put_void());
    if (FAILED(hr)) {
        std::printf("no audio: %s\n",
                    call_failed("CoCreateInstance(MMDeviceEnumerator)", hr).c_str());
        return 3;
    }
    UINT render = 0, capture = 0;
    list_flow(devices, eRender, &render);
    list_flow(devices, eCapture, &capture);
    std::printf("%u render, %u capture endpoint(s)\n", render, capture);
    return render > 0 ? 0 : 3;
}

// Plays a sine on the default render endpoint, event driven, for `seconds`.
int helper_play_tone(double seconds, double freq) {
    ComApartment com;
    try {
        const CaptureFormat f{48000, 2};
        ComPtr<IMMDevice> device = endpoint_device(eRender, L"");
        ComPtr<IAudioClient> client;
        HRESULT hr =
            device->Activate(__uuidof(IAudioClient), CLSCTX_ALL, nullptr, client.put_void());
        WAVEFORMATEXTENSIBLE wf = float_format(f);
        if (SUCCEEDED(hr))
            hr = client->Initialize(AUDCLNT_SHAREMODE_SHARED,
                                    AUDCLNT_STREAMFLAGS_EVENTCALLBACK |
                                        AUDCLNT_STREAMFLAGS_AUTOCONVERTPCM |
                                        AUDCLNT_STREAMFLAGS_SRC_DEFAULT_QUALITY,
                                    2000000, 0, &wf.Format, nullptr);
        UniqueHandle ready(CreateEventW(nullptr, FALSE, FALSE, nullptr));
        ComPtr<IAudioRenderClient> render;
        UINT32 size = 0;
        if (SUCCEEDED(hr))
            hr = client->SetEventHandle(ready.get());
        if (SUCCEEDED(hr))
            hr = client->GetBufferSize(&size);
        if (SUCCEEDED(hr))
            hr = client->GetService(__uuidof(IAudioRenderClient), render.put_void());
        if (SUCCEEDED(hr))
            hr = client->Start();
        if (FAILED(hr)) {
            std::fprintf(stderr, "play-tone: %s\n",
                         call_failed("render stream set-up", hr).c_str());
            return 1;
        }
        const double step = 2.0 * 3.14159265358979323846 * freq / f.sample_rate;
        double phase = 0;
        const auto total = static_cast<uint64_t>(seconds * f.sample_rate);
        for (uint64_t played = 0; played < total;) {
            WaitForSingleObject(ready.get(), 100);
            UINT32 padding = 0;
            if (FAILED(client->GetCurrentPadding(&padding)))
                return 1;
            const UINT32 room = size - padding;
            BYTE *data = nullptr;
            if (room == 0 || FAILED(render->GetBuffer(room, &data)))
                continue;
            auto *out = reinterpret_cast<float *>(data);
            for (UINT32 i = 0; i < room; ++i, phase += step) {
                const auto v = static_cast<float>(0.5 * std::sin(phase));
                out[2 * i] = v;
                out[2 * i + 1] = v;
            }
            render->ReleaseBuffer(room, 0);
            played += room;
        }
        client->Stop();
        return 0;
    } catch (const EngineError &e) {
        std::fprintf(stderr, "play-tone: %s\n", e.what());
        return 1;
    }
}

int helper_spawn_helper(int ms) {
    try {
        Child grandchild = spawn_self("sleep 10000 --type=pypac-grandchild");
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    Sleep(static_cast<DWORD>(ms));
    return 0; // the grandchild runs on, under a parent pid that is gone
}

} // namespace pypac_check
