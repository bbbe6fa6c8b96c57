#include "dsp/loudness_meter.hpp"

#include "pypac/types.hpp"

#include <cmath>
#include <limits>
#include <string>

namespace pypac::dsp {

namespace {

constexpr double minus_infinity = -std::numeric_limits<double>::infinity();

// libebur128 reports "nothing to measure" as -HUGE_VAL; anything not finite reads -inf.
double finite_or_minus_inf(double value) { return std::isfinite(value) ? value : minus_infinity; }

[[noreturn]] void fail(const char *call, int code) {
    const char *what = code == EBUR128_ERROR_NOMEM                   ? "out of memory"
                       : code == EBUR128_ERROR_INVALID_MODE          ? "invalid mode"
                       : code == EBUR128_ERROR_INVALID_CHANNEL_INDEX ? "invalid channel index"
                                                                     : "error";
    throw EngineError(ErrorCode::BackendFailure, std::string(call) + "() failed: " + what +
                                                     " (code " + std::to_string(code) + ")");
}

} // namespace

LoudnessMeter::LoudnessMeter(unsigned sample_rate, unsigned channels, bool integrated,
                             bool true_peak)
    : sample_rate_(sample_rate), channels_(channels),
      mode_(EBUR128_MODE_S | (integrated ? EBUR128_MODE_I : 0) |
            (true_peak ? EBUR128_MODE_TRUE_PEAK : 0)) {
    if (sample_rate < min_sample_rate || sample_rate > max_sample_rate)
        throw EngineError(ErrorCode::InvalidArgument,
                          "LoudnessMeter: sample_rate " + std::to_string(sample_rate) +
                              " is out of range (" + std::to_string(min_sample_rate) + ".." +
                              std::to_string(max_sample_rate) + " Hz)");
    if (channels < 1 || channels > max_channels)
        throw EngineError(ErrorCode::InvalidArgument,
                          "LoudnessMeter: channels " + std::to_string(channels) +
                              " is out of range (1.." + std::to_string(max_channels) + ")");
    state_ = make_state();
}

LoudnessMeter::State LoudnessMeter::make_state() const {
    State state(ebur128_init(channels_, sample_rate_, mode_));
    if (!state)
        throw EngineError(ErrorCode::BackendFailure, "ebur128_init() failed: out of memory (" +
                                                         std::to_string(channels_) + " channels, " +
                                                         std::to_string(sample_rate_) + " Hz)");
    // 5.1 in the usual order (L R C LFE Ls Rs): BS.1770 leaves the LFE channel out, where
    // libebur128's default map would weigh channel 3 as a surround.
    if (channels_ == 6) {
        const int map[6] = {EBUR128_LEFT,   EBUR128_RIGHT,         EBUR128_CENTER,
                            EBUR128_UNUSED, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND};
        for (unsigned ch = 0; ch < 6; ++ch)
            if (int rc = ebur128_set_channel(state.get(), ch, map[ch]); rc != EBUR128_SUCCESS)
                fail("ebur128_set_channel", rc);
    }
    return state;
}

void LoudnessMeter::add(const float *interleaved, size_t frames) {
    if (frames == 0)
        return;
    std::lock_guard lock(mutex_);
    if (int rc = ebur128_add_frames_float(state_.get(), interleaved, frames); rc != EBUR128_SUCCESS)
        fail("ebur128_add_frames_float", rc);
}

void LoudnessMeter::require(int mode, const char *value, const char *flag) const {
    if ((mode_ & mode) != mode)
        throw EngineError(ErrorCode::InvalidArgument,
                          std::string("LoudnessMeter.") + value + ": this meter was made with " +
                              flag + "=False; make it with " + flag + "=True to measure it");
}

double LoudnessMeter::read(int (*measure)(ebur128_state *, double *), const char *call) const {
    std::lock_guard lock(mutex_);
    double out = minus_infinity;
    if (int rc = measure(state_.get(), &out); rc != EBUR128_SUCCESS)
        fail(call, rc);
    return finite_or_minus_inf(out);
}

double LoudnessMeter::momentary_lufs() const {
    return read(ebur128_loudness_momentary, "ebur128_loudness_momentary");
}

double LoudnessMeter::short_term_lufs() const {
    return read(ebur128_loudness_shortterm, "ebur128_loudness_shortterm");
}

double LoudnessMeter::integrated_lufs() const {
    require(EBUR128_MODE_I, "integrated_lufs", "integrated");
    return read(ebur128_loudness_global, "ebur128_loudness_global");
}

double LoudnessMeter::true_peak_dbtp() const {
    require(EBUR128_MODE_TRUE_PEAK, "true_peak_dbtp", "true_peak");
    std::lock_guard lock(mutex_);
    double peak = 0.0;
    for (unsigned ch = 0; ch < channels_; ++ch) {
        double out = 0.0;
        if (int rc = ebur128_true_peak(state_.get(), ch, &out); rc != EBUR128_SUCCESS)
            fail("ebur128_true_peak", rc);
        peak = out > peak ? out : peak;
    }
    return peak > 0.0 ? 20.0 * std::log10(peak) : minus_infinity;
}

void LoudnessMeter::reset() {
    State fresh = make_state(); // allocate outside the lock; readers keep the old state meanwhile
    std::lock_guard lock(mutex_);
    state_.swap(fresh);
}

} // namespace pypac::dsp
