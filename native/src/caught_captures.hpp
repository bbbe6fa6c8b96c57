// Captures a backend opened by itself for apps that just started playing
// (Engine::catch_new_apps), held with their audio until the engine hands one
// to the app's first reader, or until they expire.
//
// Why a backend opens them: the backend learns of a new stream on its event
// thread and can attach to it within one server round trip; a Python thread
// woken by the session event is sometimes scheduled tens of milliseconds
// later, and by then the app's first sound has played.
//
// Threads. arm(), disarm(), settings() and add() may run on the
// backend's event thread; add() never destroys a capture. take(),
// drop_stale() and clear() destroy captures (expired ones, or all), which
// for libpulse waits for the mainloop lock: call them only off the event
// thread. They destroy after releasing the table's lock, so the table's lock
// is never held while waiting for the backend.
#pragma once

#include "pypac/capture_hub.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace pypac {

class CaughtCaptures {
  public:
    struct Settings {
        CaptureFormat format{48000, 2};
        size_t ring_frames = 0; // the ring each caught reader gets
        int64_t hold_ns = 0;    // how long one is held for its taker
    };
    // What take() found: a reader to hand over (its audio since the catch),
    // and its hub, which is also set when only the hub could be shared.
    struct Taken {
        std::unique_ptr<CaptureReader> reader;
        std::shared_ptr<CaptureHub> hub;
    };

    // Catch from now on with `settings` (again: new settings for new catches).
    void arm(const Settings &settings);
    // Catch no more; captures held stay until taken or dropped.
    void disarm();
    // True while armed, with the settings in `out`.
    bool settings(Settings &out) const;

    // Hold `reader` (of `hub`, with a ring of `ring_frames`), caught at
    // `now_ns`, for the hold time armed. Never destroys anything.
    void add(int64_t process_id, std::shared_ptr<CaptureHub> hub,
             std::unique_ptr<CaptureReader> reader, size_t ring_frames, int64_t now_ns);

    // The capture held for `process_id` in `format`, if any and still live:
    // its reader when it was caught with a ring of `ring_frames` (then no
    // longer held), else only its hub (the reader stays held for the reader
    // it was caught for: a recorder, not a view with a small ring). Drops
    // expired and ended ones first.
    Taken take(int64_t process_id, const CaptureFormat &format, size_t ring_frames, int64_t now_ns);
    // Drop the ones held longer than their hold time, or whose capture ended;
    // returns how many.
    size_t drop_stale(int64_t now_ns);
    // Drop every capture held; returns how many.
    size_t clear();
    size_t size() const;

  private:
    struct Entry {
        int64_t process_id = 0;
        int64_t expires_ns = 0;
        size_t ring_frames = 0;
        std::shared_ptr<CaptureHub> hub;
        std::unique_ptr<CaptureReader> reader;
    };
    // Moves stale entries into `out` (lock held).
    void take_stale(int64_t now_ns, std::vector<Entry> &out);

    mutable std::mutex mutex_;
    bool armed_ = false;
    Settings settings_;
    std::vector<Entry> entries_;
};

} // namespace pypac
