// LoudnessMeter: the reference figures of EBU Tech 3341 cases 1-2 on generated sines, -inf
// before any audio, reset() forgets, a stereo meter's true peak, clear errors for bad input,
// a 5.1 meter leaves the LFE channel out, and add() from one thread while another reads.
#include "check.hpp"
#include "dsp/loudness_meter.hpp"
#include "pypac/types.hpp"

#include <cmath>
#include <thread>
#include <vector>

using pypac::dsp::LoudnessMeter;

namespace {

constexpr double pi = 3.14159265358979323846;

// Interleaved sine at `dbfs` (peak) on the channels `on` selects, silence on the others.
std::vector<float> sine(double freq, double dbfs, unsigned rate, unsigned channels, double seconds,
                        std::vector<bool> on = {}) {
    const size_t frames = static_cast<size_t>(seconds * rate);
    const double amp = std::pow(10.0, dbfs / 20.0);
    std::vector<float> out(frames * channels);
    for (size_t i = 0; i < frames; ++i) {
        const float v = static_cast<float>(amp * std::sin(2.0 * pi * freq * double(i) / rate));
        for (unsigned ch = 0; ch < channels; ++ch)
            out[i * channels + ch] = (on.empty() || on[ch]) ? v : 0.0f;
    }
    return out;
}

// Feeds in 10 ms blocks, as the recorder's writer and the mixer's worker do.
void feed(LoudnessMeter &m, const std::vector<float> &samples) {
    const size_t block = m.sample_rate() / 100;
    const size_t frames = samples.size() / m.channels();
    for (size_t at = 0; at < frames; at += block)
        m.add(samples.data() + at * m.channels(), std::min(block, frames - at));
}

bool near(double a, double b, double tol) { return std::fabs(a - b) <= tol; }

void test_tech3341_cases() {
    for (double level : {-20.0, -23.0, -33.0}) {
        LoudnessMeter m(48000, 2);
        feed(m, sine(level == -20.0 ? 997.0 : 1000.0, level, 48000, 2, 20.0));
        CHECK(near(m.integrated_lufs(), level, 0.1));
        CHECK(near(m.short_term_lufs(), level, 0.1));
        CHECK(near(m.momentary_lufs(), level, 0.1));
        CHECK(near(m.true_peak_dbtp(), level, 0.2));
    }
}

void test_minus_infinity_before_audio_and_after_reset() {
    LoudnessMeter m(44100, 2);
    CHECK(std::isinf(m.integrated_lufs()) && m.integrated_lufs() < 0);
    CHECK(std::isinf(m.short_term_lufs()) && m.short_term_lufs() < 0);
    CHECK(std::isinf(m.true_peak_dbtp()) && m.true_peak_dbtp() < 0);
    feed(m, sine(997.0, -20.0, 44100, 2, 3.0));
    CHECK(near(m.integrated_lufs(), -20.0, 0.1));
    m.reset();
    CHECK(std::isinf(m.integrated_lufs()) && m.integrated_lufs() < 0);
    CHECK(std::isinf(m.true_peak_dbtp()));
    feed(m, sine(997.0, -30.0, 44100, 2, 3.0));
    CHECK(near(m.integrated_lufs(), -30.0, 0.1));
}

void test_silence_reads_minus_infinity() {
    LoudnessMeter m(48000, 1);
    feed(m, std::vector<float>(48000 * 2, 0.0f));
    CHECK(std::isinf(m.integrated_lufs()));
    CHECK(std::isinf(m.momentary_lufs()));
}

void test_true_peak_is_the_loudest_channel() {
    LoudnessMeter m(48000, 2);
    auto left = sine(997.0, -6.0, 48000, 2, 1.0, {true, false});
    feed(m, left);
    CHECK(near(m.true_peak_dbtp(), -6.0, 0.2));
    // one channel of two: 3 dB below the same sine on both
    CHECK(near(m.integrated_lufs(), -6.0 - 3.01, 0.1));
}

void test_short_term_only_meter() {
    LoudnessMeter full(48000, 2), light(48000, 2, false, false);
    auto s = sine(997.0, -20.0, 48000, 2, 5.0);
    feed(full, s);
    feed(light, s);
    CHECK(near(light.short_term_lufs(), full.short_term_lufs(), 1e-9));
    CHECK(near(light.momentary_lufs(), full.momentary_lufs(), 1e-9));
    auto refused = [&](double (LoudnessMeter::*value)() const) {
        try {
            (light.*value)();
        } catch (const pypac::EngineError &e) {
            return e.code() == pypac::ErrorCode::InvalidArgument;
        }
        return false;
    };
    CHECK(refused(&LoudnessMeter::integrated_lufs));
    CHECK(refused(&LoudnessMeter::true_peak_dbtp));
}

void test_five_one_leaves_out_lfe() {
    LoudnessMeter m(48000, 6);
    // a tone on the LFE channel only (index 3) does not count
    feed(m, sine(60.0, -10.0, 48000, 6, 3.0, {false, false, false, true, false, false}));
    CHECK(std::isinf(m.integrated_lufs()));
    CHECK(near(m.true_peak_dbtp(), -10.0, 0.3)); // but its peak does
}

void test_bad_arguments_are_clear() {
    auto invalid = [](unsigned rate, unsigned channels) {
        try {
            LoudnessMeter m(rate, channels);
        } catch (const pypac::EngineError &e) {
            return e.code() == pypac::ErrorCode::InvalidArgument;
        }
        return false;
    };
    CHECK(invalid(0, 2));
    CHECK(invalid(48000, 0));
    CHECK(invalid(48000, 65));
    CHECK(invalid(1000000, 2));
}

void test_add_and_read_on_two_threads() {
    LoudnessMeter m(48000, 2);
    auto s = sine(997.0, -20.0, 48000, 2, 10.0);
    std::thread writer([&] { feed(m, s); });
    double last = 0.0;
    for (int i = 0; i < 2000; ++i)
        last = m.short_term_lufs() + m.integrated_lufs() + m.true_peak_dbtp();
    (void)last;
    writer.join();
    CHECK(near(m.integrated_lufs(), -20.0, 0.1));
}

} // namespace

int main() {
    test_tech3341_cases();
    test_minus_infinity_before_audio_and_after_reset();
    test_silence_reads_minus_infinity();
    test_true_peak_is_the_loudest_channel();
    test_short_term_only_meter();
    test_five_one_leaves_out_lfe();
    test_bad_arguments_are_clear();
    test_add_and_read_on_two_threads();
    return pypac_test::finish("test_loudness_meter");
}
