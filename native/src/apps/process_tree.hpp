// Which processes make up one app: the grouping rule of every backend.
//
// A process is folded into its parent's app when
//   * the parent is still alive and started no later than the child (Windows
//     reuses pids and never reparents: a live process that owns the parent's
//     pid but started after the child is somebody else), and
//   * the process is marked as its parent's helper: an argument starting with
//     "--type=" (Chromium, Electron and CEF helpers, such as the audio service
//     "--type=utility --utility-sub-type=audio.mojom.AudioService") or the
//     argument "-contentproc" (Firefox).
// Folding repeats up the tree; the app is keyed by the topmost process
// reached. Nothing else groups: the same executable alone does not (Python
// started from Python, or a venv's launcher and the interpreter it starts,
// stay separate apps).
//
// A ProcessTable is one snapshot of the OS's process table. Callers take a
// fresh one whenever the set of sessions changes and keep no result across
// snapshots, so a root that exits re-roots its helpers (each then stands
// alone). Plain data and no OS calls: each backend fills the table (Toolhelp32
// on Windows), and the unit test builds synthetic ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pypac {

struct ProcessRecord {
    uint32_t pid = 0;
    uint32_t parent_pid = 0; // as the OS reports it: may name an exited or reused pid
    // Creation time in the platform's ticks (Windows: FILETIME units), only
    // ever compared with another record's; empty when it could not be read.
    std::optional<uint64_t> start_time;
    std::string exe_name;          // "chrome.exe": for people, never for grouping
    std::vector<std::string> argv; // the command line, argv[0] first; empty when unreadable
};

class ProcessTable {
  public:
    ProcessTable() = default;
    // A pid listed twice keeps its first record.
    explicit ProcessTable(std::vector<ProcessRecord> records);

    const ProcessRecord *find(uint32_t pid) const; // nullptr when not in the snapshot
    bool contains(uint32_t pid) const { return find(pid) != nullptr; }
    const std::vector<ProcessRecord> &records() const { return records_; } // by pid
    size_t size() const { return records_.size(); }

  private:
    std::vector<ProcessRecord> records_; // sorted by pid
};

// Its command line marks it as a helper of its parent: an argument (after
// argv[0]) that starts with "--type=" or is "-contentproc".
bool has_helper_marker(const ProcessRecord &process);

// Whether `pid` folds into its parent's app: it is in the table, marked as a
// helper, and its parent is in the table, is another process, and started no
// later than it (both start times known).
bool is_helper_of_parent(const ProcessTable &table, uint32_t pid);

// The app `pid` belongs to: the topmost process reached by folding; `pid`
// itself when it folds into nothing or is not in the table. Terminates on any
// table: a loop of helpers (impossible with real start times, possible with
// equal or garbage ones) is keyed by its smallest pid.
uint32_t app_root(const ProcessTable &table, uint32_t pid);

// The processes of the app keyed by `root`: `root` first, then every other
// process of the table whose app_root() is `root`, by pid.
std::vector<uint32_t> app_members(const ProcessTable &table, uint32_t root);

} // namespace pypac
