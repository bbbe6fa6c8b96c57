#include "stream_owner.hpp"

#include "pulse_handles.hpp"

#include <cstdlib>

namespace pypac::pulse {

namespace {

int64_t parse_pid(const std::string &text) {
    if (text.empty())
        return 0;
    char *end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    return (end && *end == '\0' && v > 0) ? static_cast<int64_t>(v) : 0;
}

// alsa-lib's pulse plug-in names every program "ALSA plug-in [binary]": the
// binary says more.
bool is_alsa_plugin_name(const std::string &name) { return name.rfind("ALSA plug-in", 0) == 0; }

const std::string &first_of(const std::string &a, const std::string &b) {
    return a.empty() ? b : a;
}

} // namespace

ClientFacts client_facts(const pa_client_info &info) {
    ClientFacts c;
    c.process_id = parse_pid(proplist_get(info.proplist, PA_PROP_APPLICATION_PROCESS_ID));
    c.process_name = proplist_get(info.proplist, PA_PROP_APPLICATION_PROCESS_BINARY);
    c.app_name = proplist_get(info.proplist, PA_PROP_APPLICATION_NAME);
    if (c.app_name.empty() && info.name)
        c.app_name = info.name;
    c.icon_name = proplist_get(info.proplist, PA_PROP_APPLICATION_ICON_NAME);
    return c;
}

StreamOwner stream_owner(const pa_proplist *stream, const ClientFacts *client) {
    static const ClientFacts none;
    const ClientFacts &c = client ? *client : none;
    StreamOwner o;
    o.process_id = parse_pid(proplist_get(stream, PA_PROP_APPLICATION_PROCESS_ID));
    if (o.process_id == 0)
        o.process_id = c.process_id;
    if (o.process_id == 0)
        return o;
    o.process_name =
        first_of(proplist_get(stream, PA_PROP_APPLICATION_PROCESS_BINARY), c.process_name);
    std::string name = first_of(proplist_get(stream, PA_PROP_APPLICATION_NAME), c.app_name);
    if (name.empty() || is_alsa_plugin_name(name))
        name = o.process_name.empty() ? name : o.process_name;
    o.display_name = name;
    o.icon_name = first_of(proplist_get(stream, PA_PROP_APPLICATION_ICON_NAME),
                           first_of(proplist_get(stream, PA_PROP_MEDIA_ICON_NAME), c.icon_name));
    return o;
}

} // namespace pypac::pulse
