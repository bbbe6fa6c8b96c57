// Processes as Windows (or Wine) reports them: the image and exit watch the
// session monitor uses, and the process table the app grouping rule reads
// (apps/process_tree.hpp, unit-tested on synthetic tables by
// test_process_tree): here with real children, command lines and start times.
#include "check_harness.hpp"

#include "apps/process_tree.hpp"
#include "wasapi/process_info.hpp"
#include "wasapi/process_table.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <utility>
#include <vector>

using namespace pypac;
using namespace pypac::wasapi;

namespace pypac_check {

namespace {

std::string argv_text(const ProcessTable &t, DWORD pid) {
    const ProcessRecord *r = t.find(pid);
    if (!r)
        return "(not in the snapshot)";
    std::string text;
    for (const auto &a : r->argv)
        text += (text.empty() ? "" : " ") + a;
    return text.empty() ? "(no command line)" : text;
}

// What NtQueryInformationProcess answers for ProcessCommandLineInformation
// (60) about our own process: 0 (STATUS_SUCCESS) on Windows 8.1+.
LONG command_line_status() {
    using Query = LONG(WINAPI *)(HANDLE, ULONG, void *, ULONG, ULONG *);
    const FARPROC proc =
        GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQueryInformationProcess");
    if (!proc)
        return -1;
    const auto query = reinterpret_cast<Query>(reinterpret_cast<void (*)()>(proc));
    std::vector<ULONG_PTR> buffer(4096);
    ULONG needed = 0;
    return query(GetCurrentProcess(), 60, buffer.data(),
                 static_cast<ULONG>(buffer.size() * sizeof(ULONG_PTR)), &needed);
}

std::string hex(LONG status) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08lX", static_cast<unsigned long>(status));
    return text;
}

// The snapshot, where Wine could not read command lines: our own children's
// filled in from what we passed to CreateProcess (said in the check's line).
// Everything else (pids, parent links, start times, who is alive) stays
// Windows' (Wine's) own answer.
ProcessTable snapshot_with(const std::vector<std::pair<DWORD, std::string>> &spawned,
                           bool *filled) {
    ProcessTable t = snapshot_process_table();
    *filled = false;
    if (!environment().wine)
        return t;
    std::vector<ProcessRecord> records = t.records();
    for (ProcessRecord &r : records)
        for (const auto &s : spawned)
            if (r.pid == s.first && r.argv.empty()) {
                r.argv = {"wasapi_check.exe"};
                size_t at = 0;
                while (at < s.second.size()) {
                    const size_t end = std::min(s.second.find(' ', at), s.second.size());
                    r.argv.push_back(s.second.substr(at, end - at));
                    at = end + 1;
                }
                *filled = true;
            }
    return ProcessTable(std::move(records));
}

bool has_arg(const ProcessTable &t, DWORD pid, const std::string &arg) {
    const ProcessRecord *r = t.find(pid);
    return r && std::find(r->argv.begin(), r->argv.end(), arg) != r->argv.end();
}

void terminate_pid(DWORD pid) {
    UniqueHandle p(OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, pid));
    if (p) {
        TerminateProcess(p.get(), 0);
        WaitForSingleObject(p.get(), 2000);
    }
}

// Gone before the next check takes its snapshot.
void end(const Child &child) {
    TerminateProcess(child.process.get(), 0);
    WaitForSingleObject(child.process.get(), 5000);
}

void facts_and_exit_watch() {
    const ProcessFacts me = process_facts(GetCurrentProcessId());
    check("process.facts", me.image_name == "wasapi_check.exe" && !me.image_path.empty(),
          "QueryFullProcessImageNameW -> " + me.image_name);

    Child child = spawn_self("sleep 1200");
    const auto t0 = std::chrono::steady_clock::now();
    std::atomic<bool> fired{false};
    double fired_at = 0;
    {
        ProcessExitWatch watch(child.pid, [&] {
            fired_at = seconds_since(t0);
            fired = true;
        });
        WaitForSingleObject(child.process.get(), 5000);
        for (int i = 0; i < 100 && !fired; ++i)
            Sleep(10);
    }
    check("process.exit-watch", fired && fired_at > 1.0 && fired_at < 5.0,
          "RegisterWaitForSingleObject fired " + fixed(fired_at, 2) +
              " s after start (child slept 1.2 s)");
}

// The command line of another process, read back as the grouping rule
// reads it. Wine 8 does not implement ProcessCommandLineInformation: there
// this is a SKIP naming the status, and the checks below say that they use
// the command lines we spawned with.
void command_line() {
    Child helper = spawn_self("sleep 5000 --type=pypac-helper");
    const ProcessTable t = snapshot_process_table();
    const LONG status = command_line_status();
    if (environment().wine && status != 0)
        skip("process.command-line",
             "Wine does not implement NtQueryInformationProcess(ProcessCommandLineInformation) "
             "(status " +
                 hex(status) + "): only Windows reads the --type= marker back");
    else
        check("process.command-line", has_arg(t, helper.pid, "--type=pypac-helper"),
              "NtQueryInformationProcess(ProcessCommandLineInformation) read back: \"" +
                  argv_text(t, helper.pid) + "\"");
    end(helper);
}

// Two children running this same executable: one marked as a helper
// (--type=...), one not. Only the helper folds into this process's app.
void helper_and_plain_child() {
    const DWORD self = GetCurrentProcessId();
    const std::string helper_args = "sleep 5000 --type=pypac-helper", plain_args = "sleep 5000";
    Child helper = spawn_self(helper_args);
    Child plain = spawn_self(plain_args);
    bool filled = false;
    const ProcessTable t =
        snapshot_with({{helper.pid, helper_args}, {plain.pid, plain_args}}, &filled);
    const ProcessRecord *me = t.find(self);
    const ProcessRecord *h = t.find(helper.pid);
    const bool times =
        me && h && me->start_time && h->start_time && *me->start_time <= *h->start_time;
    const std::vector<uint32_t> members = app_members(t, self);
    const auto member = [&](DWORD pid) {
        return std::find(members.begin(), members.end(), pid) != members.end();
    };
    check("process.group-helper",
          times && app_root(t, helper.pid) == self && app_root(t, plain.pid) == plain.pid &&
              member(helper.pid) && !member(plain.pid),
          "helper " + std::to_string(helper.pid) + " -> app " +
              std::to_string(app_root(t, helper.pid)) + ", plain child " +
              std::to_string(plain.pid) + " -> app " + std::to_string(app_root(t, plain.pid)) +
              " (this process " + std::to_string(self) + "; same executable; " +
              (times ? "start times in order" : "start times missing") +
              (filled ? "; command lines as spawned" : "") + ")");
    end(helper);
    end(plain);
}

// A helper's helper folds two levels up; once the middle process exits, the
// next snapshot leaves the grandchild standing alone (Windows keeps its
// parent pid: the rule sees that parent gone).
void reroot_on_exit() {
    const DWORD self = GetCurrentProcessId();
    const std::string middle_args = "spawn-helper 1500 --type=pypac-helper";
    const std::string grandchild_args = "sleep 10000 --type=pypac-grandchild";
    Child middle = spawn_self(middle_args);
    DWORD grandchild = 0;
    ProcessTable before;
    bool filled = false;
    const auto t0 = std::chrono::steady_clock::now();
    while (grandchild == 0 && seconds_since(t0) < 5.0) {
        Sleep(50);
        for (const ProcessRecord &r : snapshot_process_table().records())
            if (r.parent_pid == middle.pid && r.pid != middle.pid)
                grandchild = r.pid;
    }
    if (grandchild)
        before = snapshot_with({{middle.pid, middle_args}, {grandchild, grandchild_args}}, &filled);
    const DWORD root_before = grandchild ? app_root(before, grandchild) : 0;
    WaitForSingleObject(middle.process.get(), 5000); // we still hold its handle
    bool ignored = false;
    const ProcessTable after = snapshot_with({{grandchild, grandchild_args}}, &ignored);
    const DWORD root_after = grandchild ? app_root(after, grandchild) : 0;
    check("process.reroot-on-exit",
          grandchild != 0 && root_before == self && root_after == grandchild &&
              !after.contains(middle.pid),
          "grandchild " + std::to_string(grandchild) + " (" + argv_text(before, grandchild) +
              ") -> app " + std::to_string(root_before) + " while its parent " +
              std::to_string(middle.pid) + " ran; -> app " + std::to_string(root_after) +
              " after it exited" +
              (after.contains(middle.pid) ? " (the exited parent is still listed)" : "") +
              (filled ? "; command lines as spawned" : ""));
    if (grandchild)
        terminate_pid(grandchild);
}

// A session whose process has exited is skipped: process_running() must say
// "gone" for an exited child (even while we hold its handle) and for a pid
// nobody has, and "running" for a live process.
void running_or_gone() {
    Child child = spawn_self("sleep 100");
    const bool alive_before = process_running(child.pid);
    WaitForSingleObject(child.process.get(), 5000); // exited; our handle keeps the object
    const bool alive_after = process_running(child.pid);
    const bool self = process_running(GetCurrentProcessId());
    const bool nobody = process_running(0xFFFFFFF0u);
    check("process.running", alive_before && !alive_after && self && !nobody,
          std::string("child while it sleeps: ") + (alive_before ? "running" : "gone") +
              ", after it exited: " + (alive_after ? "running" : "gone") + "; this process: " +
              (self ? "running" : "gone") + "; an unused pid: " + (nobody ? "running" : "gone"));
}

} // namespace

void run_process_checks() {
    facts_and_exit_watch();
    command_line();
    helper_and_plain_child();
    reroot_on_exit();
    running_or_gone();
}

} // namespace pypac_check
