// stream_owner: who plays a stream, from its properties and its client's.
#include "check.hpp"
#include "pulse/stream_owner.hpp"

#include <pulse/proplist.h>

#include <memory>

using pypac::pulse::ClientFacts;
using pypac::pulse::stream_owner;

namespace {

struct ProplistFree {
    void operator()(pa_proplist *p) const { pa_proplist_free(p); }
};
using Proplist = std::unique_ptr<pa_proplist, ProplistFree>;

Proplist props(std::initializer_list<std::pair<const char *, const char *>> items) {
    Proplist p(pa_proplist_new());
    for (const auto &kv : items)
        pa_proplist_sets(p.get(), kv.first, kv.second);
    return p;
}

void test_pulse_client_stream_names_itself() {
    auto p = props({{PA_PROP_APPLICATION_PROCESS_ID, "123"},
                    {PA_PROP_APPLICATION_PROCESS_BINARY, "paplay"},
                    {PA_PROP_APPLICATION_NAME, "Music"},
                    {PA_PROP_MEDIA_ICON_NAME, "audio-x-generic"}});
    const auto o = stream_owner(p.get(), nullptr);
    CHECK(o.process_id == 123);
    CHECK(o.display_name == "Music");
    CHECK(o.process_name == "paplay");
    CHECK(o.icon_name == "audio-x-generic"); // media.icon_name when the app sets none
}

void test_native_pipewire_stream_takes_its_clients_pid() {
    auto p = props({{PA_PROP_APPLICATION_NAME, "pw-play"}});
    ClientFacts client;
    client.process_id = 77;
    client.process_name = "pw-cat";
    client.icon_name = "multimedia-player";
    const auto o = stream_owner(p.get(), &client);
    CHECK(o.process_id == 77);
    CHECK(o.process_name == "pw-cat");
    CHECK(o.display_name == "pw-play");
    CHECK(o.icon_name == "multimedia-player");
}

void test_alsa_plugin_streams_are_named_after_the_program() {
    auto p = props({{PA_PROP_APPLICATION_PROCESS_ID, "9"},
                    {PA_PROP_APPLICATION_PROCESS_BINARY, "aplay"},
                    {PA_PROP_APPLICATION_NAME, "ALSA plug-in [aplay]"}});
    CHECK(stream_owner(p.get(), nullptr).display_name == "aplay");
}

void test_a_stream_no_process_owns_stays_ownerless() {
    auto p = props({{PA_PROP_MEDIA_NAME, "RTP stream"}});
    ClientFacts module_client; // a loopback or network module: no pid
    CHECK(stream_owner(p.get(), &module_client).process_id == 0);
    CHECK(stream_owner(p.get(), nullptr).process_id == 0);
    auto garbage = props({{PA_PROP_APPLICATION_PROCESS_ID, "12abc"}});
    CHECK(stream_owner(garbage.get(), nullptr).process_id == 0);
}

} // namespace

int main() {
    test_pulse_client_stream_names_itself();
    test_native_pipewire_stream_takes_its_clients_pid();
    test_alsa_plugin_streams_are_named_after_the_program();
    test_a_stream_no_process_owns_stays_ownerless();
    return pypac_test::finish("test_stream_owner");
}
