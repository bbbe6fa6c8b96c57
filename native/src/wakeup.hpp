// A wake-up a real-time thread may give and a reader may wait on.
//
// notify() is safe on the audio thread: it never blocks or allocates and makes
// a system call only while a reader is actually waiting. Spurious wake-ups are
// possible; waiters re-check their condition.
#pragma once

#include <atomic>
#include <cstdint>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <cerrno>
#include <ctime>
#include <semaphore.h>
#endif

namespace pypac {

class Wakeup {
  public:
    Wakeup() {
#ifdef _WIN32
        sem_ = CreateSemaphoreW(nullptr, 0, 0x7fffffff, nullptr);
#else
        sem_init(&sem_, 0, 0);
#endif
    }
    ~Wakeup() {
#ifdef _WIN32
        CloseHandle(sem_);
#else
        sem_destroy(&sem_);
#endif
    }
    Wakeup(const Wakeup &) = delete;
    Wakeup &operator=(const Wakeup &) = delete;

    void notify() noexcept {
        if (waiters_.load(std::memory_order_acquire) == 0)
            return;
#ifdef _WIN32
        ReleaseSemaphore(sem_, 1, nullptr);
#else
        sem_post(&sem_);
#endif
    }

    // Wait until `ready()` holds or `timeout_ms` passes; returns ready().
    template <typename Ready> bool wait_for(Ready ready, int64_t timeout_ms) {
        if (ready())
            return true;
        if (timeout_ms <= 0)
            return false;
        waiters_.fetch_add(1, std::memory_order_acq_rel);
        const int64_t deadline = now_ms() + timeout_ms;
        bool ok = ready();
        while (!ok) {
            const int64_t left = deadline - now_ms();
            if (left <= 0)
                break;
            wait_once(left);
            ok = ready();
        }
        waiters_.fetch_sub(1, std::memory_order_acq_rel);
        return ok;
    }

  private:
    static int64_t now_ms() {
#ifdef _WIN32
        return static_cast<int64_t>(GetTickCount64());
#else
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
#endif
    }
    void wait_once(int64_t ms) {
#ifdef _WIN32
        WaitForSingleObject(sem_, static_cast<DWORD>(ms));
#else
        // sem_timedwait takes CLOCK_REALTIME; clamp the slice so that a wall
        // clock jump costs at most 50 ms of extra wait.
        const int64_t slice = ms < 50 ? ms : 50;
        timespec ts{};
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += static_cast<long>(slice % 1000) * 1000000L;
        ts.tv_sec += static_cast<time_t>(slice / 1000) + ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        while (sem_timedwait(&sem_, &ts) != 0 && errno == EINTR) {
        }
#endif
    }

    std::atomic<int> waiters_{0};
#ifdef _WIN32
    HANDLE sem_;
#else
    sem_t sem_;
#endif
};

} // namespace pypac
