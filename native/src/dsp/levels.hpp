// Level measurements on interleaved float32 blocks. Real-time safe.
#pragma once

#include <cmath>
#include <cstddef>

namespace pypac::dsp {

// Largest absolute sample of the block (all channels).
inline float block_peak(const float *samples, size_t count) noexcept {
    float peak = 0.0f;
    for (size_t i = 0; i < count; ++i) {
        const float a = std::fabs(samples[i]);
        peak = a > peak ? a : peak;
    }
    return peak;
}

} // namespace pypac::dsp
