// PulseBackend's apps that record: source outputs, grouped into apps by the
// same rules as playback (stream_owner.hpp for who owns a stream, the process
// tree rule for which app it belongs to).
#include "apps/proc_table_linux.hpp"
#include "pulse_backend.hpp"

#include <unistd.h>

#include <algorithm>

namespace pypac::pulse {

void PulseBackend::request_source_output(uint32_t index) {
    OperationPtr(pa_context_get_source_output_info(
        context_.get(), index,
        [](pa_context *, const pa_source_output_info *i, int eol, void *u) {
            if (eol == 0 && i)
                static_cast<PulseBackend *>(u)->on_source_output(*i);
        },
        this));
}

void PulseBackend::on_source_output(const pa_source_output_info &info) {
    const auto client = clients_.find(info.client);
    StreamOwner owner =
        stream_owner(info.proplist, client != clients_.end() ? &client->second : nullptr);
    // Ours (every capture is a source output) and streams no process owns are no app.
    if (owner.process_id == 0 || owner.process_id == static_cast<int64_t>(::getpid())) {
        source_outputs_.erase(info.index);
        return;
    }
    SourceOutput so;
    so.index = info.index;
    so.process_id = app_root(read_process_lineage({static_cast<uint32_t>(owner.process_id)}),
                             static_cast<uint32_t>(owner.process_id));
    so.process_name = std::move(owner.process_name);
    so.display_name = owner.display_name.empty() ? std::string(info.name ? info.name : "")
                                                 : std::move(owner.display_name);
    so.icon_name = std::move(owner.icon_name);
    so.source = info.source;
    so.volume = info.volume;
    so.muted = info.mute != 0;
    so.corked = info.corked != 0;
    source_outputs_[so.index] = std::move(so);
}

std::vector<SessionInfo> PulseBackend::recording_sessions() const {
    MainloopLock lock(loop_.get());
    std::vector<SessionInfo> out;
    for (const auto &kv : source_outputs_) {
        const SourceOutput &so = kv.second;
        auto it = std::find_if(out.begin(), out.end(),
                               [&](const SessionInfo &s) { return s.process_id == so.process_id; });
        if (it == out.end()) {
            SessionInfo s;
            s.process_id = so.process_id;
            s.process_ids = {so.process_id};
            s.process_name = so.process_name;
            s.display_name = so.display_name;
            s.icon_name = so.icon_name;
            s.muted = true; // until a stream says otherwise
            s.volume = 0.0f;
            const auto source = source_names_.find(so.source);
            s.device_id = source == source_names_.end() ? std::string() : source->second;
            out.push_back(std::move(s));
            it = std::prev(out.end());
        }
        ++it->stream_count;
        it->muted = it->muted && so.muted;
        it->volume =
            std::max(it->volume, static_cast<float>(pa_cvolume_max(&so.volume)) / PA_VOLUME_NORM);
        if (!so.corked)
            it->state = SessionState::Active;
    }
    return out;
}

} // namespace pypac::pulse
