// What the endpoint checks share (checks_endpoints.cpp, checks_endpoint_streams.cpp,
// checks_policy.cpp): a listener that records device reports, and waiting.
#pragma once

#include "check_harness.hpp"

#include "pypac/backend.hpp"

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace pypac_check {

// What the BackendListener heard about devices.
class DeviceLog final : public pypac::BackendListener {
  public:
    void session_updated(const pypac::SessionInfo &) override {}
    void session_removed(int64_t) override {}
    void server_state_changed(bool, const std::string &) override {}
    void device_updated(const pypac::DeviceInfo &info) override {
        std::lock_guard<std::mutex> lock(mutex_);
        updates_.push_back(info);
    }
    void device_removed(pypac::DeviceKind kind, const std::string &id) override {
        std::lock_guard<std::mutex> lock(mutex_);
        removed_.emplace_back(kind, id);
    }
    std::vector<pypac::DeviceInfo> updates() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return updates_;
    }
    std::vector<std::pair<pypac::DeviceKind, std::string>> removed() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return removed_;
    }
    // The newest update of a device, if any.
    bool latest(pypac::DeviceKind kind, const std::string &id, pypac::DeviceInfo *out) const {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto it = updates_.rbegin(); it != updates_.rend(); ++it)
            if (it->kind == kind && it->id == id) {
                *out = *it;
                return true;
            }
        return false;
    }

  private:
    mutable std::mutex mutex_;
    std::vector<pypac::DeviceInfo> updates_;
    std::vector<std::pair<pypac::DeviceKind, std::string>> removed_;
};

// Polls `done` every 20 ms for up to `seconds`.
template <typename Done> bool wait_until(double seconds, Done done) {
    const auto t0 = std::chrono::steady_clock::now();
    while (!done()) {
        if (seconds_since(t0) > seconds)
            return false;
        Sleep(20);
    }
    return true;
}

// The endpoint checks' parts (each prints its lines).
void check_endpoint_running(DeviceLog &log, const pypac::DeviceInfo &out);
void check_device_capture(const std::vector<pypac::DeviceInfo> &list);
void check_policy(const pypac::DeviceInfo &out, const std::string &prefix);

} // namespace pypac_check
