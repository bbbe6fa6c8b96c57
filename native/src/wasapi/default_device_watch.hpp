// Following the default endpoint: a registration that sets an event whenever
// the default device of one data flow (console role) changes.
//
// Threads: IMMNotificationClient methods run on an audio-service RPC thread;
// the watch only signals the capture thread, which rebuilds its stream itself.
// Register and unregister happen on the same (capture, MTA) thread.
#pragma once

#include "com.hpp"

namespace pypac::wasapi {

class DefaultDeviceWatch;

// Registered for the lifetime of the object; result() says whether it worked.
class DefaultDeviceRegistration {
  public:
    DefaultDeviceRegistration(EDataFlow flow, HANDLE event);
    ~DefaultDeviceRegistration();
    DefaultDeviceRegistration(const DefaultDeviceRegistration &) = delete;
    DefaultDeviceRegistration &operator=(const DefaultDeviceRegistration &) = delete;
    HRESULT result() const { return result_; }

  private:
    ComPtr<IMMDeviceEnumerator> devices_;
    ComPtr<DefaultDeviceWatch> watch_;
    HRESULT result_ = E_FAIL;
};

} // namespace pypac::wasapi
