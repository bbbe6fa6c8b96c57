// What Windows tells about a process: its image, its description, and when
// it exits. (Its place in the process tree: process_table.hpp.)
#pragma once

#include "com.hpp"

#include "pypac/types.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pypac::wasapi {

struct ProcessFacts {
    std::wstring image_path; // full path, empty when the process is not accessible
    std::string image_name;  // "chrome.exe" (UTF-8), empty when unknown
    std::string description; // the file's FileDescription ("Google Chrome"), may be empty
};

// QueryFullProcessImageNameW + the version resource. Any thread.
ProcessFacts process_facts(DWORD pid);

// Calls `on_exit` once, on a thread-pool thread, when the process ends.
// RAII: destruction cancels the watch and waits for a running callback, so it
// must not be destroyed from inside `on_exit`.
class ProcessExitWatch {
  public:
    // Throws EngineError(SessionNotFound) when the process is already gone or
    // cannot be opened.
    ProcessExitWatch(DWORD pid, std::function<void()> on_exit);
    ~ProcessExitWatch();
    ProcessExitWatch(const ProcessExitWatch &) = delete;
    ProcessExitWatch &operator=(const ProcessExitWatch &) = delete;

  private:
    static void CALLBACK fired(PVOID self, BOOLEAN timed_out);
    std::function<void()> on_exit_;
    UniqueHandle process_;
    HANDLE wait_ = nullptr;
};

// A handle that becomes signalled when the process exits (SYNCHRONIZE
// access); empty when the process is gone or not accessible.
UniqueHandle open_process_for_exit(DWORD pid);

// False when the process has exited (no such pid, or a process object that
// only handles keep alive); true while it runs, and for a process we may not
// open (another user's): it is there, we just cannot look.
bool process_running(DWORD pid);

} // namespace pypac::wasapi
