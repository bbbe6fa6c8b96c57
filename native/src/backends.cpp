// The backend registry: one line per backend; CMake defines which are built.
#include "pypac/backend.hpp"

#if defined(PYPAC_HAVE_WASAPI)
#include "wasapi/wasapi_backend.hpp"
#endif
#if defined(PYPAC_HAVE_PULSE)
#include "pulse/pulse_backend.hpp"
#endif

namespace pypac {

std::unique_ptr<Backend> make_platform_backend(const std::string &server) {
#if defined(PYPAC_HAVE_WASAPI)
    (void)server;
    return std::make_unique<wasapi::WasapiBackend>();
#elif defined(PYPAC_HAVE_PULSE)
    return std::make_unique<pulse::PulseBackend>(server);
#else
    (void)server;
    throw EngineError(ErrorCode::Unsupported,
                      "this build of PyPAC has no audio backend for this platform");
#endif
}

} // namespace pypac
