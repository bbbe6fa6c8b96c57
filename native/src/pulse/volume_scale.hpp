// Volume changes that keep what they do not touch: every channel is scaled by
// one factor, so balance (and the levels of an app's streams to each other)
// stays as the user set it.
#pragma once

#include <pulse/volume.h>

#include <algorithm>
#include <cmath>

namespace pypac::pulse {

// `cv` with the level `loudest` taken to `target` and every channel scaled alike;
// all channels at `target` when `loudest` is silence (no balance to keep).
inline pa_cvolume scaled_to(pa_cvolume cv, pa_volume_t loudest, pa_volume_t target) {
    if (cv.channels == 0) {
        pa_cvolume_set(&cv, 1, target);
    } else if (loudest == PA_VOLUME_MUTED) {
        pa_cvolume_set(&cv, cv.channels, target);
    } else {
        for (unsigned c = 0; c < cv.channels; ++c)
            cv.values[c] = static_cast<pa_volume_t>(std::min<double>(
                PA_VOLUME_MAX, std::round(static_cast<double>(cv.values[c]) * target / loudest)));
    }
    return cv;
}

} // namespace pypac::pulse
