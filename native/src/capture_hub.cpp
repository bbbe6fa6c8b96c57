#include "pypac/capture_hub.hpp"
#include "pypac/wait_time.hpp"

#include "dsp/levels.hpp"
#include "wakeup.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace pypac {

// ---- CaptureReader ----------------------------------------------------------

CaptureReader::CaptureReader(std::shared_ptr<CaptureHub> hub, size_t ring_frames)
    : hub_(std::move(hub)), target_(hub_->target()), format_(hub_->format()),
      ring_(ring_frames, format_.channels),
      // A mark per server block (~10 ms): room for the ring's worth of them.
      times_(format_.sample_rate, std::max<size_t>(256, ring_frames / 240)),
      wakeup_(std::make_unique<Wakeup>()) {
    if (!hub_->add_reader(this))
        throw EngineError(ErrorCode::InvalidArgument, "too many readers of one capture (at most " +
                                                          std::to_string(CaptureHub::kMaxReaders) +
                                                          "); close captures you no longer read");
    attached_ = true;
    if (hub_->ended())
        finish(hub_->end_reason());
}

CaptureReader::~CaptureReader() { close(); }

void CaptureReader::close() {
    std::lock_guard<std::mutex> lock(hub_mutex_);
    if (!attached_)
        return;
    attached_ = false;
    hub_->remove_reader(this);
    hub_.reset();
    CaptureEnd expected = CaptureEnd::None;
    end_.compare_exchange_strong(expected, CaptureEnd::Stopped);
    wakeup_->notify();
}

void CaptureReader::deliver(const float *frames, size_t count, int64_t first_ns) noexcept {
    // Marked before the write: the reader never sees frames newer than their mark.
    if (first_ns != kNoTime)
        times_.mark(ring_.frames_written(), first_ns);
    ring_.write(frames, count);
    // A reader waiting for a batch is woken once, when the batch is complete,
    // not for every 10 ms block: each wake-up costs both threads a switch.
    if (ring_.readable() >= wake_at_frames_.load(std::memory_order_relaxed))
        wakeup_->notify();
}

void CaptureReader::finish(CaptureEnd why) noexcept {
    CaptureEnd expected = CaptureEnd::None;
    end_.compare_exchange_strong(expected, why, std::memory_order_acq_rel);
    wakeup_->notify();
}

size_t CaptureReader::read(float *out, size_t max_frames, double timeout_s, int64_t *first_ns) {
    std::lock_guard<std::mutex> lock(read_mutex_);
    wakeup_->wait_for([&] { return ring_.readable() > 0 || !active(); }, wait_time_ms(timeout_s));
    const size_t n = ring_.read(out, max_frames);
    ring_.release_consumer_thread();
    const int64_t t = times_.time_of(consumed_);
    if (first_ns)
        *first_ns = t;
    consumed_ += n;
    return n;
}

size_t CaptureReader::wait_readable(double timeout_s) {
    wakeup_->wait_for([&] { return ring_.readable() > 0 || !active(); }, wait_time_ms(timeout_s));
    return ring_.readable();
}

bool CaptureReader::wait_for_frames(size_t frames, double timeout_s) {
    // Capped below the ring's size: a batch larger than the ring never completes.
    const size_t batch = std::max<size_t>(1, std::min(frames, ring_.capacity() / 2));
    wake_at_frames_.store(batch, std::memory_order_relaxed);
    wakeup_->wait_for([&] { return ring_.readable() >= frames || !active(); },
                      wait_time_ms(timeout_s));
    wake_at_frames_.store(1, std::memory_order_relaxed);
    return ring_.readable() >= frames;
}

size_t CaptureReader::skip_to_newest(size_t keep) {
    std::lock_guard<std::mutex> lock(read_mutex_);
    const size_t n = ring_.skip_to_newest(keep);
    ring_.release_consumer_thread();
    consumed_ += n;
    times_.time_of(consumed_); // forget the skipped frames' marks
    return n;
}

CaptureStats CaptureReader::stats() const noexcept {
    std::lock_guard<std::mutex> lock(hub_mutex_);
    CaptureStats s;
    s.frames_captured = ring_.frames_written() + ring_.frames_dropped();
    s.dropped_frames = ring_.frames_dropped();
    const double server_ms = hub_ ? hub_->server_latency_ms() : 0.0;
    s.latency_ms = server_ms + 1000.0 * static_cast<double>(ring_.readable()) / format_.sample_rate;
    return s;
}

float CaptureReader::peak() const noexcept {
    std::lock_guard<std::mutex> lock(hub_mutex_);
    return hub_ && active() ? hub_->peak() : 0.0f;
}

// ---- CaptureHub -------------------------------------------------------------

CaptureHub::CaptureHub(const CaptureTarget &target, const CaptureFormat &format)
    : target_(target), format_(format) {
    for (auto &r : readers_)
        r.store(nullptr, std::memory_order_relaxed);
}

CaptureHub::~CaptureHub() {
    // The stream goes first: after its destructor no callback reaches us.
    stream_.reset();
}

bool CaptureHub::add_reader(CaptureReader *reader) {
    std::lock_guard<std::mutex> lock(control_mutex_);
    for (auto &slot : readers_) {
        if (slot.load(std::memory_order_relaxed) == nullptr) {
            slot.store(reader, std::memory_order_release);
            return true;
        }
    }
    return false;
}

void CaptureHub::remove_reader(CaptureReader *reader) {
    std::lock_guard<std::mutex> lock(control_mutex_);
    for (auto &slot : readers_) {
        if (slot.load(std::memory_order_relaxed) == reader)
            slot.store(nullptr, std::memory_order_release);
    }
    wait_for_walkers();
}

void CaptureHub::wait_for_walkers() const noexcept {
    while (walkers_.load(std::memory_order_acquire) != 0)
        std::this_thread::yield();
}

void CaptureHub::on_frames(const float *interleaved, size_t frames) noexcept {
    walkers_.fetch_add(1, std::memory_order_acq_rel);
    for (auto &slot : readers_) {
        if (CaptureReader *r = slot.load(std::memory_order_acquire))
            r->deliver(interleaved, frames, next_time_);
    }
    walkers_.fetch_sub(1, std::memory_order_acq_rel);
    next_time_ = kNoTime;
    peak_.store(dsp::block_peak(interleaved, frames * format_.channels), std::memory_order_relaxed);
}

void CaptureHub::on_frame_time(int64_t ns) noexcept { next_time_ = ns; }

void CaptureHub::on_server_latency(double ms) noexcept {
    latency_ms_.store(ms, std::memory_order_relaxed);
}

void CaptureHub::on_end(CaptureEnd why) noexcept {
    CaptureEnd expected = CaptureEnd::None;
    end_.compare_exchange_strong(expected, why, std::memory_order_acq_rel);
    peak_.store(0.0f, std::memory_order_relaxed);
    walkers_.fetch_add(1, std::memory_order_acq_rel);
    for (auto &slot : readers_) {
        if (CaptureReader *r = slot.load(std::memory_order_acquire))
            r->finish(why);
    }
    walkers_.fetch_sub(1, std::memory_order_acq_rel);
}

} // namespace pypac
