#include "caught_captures.hpp"

#include <algorithm>
#include <iterator>

namespace pypac {

std::unique_ptr<CaptureReader> Backend::take_caught(int64_t, const CaptureFormat &, size_t,
                                                    std::shared_ptr<CaptureHub> &) {
    return nullptr; // a backend that cannot catch holds nothing
}

void CaughtCaptures::arm(const Settings &settings) {
    std::lock_guard<std::mutex> lock(mutex_);
    settings_ = settings;
    armed_ = true;
}

void CaughtCaptures::disarm() {
    std::lock_guard<std::mutex> lock(mutex_);
    armed_ = false;
}

bool CaughtCaptures::settings(Settings &out) const {
    std::lock_guard<std::mutex> lock(mutex_);
    out = settings_;
    return armed_;
}

void CaughtCaptures::add(int64_t process_id, std::shared_ptr<CaptureHub> hub,
                         std::unique_ptr<CaptureReader> reader, size_t ring_frames,
                         int64_t now_ns) {
    Entry e;
    e.process_id = process_id;
    e.ring_frames = ring_frames;
    e.hub = std::move(hub);
    e.reader = std::move(reader);
    std::lock_guard<std::mutex> lock(mutex_);
    e.expires_ns = now_ns + settings_.hold_ns;
    entries_.push_back(std::move(e)); // a reallocation moves entries, never destroys one
}

void CaughtCaptures::take_stale(int64_t now_ns, std::vector<Entry> &out) {
    const auto stale = [now_ns](const Entry &e) {
        return now_ns >= e.expires_ns || e.hub->ended();
    };
    const auto first = std::stable_partition(entries_.begin(), entries_.end(),
                                             [&](const Entry &e) { return !stale(e); });
    std::move(first, entries_.end(), std::back_inserter(out));
    entries_.erase(first, entries_.end());
}

CaughtCaptures::Taken CaughtCaptures::take(int64_t process_id, const CaptureFormat &format,
                                           size_t ring_frames, int64_t now_ns) {
    std::vector<Entry> dropped; // destroyed after the lock is released
    Taken taken;
    std::lock_guard<std::mutex> lock(mutex_);
    take_stale(now_ns, dropped);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        const CaptureFormat &held = it->hub->format();
        if (it->process_id != process_id || held.sample_rate != format.sample_rate ||
            held.channels != format.channels)
            continue;
        taken.hub = it->hub;
        if (it->ring_frames == ring_frames) {
            taken.reader = std::move(it->reader);
            entries_.erase(it);
        }
        break;
    }
    return taken;
}

size_t CaughtCaptures::drop_stale(int64_t now_ns) {
    std::vector<Entry> dropped;
    std::lock_guard<std::mutex> lock(mutex_);
    take_stale(now_ns, dropped);
    return dropped.size();
}

size_t CaughtCaptures::clear() {
    std::vector<Entry> dropped;
    std::lock_guard<std::mutex> lock(mutex_);
    dropped.swap(entries_);
    return dropped.size();
}

size_t CaughtCaptures::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
}

} // namespace pypac
