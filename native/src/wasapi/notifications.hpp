// The COM objects Windows calls to tell us about sessions and endpoints.
//
// Every method runs on a thread of the audio service's RPC pool (MTA), never
// on ours. The docs forbid calling back into the session API from there
// (unregistering inside a callback deadlocks), so each method only copies its
// arguments into a task for the engine thread (com_thread.hpp) and returns.
// Once that queue is closed the callbacks do nothing, so a late notification
// after the backend stopped is harmless.
#pragma once

#include "com_thread.hpp"

#include <functional>
#include <memory>
#include <string>

namespace pypac::wasapi {

// IAudioSessionNotification: a new session on one endpoint's session manager.
class SessionCreatedSink final : public ComObject<SessionCreatedSink, IAudioSessionNotification> {
  public:
    using Handler = std::function<void(const ComPtr<IAudioSessionControl> &)>;
    SessionCreatedSink(std::shared_ptr<TaskQueue> queue, Handler on_created)
        : queue_(std::move(queue)), on_created_(std::move(on_created)) {}

    // Audio-service RPC thread.
    HRESULT STDMETHODCALLTYPE OnSessionCreated(IAudioSessionControl *session) override {
        auto held = ComPtr<IAudioSessionControl>::retain(session); // the caller keeps its own
        queue_->post([handler = on_created_, held] { handler(held); });
        return S_OK;
    }

  private:
    friend class ComObject<SessionCreatedSink, IAudioSessionNotification>;
    ~SessionCreatedSink() = default;
    std::shared_ptr<TaskQueue> queue_;
    Handler on_created_;
};

// What changed in one session, as IAudioSessionEvents reported it.
struct SessionChange {
    enum class Kind { Volume, State, Disconnected, Refresh };
    Kind kind = Kind::Refresh;
    float volume = 1.0f;
    bool muted = false;
    AudioSessionState state = AudioSessionStateInactive;
    AudioSessionDisconnectReason reason = DisconnectReasonDeviceRemoval;
};

// IAudioSessionEvents of one session.
class SessionEventsSink final : public ComObject<SessionEventsSink, IAudioSessionEvents> {
  public:
    using Handler = std::function<void(const SessionChange &)>;
    SessionEventsSink(std::shared_ptr<TaskQueue> queue, Handler on_change)
        : queue_(std::move(queue)), on_change_(std::move(on_change)) {}

    // All below: audio-service RPC thread.
    HRESULT STDMETHODCALLTYPE OnDisplayNameChanged(LPCWSTR, LPCGUID) override {
        return post(SessionChange{});
    }
    HRESULT STDMETHODCALLTYPE OnIconPathChanged(LPCWSTR, LPCGUID) override {
        return post(SessionChange{});
    }
    HRESULT STDMETHODCALLTYPE OnSimpleVolumeChanged(float volume, BOOL muted, LPCGUID) override {
        SessionChange c;
        c.kind = SessionChange::Kind::Volume;
        c.volume = volume;
        c.muted = muted != FALSE;
        return post(c);
    }
    HRESULT STDMETHODCALLTYPE OnChannelVolumeChanged(DWORD, float *, DWORD, LPCGUID) override {
        return S_OK; // PyPAC shows the session's master volume only
    }
    HRESULT STDMETHODCALLTYPE OnGroupingParamChanged(LPCGUID, LPCGUID) override { return S_OK; }
    HRESULT STDMETHODCALLTYPE OnStateChanged(AudioSessionState state) override {
        SessionChange c;
        c.kind = SessionChange::Kind::State;
        c.state = state;
        return post(c);
    }
    HRESULT STDMETHODCALLTYPE OnSessionDisconnected(AudioSessionDisconnectReason reason) override {
        SessionChange c;
        c.kind = SessionChange::Kind::Disconnected;
        c.reason = reason;
        return post(c);
    }

  private:
    friend class ComObject<SessionEventsSink, IAudioSessionEvents>;
    ~SessionEventsSink() = default;
    HRESULT post(const SessionChange &change) {
        queue_->post([handler = on_change_, change] { handler(change); });
        return S_OK;
    }
    std::shared_ptr<TaskQueue> queue_;
    Handler on_change_;
};

// IMMNotificationClient: render endpoints added, removed, enabled or disabled.
// (Default-device changes are watched by each capture that follows the default.)
class EndpointEventsSink final : public ComObject<EndpointEventsSink, IMMNotificationClient> {
  public:
    using Handler = std::function<void()>;
    EndpointEventsSink(std::shared_ptr<TaskQueue> queue, Handler on_endpoints_changed)
        : queue_(std::move(queue)), on_endpoints_(std::move(on_endpoints_changed)) {}

    // All below: audio-service RPC thread.
    HRESULT STDMETHODCALLTYPE OnDeviceStateChanged(LPCWSTR, DWORD) override { return post(); }
    HRESULT STDMETHODCALLTYPE OnDeviceAdded(LPCWSTR) override { return post(); }
    HRESULT STDMETHODCALLTYPE OnDeviceRemoved(LPCWSTR) override { return post(); }
    HRESULT STDMETHODCALLTYPE OnDefaultDeviceChanged(EDataFlow, ERole, LPCWSTR) override {
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE OnPropertyValueChanged(LPCWSTR, const PROPERTYKEY) override {
        return S_OK;
    }

  private:
    friend class ComObject<EndpointEventsSink, IMMNotificationClient>;
    ~EndpointEventsSink() = default;
    HRESULT post() {
        queue_->post(on_endpoints_);
        return S_OK;
    }
    std::shared_ptr<TaskQueue> queue_;
    Handler on_endpoints_;
};

} // namespace pypac::wasapi
