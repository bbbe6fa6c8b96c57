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

// Root mean square of the block (all channels together).
inline float block_rms(const float *samples, size_t count) noexcept {
    if (count == 0)
        return 0.0f;
    double sum = 0.0;
    for (size_t i = 0; i < count; ++i)
        sum += static_cast<double>(samples[i]) * samples[i];
    return static_cast<float>(std::sqrt(sum / static_cast<double>(count)));
}

} // namespace pypac::dsp
