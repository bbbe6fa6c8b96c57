// Who plays a stream: its process id, names and icon, from the stream's
// properties and, where the stream lacks them, its client's.
//
// PulseAudio clients put application.process.id on every stream. Programs
// that speak PipeWire natively (pw-play, mpv's pipewire output, browsers on
// some desktops) do not: pipewire-pulse shows their streams with the process
// id only on the stream's client. Streams whose client has none either
// (network streams, loopback modules) belong to no process.
#pragma once

#include <pulse/introspect.h>
#include <pulse/proplist.h>

#include <cstdint>
#include <string>

namespace pypac::pulse {

// What a client (one connection to the server) says about its program.
struct ClientFacts {
    int64_t process_id = 0;
    std::string process_name; // application.process.binary
    std::string app_name;     // application.name
    std::string icon_name;    // application.icon_name
};

ClientFacts client_facts(const pa_client_info &info);

struct StreamOwner {
    int64_t process_id = 0; // 0: no process owns the stream
    std::string process_name;
    std::string display_name;
    std::string icon_name;
};

// `client` is the stream's client if known, else nullptr.
StreamOwner stream_owner(const pa_proplist *stream, const ClientFacts *client);

} // namespace pypac::pulse
