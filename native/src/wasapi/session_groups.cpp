// What one PyPAC session is made of: the fields read from each Windows
// session, the grouping of sessions into apps (apps/process_tree.hpp), their
// folding into one SessionInfo per group, and the changes applied to all
// sessions of a group. Engine thread, like the rest of SessionMonitor.
#include "session_monitor.hpp"

#include "hresult.hpp"

#include <shlwapi.h>

#include <algorithm>
#include <utility>

namespace pypac::wasapi {

namespace {

// Passed with our own volume changes (the events come back with it).
constexpr GUID kPyPacContext = {
    0x5079a9ac, 0x3c1e, 0x4d2b, {0x9a, 0x61, 0x50, 0x79, 0x50, 0x41, 0x43, 0x01}};

// "@%SystemRoot%\System32\foo.dll,-101" names a string resource.
std::string resolve_indirect(const wchar_t *text) {
    if (!text || text[0] != L'@')
        return utf8(text);
    wchar_t buffer[512];
    if (FAILED(SHLoadIndirectString(text, buffer, 512, nullptr)))
        return {};
    return utf8(buffer);
}

std::string stem(const std::string &file) {
    const auto dot = file.rfind('.');
    return dot == std::string::npos || dot == 0 ? file : file.substr(0, dot);
}

} // namespace

void SessionMonitor::read_fields(Session &s) {
    CoTaskString name, icon;
    if (SUCCEEDED(s.control->GetDisplayName(name.put())))
        s.display_name = resolve_indirect(name.get());
    if (SUCCEEDED(s.control->GetIconPath(icon.put())))
        s.icon_path = utf8(icon.get());
    s.control->GetState(&s.state);
    if (s.volume) {
        BOOL muted = FALSE;
        s.volume->GetMasterVolume(&s.level);
        if (SUCCEEDED(s.volume->GetMute(&muted)))
            s.muted = muted != FALSE;
    }
}

void SessionMonitor::request_regroup() {
    if (regroup_posted_)
        return;
    regroup_posted_ = true;
    // A task, so that a burst (an endpoint's sessions, a browser starting)
    // takes one snapshot of the process table, not one per session.
    queue_->post([this] {
        if (regroup_posted_)
            regroup();
    });
}

// Engine thread. Nothing is kept from an earlier snapshot: a root that has
// exited since then is simply absent, and its helpers stand alone.
void SessionMonitor::regroup() {
    const ProcessTable table = sessions_.empty() ? ProcessTable() : snapshot_process_table();
    // An empty table is a failed snapshot (a system always runs processes):
    // then the groups stay as they are, and a new session stands alone.
    const bool have_table = table.size() > 0;
    if (have_table) {
        // Sessions whose process has exited since they came (the exit watch
        // may not have told yet, or could not watch): gone, never shown again.
        std::vector<std::wstring> gone;
        for (const auto &kv : sessions_)
            if (!table.contains(kv.second.pid))
                gone.push_back(kv.first);
        for (const auto &key : gone)
            remove_session(key);
    }
    regroup_posted_ = false; // what those removals asked for happens now
    std::set<int64_t> changed;
    changed.swap(dirty_);
    for (auto &kv : sessions_) {
        Session &s = kv.second;
        const int64_t root = have_table ? app_root(table, s.pid) : s.group ? s.group : s.pid;
        if (root == s.group)
            continue;
        changed.insert(s.group); // 0 for a new session: skipped below
        changed.insert(root);
        s.group = root;
    }
    watch_exits();
    for (int64_t group : changed) {
        if (group == 0)
            continue;
        if (facts_.count(group) == 0)
            facts_[group] = process_facts(static_cast<DWORD>(group));
        report(group);
    }
}

void SessionMonitor::watch_exits() {
    std::set<DWORD> wanted;
    for (const auto &kv : sessions_) {
        wanted.insert(kv.second.pid);
        if (kv.second.group != 0)
            wanted.insert(static_cast<DWORD>(kv.second.group));
    }
    for (auto it = exit_watches_.begin(); it != exit_watches_.end();)
        it = wanted.count(it->first) ? std::next(it) : exit_watches_.erase(it);
    for (DWORD pid : wanted) {
        if (exit_watches_.count(pid))
            continue;
        try {
            exit_watches_[pid] = std::make_unique<ProcessExitWatch>(
                pid, [q = queue_, this, pid] { q->post([this, pid] { on_process_exit(pid); }); });
        } catch (const EngineError &) {
            // Not ours to watch (another user's process): Windows expires its
            // sessions instead, and a root's exit shows at the next regroup.
        }
    }
}

void SessionMonitor::report(int64_t group) {
    if (!reporting_ || group == 0)
        return;
    SessionInfo info;
    info.process_id = group;
    bool any_active = false, all_muted = true;
    float volume = 0.0f;
    const Session *loudest = nullptr; // its endpoint is the app's device: active ones first
    for (const auto &kv : sessions_) {
        const Session &s = kv.second;
        if (s.group != group)
            continue;
        ++info.stream_count;
        if (info.display_name.empty())
            info.display_name = s.display_name;
        if (info.icon_name.empty())
            info.icon_name = s.icon_path;
        volume = std::max(volume, s.level); // the loudest is what the user hears
        all_muted = all_muted && s.muted;
        any_active = any_active || s.state == AudioSessionStateActive;
        const auto rank = [](const Session &x) {
            return std::make_pair(x.state == AudioSessionStateActive, x.level);
        };
        if (!loudest || rank(s) > rank(*loudest))
            loudest = &s;
    }
    if (info.stream_count == 0) {
        if (lingering_.count(group))
            return; // a format change: its app is reopening (expect_return())
        facts_.erase(group);
        if (reported_.erase(group))
            listener_.session_removed(group);
        return;
    }
    const ProcessFacts &f = facts_[group];
    info.process_name = f.image_name;
    if (info.display_name.empty())
        info.display_name = !f.description.empty() ? f.description : stem(f.image_name);
    if (info.display_name.empty()) // another user's or a protected process: no image to read
        info.display_name = "process " + std::to_string(group);
    if (info.icon_name.empty())
        info.icon_name = utf8(f.image_path); // the executable carries the app's icon
    for (DWORD pid : pids_of(group))
        info.process_ids.push_back(pid);
    info.volume = volume;
    info.device_id = utf8(loudest->endpoint_id); // DeviceInfo::id of that render endpoint
    info.muted = all_muted;
    info.state = any_active ? SessionState::Active : SessionState::Inactive;
    reported_.insert(group);
    listener_.session_updated(info);
}

template <typename Apply>
void SessionMonitor::apply(int64_t group, const char *call, Apply apply_one) {
    int matched = 0, gone = 0;
    for (auto &kv : sessions_) {
        Session &s = kv.second;
        if (s.group != group || !s.volume)
            continue;
        ++matched;
        const HRESULT hr = apply_one(*s.volume.get());
        if (hr == AUDCLNT_E_DEVICE_INVALIDATED) {
            ++gone;
        } else if (audio_service_gone(hr)) {
            // Posted: dropping every session here would pull sessions_ from
            // under this loop. The caller learns it as ServerUnavailable.
            const std::string why = call_failed(call, hr);
            queue_->post(
                [this, why] { on_server_lost_("the Windows Audio service is gone: " + why); });
            throw hresult_error(std::string(call) + " for pid " + std::to_string(s.pid), hr);
        } else if (FAILED(hr)) {
            throw hresult_error(std::string(call) + " for pid " + std::to_string(s.pid), hr);
        }
    }
    if (matched == 0 || gone == matched)
        throw EngineError(ErrorCode::SessionNotFound,
                          "no audio session for process id " + std::to_string(group) +
                              (matched == 0 ? ": it plays no sound right now"
                                            : ": its sessions ended while changing them"));
    // Read back, so that the table holds the new values when the caller returns.
    for (auto &kv : sessions_)
        if (kv.second.group == group)
            read_fields(kv.second);
    report(group);
}

void SessionMonitor::set_volume(int64_t group, float volume) {
    apply(group, "ISimpleAudioVolume::SetMasterVolume()",
          [volume](ISimpleAudioVolume &v) { return v.SetMasterVolume(volume, &kPyPacContext); });
}

void SessionMonitor::set_mute(int64_t group, bool muted) {
    apply(group, "ISimpleAudioVolume::SetMute()", [muted](ISimpleAudioVolume &v) {
        return v.SetMute(muted ? TRUE : FALSE, &kPyPacContext);
    });
}

void SessionMonitor::read_peaks(std::vector<SessionInfo> &sessions) const {
    for (SessionInfo &info : sessions) {
        float peak = 0.0f;
        for (const auto &kv : sessions_) {
            float p = 0.0f;
            if (kv.second.group == info.process_id && kv.second.meter &&
                SUCCEEDED(kv.second.meter->GetPeakValue(&p)))
                peak = std::max(peak, p);
        }
        info.peak = std::max(info.peak, peak);
    }
}

std::vector<DWORD> SessionMonitor::pids_of(int64_t group) const {
    std::set<DWORD> pids;
    for (const auto &kv : sessions_)
        if (kv.second.group == group)
            pids.insert(kv.second.pid);
    std::vector<DWORD> out;
    if (pids.erase(static_cast<DWORD>(group)))
        out.push_back(static_cast<DWORD>(group));
    out.insert(out.end(), pids.begin(), pids.end());
    return out;
}

} // namespace pypac::wasapi
