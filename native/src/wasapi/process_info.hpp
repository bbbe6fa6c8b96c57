// What Windows tells about a process: its image, its description, its place
// in the process tree, and when it exits.
//
// Chrome-like apps play sound from a child process (chrome.exe --type=utility
// under chrome.exe). PyPAC shows such children as one session under the
// topmost ancestor running the same executable (the "group root"), and
// captures the root with its process tree included, which is what the user
// means by "capture Chrome".
#pragma once

#include "com.hpp"

#include "pypac/types.hpp"

#include <cstdint>
#include <functional>
#include <map>
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

// One snapshot of the process table (CreateToolhelp32Snapshot).
class ProcessTree {
  public:
    ProcessTree(); // takes the snapshot
    // The topmost ancestor of `pid` that runs the same executable and was
    // started before its child (a parent pid can be reused by an unrelated
    // process); `pid` itself when there is none.
    DWORD group_root(DWORD pid) const;
    // `root` and every process below it.
    std::vector<DWORD> tree_of(DWORD root) const;
    bool contains(DWORD pid) const { return entries_.count(pid) != 0; }

  private:
    struct Entry {
        DWORD parent = 0;
        std::wstring exe; // lower-case file name
    };
    std::map<DWORD, Entry> entries_;
};

// The process's start time (FILETIME as 100 ns units), 0 when unknown.
uint64_t process_start_time(DWORD pid);

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

} // namespace pypac::wasapi
