// Session events for one subscriber, drained by a consumer thread.
//
// The backend's control thread pushes; a Python thread (the GUI worker) waits
// with the GIL released. Bounded: a subscriber that stops draining loses the
// oldest events and gets one Resync event telling it to list sessions again.
#pragma once

#include "pypac/types.hpp"
#include "pypac/wait_time.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace pypac {

struct SessionEvent {
    enum class Kind : int {
        Added = 0,
        Changed = 1,
        Removed = 2,
        ServerLost = 3,
        ServerConnected = 4,
        Resync = 5, // events were dropped: list the sessions (and devices) again
        DeviceAdded = 6,
        DeviceChanged = 7, // any field, is_default too (a new default device)
        DeviceRemoved = 8,
    };
    Kind kind = Kind::Changed;
    SessionInfo session; // for Removed: the last known entry with state Expired
    DeviceInfo device;   // for the Device* kinds
    std::string detail;  // server address or why it was lost
};

class EventQueue {
  public:
    static constexpr size_t kMaxPending = 4096;

    void push(SessionEvent event) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (closed_)
                return;
            if (pending_.size() >= kMaxPending) {
                pending_.clear();
                SessionEvent resync;
                resync.kind = SessionEvent::Kind::Resync;
                resync.detail = "event queue overflowed; list sessions again";
                pending_.push_back(std::move(resync));
            }
            pending_.push_back(std::move(event));
        }
        ready_.notify_one();
    }

    // Up to `timeout_s` (see wait_time()) for the next event; nullopt on timeout or once closed.
    std::optional<SessionEvent> wait(double timeout_s) {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait_for(lock, wait_time(timeout_s), [&] { return !pending_.empty() || closed_; });
        if (pending_.empty())
            return std::nullopt;
        SessionEvent e = std::move(pending_.front());
        pending_.pop_front();
        return e;
    }

    // Wakes every waiter; no events are queued after this.
    void close() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            closed_ = true;
        }
        ready_.notify_all();
    }
    bool closed() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return closed_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<SessionEvent> pending_;
    bool closed_ = false;
};

} // namespace pypac
