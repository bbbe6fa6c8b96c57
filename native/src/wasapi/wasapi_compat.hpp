// The Windows SDK declarations the WASAPI backend needs, and the few that
// mingw-w64 (headers 10.0) lacks.
//
// Every WASAPI source includes this header instead of the SDK headers, so the
// order of includes (and the macros that windows.h must see first) is decided
// in one place. What mingw lacks is declared here exactly as the Windows SDK
// declares it, and only when the SDK header is absent: an MSVC build uses
// Microsoft's own definitions. The static_asserts pin the layouts the audio
// service reads, so a wrong declaration fails the build instead of the call.
#pragma once

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif

#include <windows.h>

#include <cstddef>

#include <mmreg.h>

#include <audioclient.h>
#include <audiopolicy.h>
#include <endpointvolume.h>
#include <mmdeviceapi.h>
#include <objbase.h>
#include <propidl.h>

// ---- audioclientactivationparams.h (Windows SDK 10.0.20348+) ----------------
// The SDK header declares everything together with the device path macro;
// when the header is missing (mingw-w64), or a partition or version guard
// inside it hid its contents, the macro is undefined and we declare the same.
#if __has_include(<audioclientactivationparams.h>)
#include <audioclientactivationparams.h>
#endif
#ifndef VIRTUAL_AUDIO_DEVICE_PROCESS_LOOPBACK
#define VIRTUAL_AUDIO_DEVICE_PROCESS_LOOPBACK L"VAD\\Process_Loopback"

typedef enum AUDIOCLIENT_ACTIVATION_TYPE {
    AUDIOCLIENT_ACTIVATION_TYPE_DEFAULT = 0,
    AUDIOCLIENT_ACTIVATION_TYPE_PROCESS_LOOPBACK = 1
} AUDIOCLIENT_ACTIVATION_TYPE;

typedef enum PROCESS_LOOPBACK_MODE {
    PROCESS_LOOPBACK_MODE_INCLUDE_TARGET_PROCESS_TREE = 0,
    PROCESS_LOOPBACK_MODE_EXCLUDE_TARGET_PROCESS_TREE = 1
} PROCESS_LOOPBACK_MODE;

typedef struct AUDIOCLIENT_PROCESS_LOOPBACK_PARAMS {
    DWORD TargetProcessId;
    PROCESS_LOOPBACK_MODE ProcessLoopbackMode;
} AUDIOCLIENT_PROCESS_LOOPBACK_PARAMS;

typedef struct AUDIOCLIENT_ACTIVATION_PARAMS {
    AUDIOCLIENT_ACTIVATION_TYPE ActivationType;
    union {
        AUDIOCLIENT_PROCESS_LOOPBACK_PARAMS ProcessLoopbackParams;
    };
} AUDIOCLIENT_ACTIVATION_PARAMS;
#endif

static_assert(sizeof(AUDIOCLIENT_PROCESS_LOOPBACK_PARAMS) == 8,
              "AUDIOCLIENT_PROCESS_LOOPBACK_PARAMS must match the Windows SDK layout");
static_assert(sizeof(AUDIOCLIENT_ACTIVATION_PARAMS) == 12,
              "AUDIOCLIENT_ACTIVATION_PARAMS must match the Windows SDK layout");
static_assert(offsetof(AUDIOCLIENT_ACTIVATION_PARAMS, ProcessLoopbackParams) == 4,
              "the loopback parameters follow the activation type");

// ---- IAudioMeterInformation (endpointvolume.h) ---------------------------------
// mingw-w64 only forward-declares it; MIDL-generated SDK headers define the
// guard below together with the interface.
#ifndef __IAudioMeterInformation_INTERFACE_DEFINED__
#define __IAudioMeterInformation_INTERFACE_DEFINED__
// clang-format off
MIDL_INTERFACE("C02216F6-8C67-4B5B-9D00-D008E73E0064")
IAudioMeterInformation : public IUnknown {
  public:
    virtual HRESULT STDMETHODCALLTYPE GetPeakValue(float *pfPeak) = 0;
    virtual HRESULT STDMETHODCALLTYPE GetMeteringChannelCount(UINT *pnChannelCount) = 0;
    virtual HRESULT STDMETHODCALLTYPE GetChannelsPeakValues(UINT32 u32ChannelCount,
                                                            float *afPeakValues) = 0;
    virtual HRESULT STDMETHODCALLTYPE QueryHardwareSupport(DWORD *pdwHardwareSupportMask) = 0;
};
#ifdef __CRT_UUID_DECL
__CRT_UUID_DECL(IAudioMeterInformation, 0xc02216f6, 0x8c67, 0x4b5b, 0x9d, 0x00, 0xd0, 0x08, 0xe7,
                0x3e, 0x00, 0x64)
#endif
// clang-format on
#endif

// ---- flags newer than some SDKs ------------------------------------------------
#ifndef AUDCLNT_STREAMFLAGS_AUTOCONVERTPCM
#define AUDCLNT_STREAMFLAGS_AUTOCONVERTPCM 0x80000000
#endif
#ifndef AUDCLNT_STREAMFLAGS_SRC_DEFAULT_QUALITY
#define AUDCLNT_STREAMFLAGS_SRC_DEFAULT_QUALITY 0x08000000
#endif
