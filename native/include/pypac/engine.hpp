// The engine: one backend, the session table, event subscribers and the
// shared captures. Everything Python sees goes through this class.
#pragma once

#include "pypac/backend.hpp"
#include "pypac/capture_hub.hpp"
#include "pypac/event_queue.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace pypac {

class Engine final : private BackendListener {
  public:
    // Starts the platform backend, which connects (and reconnects) on its own.
    explicit Engine(const std::string &server = {});
    explicit Engine(std::unique_ptr<Backend> backend);
    ~Engine() override;
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    const char *backend_name() const { return backend_->name(); }
    void wait_connected(double timeout_s) { backend_->wait_connected(timeout_s); }
    bool connected() const { return backend_->connected(); }

    // A copy of the session table; throws ServerUnavailable when disconnected.
    std::vector<SessionInfo> sessions() const;
    // Throws SessionNotFound naming the pid.
    SessionInfo session(int64_t process_id) const;

    void set_volume(int64_t process_id, float volume);
    void set_channel_volumes(int64_t process_id, const std::vector<float> &volumes);
    float max_volume() const; // 1.0, or more where the backend boosts
    void set_mute(int64_t process_id, bool muted);

    // Apps that record, with the device each records from; throws ServerUnavailable.
    std::vector<SessionInfo> recording_sessions() const;
    // A copy of the device table, outputs then inputs; throws ServerUnavailable.
    std::vector<DeviceInfo> devices() const;
    // Throws InvalidArgument naming the device and the ones there are.
    DeviceInfo device(DeviceKind kind, const std::string &id) const;
    void set_device_volume(DeviceKind kind, const std::string &id, float volume);
    void set_device_mute(DeviceKind kind, const std::string &id, bool muted);
    void set_default_device(DeviceKind kind, const std::string &id);
    void move_session(int64_t process_id, const std::string &output_id);

    // A new subscriber queue; it receives every event from now on.
    std::shared_ptr<EventQueue> subscribe();

    // A reader of the (shared) capture of `target`. `ring_seconds` sizes the
    // reader's own ring.
    std::unique_ptr<CaptureReader> open_capture(const CaptureTarget &target,
                                                const CaptureFormat &format, double ring_seconds);

    // Catching new apps: from now on, the backend opens a capture of each app
    // whose first stream appears, at once on its own thread, and holds it with
    // its audio for `hold_seconds`. The app's first open_capture() in `format`
    // with `ring_seconds` gets that reader: it hears the app from its first
    // frame, although it asked after the session event reached it. Calling
    // again changes the settings. Throws Unsupported where the backend
    // cannot, InvalidArgument for a bad format or time.
    void catch_new_apps(const CaptureFormat &format, double ring_seconds, double hold_seconds);
    // Catch no more; drops the captures held.
    void stop_catching();
    // Drops the captures held past their hold time: call it now and then
    // while catching (held ones are dropped off the backend's thread).
    void drop_stale_caught();

  private:
    void check_volume(float volume) const; // InvalidArgument unless 0..max_volume()
    // InvalidArgument unless the format and ring are within CaptureLimits.
    static void check_capture_format(const CaptureFormat &format, double ring_seconds);
    // BackendListener (control thread)
    void session_updated(const SessionInfo &info) override;
    void session_removed(int64_t process_id) override;
    void server_state_changed(bool connected, const std::string &detail) override;
    void device_updated(const DeviceInfo &info) override;
    void device_removed(DeviceKind kind, const std::string &id) override;

    void publish(SessionEvent event);
    float live_peak(int64_t process_id) const;

    std::unique_ptr<Backend> backend_;

    mutable std::mutex table_mutex_;
    std::map<int64_t, SessionInfo> sessions_;
    std::map<std::pair<DeviceKind, std::string>, DeviceInfo> devices_;

    mutable std::mutex subscribers_mutex_;
    std::vector<std::weak_ptr<EventQueue>> subscribers_;

    // Keyed by target and format: readers asking for another rate get their own capture.
    using CaptureKey = std::tuple<CaptureTarget, uint32_t, uint32_t>;
    mutable std::mutex captures_mutex_;
    std::map<CaptureKey, std::weak_ptr<CaptureHub>> captures_;

    std::string last_server_detail_; // guarded by table_mutex_
};

} // namespace pypac
