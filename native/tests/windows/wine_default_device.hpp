// Making Wine announce a new default capture device, as a user's choice in
// winecfg does, and counting the announcements: the device checks use it to
// drive a capture's IMMNotificationClient through Wine's own code path.
#pragma once

#include "wasapi/com.hpp"

#include <memory>
#include <string>

namespace pypac_check {

// HKCU\Software\Wine\Drivers\<driver in use>, or "" outside Wine.
std::wstring wine_audio_driver_key();
// Sets Wine's default device (value "DefaultOutput" or "DefaultInput" of that
// key: an endpoint id; "" deletes it, back to the driver's own choice), as
// winecfg does; Wine then announces it through IMMNotificationClient.
bool set_wine_default(const wchar_t *value_name, const std::wstring &endpoint_id);

class DefaultChangeCounter;
class WineDefaultInput;

class WineDefaultCapture {
  public:
    // For the capture endpoint `device_id`. Registers a counting notification
    // client, which also starts Wine's notification thread. Calling thread: MTA.
    explicit WineDefaultCapture(std::wstring device_id);
    ~WineDefaultCapture(); // unregisters; the registry value goes back to Wine's default
    WineDefaultCapture(const WineDefaultCapture &) = delete;
    WineDefaultCapture &operator=(const WineDefaultCapture &) = delete;

    // Why announcements cannot be made; empty when they can.
    const std::string &setup_error() const { return setup_error_; }
    // Announces the same device as the new default and waits up to 3 s until
    // Wine has told its clients; false, with `why`, otherwise.
    bool announce(std::string *why);

  private:
    pypac::wasapi::ComPtr<IMMDeviceEnumerator> devices_;
    pypac::wasapi::ComPtr<DefaultChangeCounter> counter_;
    std::unique_ptr<WineDefaultInput> wine_;
    std::string setup_error_;
};

} // namespace pypac_check
