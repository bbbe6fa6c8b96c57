#include "com_thread.hpp"

namespace pypac::wasapi {

bool TaskQueue::post_at(Clock::time_point when, Task task) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (closed_)
            return false;
        tasks_.emplace(when, std::move(task));
    }
    changed_.notify_one();
    return true;
}

void TaskQueue::close() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        closed_ = true;
    }
    changed_.notify_all();
}

bool TaskQueue::closed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return closed_;
}

TaskQueue::Task TaskQueue::next() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        if (closed_)
            return {};
        if (!tasks_.empty()) {
            auto first = tasks_.begin();
            if (first->first <= Clock::now()) {
                Task task = std::move(first->second);
                tasks_.erase(first);
                return task;
            }
            changed_.wait_until(lock, first->first);
        } else {
            changed_.wait(lock);
        }
    }
}

void TaskQueue::drop_pending() {
    std::multimap<Clock::time_point, Task> doomed;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        doomed.swap(tasks_);
    }
    // `doomed` dies here, outside the lock: a task's destructor may post.
}

ComThread::ComThread() : thread_([this] { run(); }) {}

ComThread::~ComThread() { stop(); }

void ComThread::stop(const std::function<void()> &last) {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    if (!thread_.joinable())
        return;
    if (last && !queue_->closed()) {
        // Run `last` as an ordinary task so it sees every task posted before it.
        try {
            call(last);
        } catch (...) {
            // stop() runs from destructors: a failing clean-up must not throw.
        }
    }
    queue_->close();
    thread_.join();
}

void ComThread::throw_stopped() {
    throw EngineError(ErrorCode::ServerUnavailable,
                      "the WASAPI backend has stopped (its engine thread is gone)");
}

void ComThread::run() {
    // Every COM object of the sessions lives in this apartment. A new thread
    // has no apartment yet, so this cannot meet RPC_E_CHANGED_MODE.
    ComApartment com(COINIT_MULTITHREADED);
    while (TaskQueue::Task task = queue_->next()) {
        try {
            task();
        } catch (...) {
            // call() transports exceptions through its packaged_task; a posted
            // task that throws has nobody to tell, so it must not end the loop.
        }
    }
    queue_->drop_pending();
}

} // namespace pypac::wasapi
