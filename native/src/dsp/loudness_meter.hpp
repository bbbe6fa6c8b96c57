// Loudness as broadcast measures it (EBU R128 / ITU-R BS.1770-4), over libebur128.
// Not for the audio thread: libebur128 allocates (the integrated gating blocks grow with the
// running time), so consumers feed it from the frames they already read on their own threads
// (the recorder's writer, the mixer's worker). Thread-safe: one thread may add() while another
// reads the values.
#pragma once

#include <ebur128.h>

#include <cstddef>
#include <memory>
#include <mutex>

namespace pypac::dsp {

class LoudnessMeter {
  public:
    // Throws EngineError(InvalidArgument) for a sample rate or channel count out of range.
    // Momentary and short-term loudness are always measured. integrated: keeps every 100 ms
    // gating block (memory grows by ~1 MB an hour), for recordings; true_peak: 4x oversampling
    // (most of the cost). A live readout wants neither (the mixer's strips).
    LoudnessMeter(unsigned sample_rate, unsigned channels, bool integrated = true,
                  bool true_peak = true);

    // Interleaved float frames (channels() samples each), full scale +-1.0.
    void add(const float *interleaved, size_t frames);

    // LUFS (and dBTP); -infinity while there is nothing to measure (no audio yet, silence,
    // or everything below the -70 LUFS absolute gate).
    double momentary_lufs() const;  // the last 400 ms
    double short_term_lufs() const; // the last 3 s
    double integrated_lufs() const; // everything since construction or reset(), gated
    double true_peak_dbtp() const;  // the largest 4x-oversampled peak of any channel so far
    // (both throw EngineError(InvalidArgument) on a meter made without them)

    // Forgets everything measured (a new state; same rate and channels).
    void reset();

    unsigned sample_rate() const noexcept { return sample_rate_; }
    unsigned channels() const noexcept { return channels_; }

    static constexpr unsigned min_sample_rate = 8000;
    static constexpr unsigned max_sample_rate = 384000;
    static constexpr unsigned max_channels = 64;

  private:
    struct StateDeleter {
        void operator()(ebur128_state *state) const noexcept { ebur128_destroy(&state); }
    };
    using State = std::unique_ptr<ebur128_state, StateDeleter>;

    State make_state() const;
    // One of libebur128's loudness readers, under the lock; -inf for "nothing to measure".
    double read(int (*measure)(ebur128_state *, double *), const char *call) const;
    void require(int mode, const char *value, const char *flag) const;

    unsigned sample_rate_;
    unsigned channels_;
    int mode_;
    mutable std::mutex mutex_; // add() and the readers may run on different threads
    State state_;
};

} // namespace pypac::dsp
