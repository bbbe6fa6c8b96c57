#include "capture_run.hpp"

#include "pypac/capture_hub.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

using namespace pypac;
using namespace pypac::wasapi;

namespace pypac_check {

Run record(const CaptureSource &source, const CaptureFormat &format, double seconds,
           const During &during) {
    auto hub = std::make_shared<CaptureHub>(CaptureTarget::system(), format);
    CaptureReader reader(hub, format.sample_rate * 4);
    auto capture = std::make_unique<WasapiCapture>(source, format, *hub);
    WasapiCapture &live = *capture;
    capture->start();
    hub->set_stream(std::move(capture));
    Run run;
    run.warnings = live.warnings();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<float> block(4096 * format.channels);
    uint64_t total = 0, packets_seen = 0;
    double last_packet_at = 0;
    for (double t = 0; t < seconds; t = seconds_since(t0)) {
        const size_t n = reader.read(block.data(), 4096, 0.1);
        total += n;
        for (size_t i = 0; i < n * format.channels && run.first_sound_at < 0; ++i)
            if (std::fabs(block[i]) > 0.01f)
                run.first_sound_at = seconds_since(t0);
        const uint64_t packets = live.counters().packet_frames;
        const double now = seconds_since(t0);
        if (packets != packets_seen || run.first_sound_at < 0) {
            packets_seen = packets;
            last_packet_at = now;
        } else if (now - last_packet_at > run.stall) {
            run.stall = now - last_packet_at;
            run.stall_started_at = last_packet_at;
        }
        run.samples.insert(run.samples.end(), block.begin(), block.begin() + n * format.channels);
        run.timeline.emplace_back(seconds_since(t0), total);
        if (!reader.active() && reader.available() == 0) {
            run.ended_at = seconds_since(t0);
            break;
        }
        if (during)
            during(t, live, run);
    }
    run.stats = reader.stats();
    run.end = reader.end_reason();
    run.error = live.error();
    run.filled = live.counters().filled_frames;
    run.packets = live.counters().packet_frames;
    run.rebuilds = live.counters().rebuilds;
    return run;
}

double frame_rate(const Run &run, double from) {
    double n = 0, st = 0, sf = 0, stt = 0, stf = 0, first = -1, last = 0;
    for (const auto &p : run.timeline) {
        if (p.first < from)
            continue;
        const double t = p.first, fr = static_cast<double>(p.second);
        n += 1;
        st += t;
        sf += fr;
        stt += t * t;
        stf += t * fr;
        first = first < 0 ? t : first;
        last = t;
    }
    const double den = n * stt - st * st;
    if (n < 10 || last - first < 0.5 || den <= 0)
        return 0;
    return (n * stf - st * sf) / den;
}

double overall_rate(const Run &run) {
    const auto &last = run.timeline.back();
    return last.first > 0 ? static_cast<double>(last.second) / last.first : 0.0;
}

std::string tone_report(const Run &run, const CaptureFormat &f, double skip_s, bool *ok,
                        double last_s) {
    auto mono = channel_of(run.samples, f.channels, 0);
    const auto tail = static_cast<size_t>(last_s * f.sample_rate);
    if (tail > 0 && mono.size() > tail)
        mono.erase(mono.begin(), mono.end() - static_cast<std::ptrdiff_t>(tail));
    // From the first sound on: Wine's capture streams take ~1 s to deliver
    // their first packet (the clock fills that time with silence).
    size_t onset = 0;
    while (onset < mono.size() && std::fabs(mono[onset]) < 0.01f)
        ++onset;
    const auto skip = onset + static_cast<size_t>(skip_s * f.sample_rate);
    mono.erase(mono.begin(),
               mono.begin() + static_cast<std::ptrdiff_t>(std::min(skip, mono.size())));
    const double hz = zero_crossing_hz(mono, f.sample_rate);
    const double p440 = tone_power(mono, f.sample_rate, 440.0);
    const double p1000 = tone_power(mono, f.sample_rate, 1000.0);
    *ok = hz > 437.0 && hz < 443.0 && p440 > 0.01 && p440 > 100.0 * p1000;
    return fixed(hz, 1) + " Hz by zero crossings, power at 440 Hz " + fixed(p440, 3) +
           " vs 1000 Hz " + fixed(p1000, 6) + ", rms " + fixed(rms(mono), 3) + " over " +
           std::to_string(mono.size()) + " frames";
}

} // namespace pypac_check
