// The backend's engine thread: one thread in COM's multithreaded apartment
// that owns every session-API object and runs every change to them.
//
// Why one thread: WASAPI notifications arrive on the audio service's RPC
// threads, where calling back into the session API can deadlock (the docs
// forbid unregistering from inside a callback), and Python may call us from
// any thread, including Qt's main thread, which is a single-threaded
// apartment. So callbacks only post() a task here, and Python threads call()
// here and wait. This thread is the "control thread" of backend.hpp.
#pragma once

#include "com.hpp"

#include "pypac/types.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>

namespace pypac::wasapi {

// The queue a ComThread runs. Shared with the COM callback objects, which may
// outlive the thread: after close() posting is a no-op.
class TaskQueue {
  public:
    using Task = std::function<void()>;
    using Clock = std::chrono::steady_clock;

    // Any thread. False (and the task dropped) once the queue is closed.
    bool post(Task task) { return post_at(Clock::now(), std::move(task)); }
    bool post_after(std::chrono::milliseconds delay, Task task) {
        return post_at(Clock::now() + delay, std::move(task));
    }
    void close();
    bool closed() const;

    // Engine thread: the next due task; empty once closed. Waits otherwise.
    Task next();
    // Engine thread, after close(): destroys what was never run, so that the
    // COM pointers the tasks hold are released inside the apartment.
    void drop_pending();

  private:
    bool post_at(Clock::time_point when, Task task);

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::multimap<Clock::time_point, Task> tasks_; // due time -> task, FIFO among equals
    bool closed_ = false;
};

class ComThread {
  public:
    ComThread();
    ~ComThread(); // stop()
    ComThread(const ComThread &) = delete;
    ComThread &operator=(const ComThread &) = delete;

    // Joins the thread; queued tasks are dropped (on the thread). Idempotent.
    // `last` runs on the thread before it leaves COM (unregister, release).
    void stop(const std::function<void()> &last = {});

    std::shared_ptr<TaskQueue> queue() const { return queue_; }
    bool on_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

    // Runs `f` on the engine thread and returns its result; its exception is
    // rethrown here. Inline when already on the thread. Throws
    // EngineError(ServerUnavailable) once the thread has stopped.
    template <typename F> auto call(F &&f) -> std::invoke_result_t<F> {
        using R = std::invoke_result_t<F>;
        if (on_thread())
            return f();
        auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(f));
        std::future<R> result = task->get_future();
        if (!queue_->post([task] { (*task)(); }))
            throw_stopped();
        return result.get();
    }

  private:
    [[noreturn]] static void throw_stopped();
    void run();

    std::shared_ptr<TaskQueue> queue_ = std::make_shared<TaskQueue>();
    std::mutex stop_mutex_;
    std::thread thread_;
};

} // namespace pypac::wasapi
