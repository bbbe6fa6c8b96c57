// Whether a backend is connected to its sound system, for threads that wait.
//
// Every backend connects on its own thread and reconnects after a loss; the
// callers of Backend::wait_connected() block here until an attempt settles.
// One attempt at a time: begin_attempt() when it starts, settle() with its
// outcome (or a later loss).
#pragma once

#include "pypac/wait_time.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

namespace pypac {

class ConnectionState {
  public:
    bool connected() const noexcept { return connected_.load(std::memory_order_acquire); }

    void begin_attempt() {
        std::lock_guard<std::mutex> lock(mutex_);
        attempt_in_progress_ = true;
    }

    // The attempt succeeded, or failed / the connection was lost (`detail` says why).
    void settle(bool connected, const std::string &detail) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            connected_.store(connected, std::memory_order_release);
            attempt_in_progress_ = false;
            if (!connected) {
                ++failed_attempts_;
                last_error_ = detail;
            }
        }
        changed_.notify_all();
    }

    // Until connected, or the newest attempt failed with none running, or
    // `timeout_s` passes (see wait_time()). True when connected.
    bool wait(double timeout_s) {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait_for(lock, wait_time(timeout_s), [&] {
            return connected() || (!attempt_in_progress_ && failed_attempts_ > 0);
        });
        return connected();
    }

    // Why the last attempt failed or the connection was lost; empty if never.
    std::string last_error() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return last_error_;
    }

  private:
    std::atomic<bool> connected_{false};
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    uint64_t failed_attempts_ = 0;
    bool attempt_in_progress_ = false;
    std::string last_error_;
};

} // namespace pypac
