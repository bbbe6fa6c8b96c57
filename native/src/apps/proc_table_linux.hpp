// Linux's process table as the grouping rule reads it (apps/process_tree.hpp),
// from /proc.
#pragma once

#include "apps/process_tree.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace pypac {

// One process's record from /proc/<pid>/{stat,cmdline}; nullopt once it is gone.
std::optional<ProcessRecord> read_proc_record(uint32_t pid);

// The records of `pids` and of all their ancestors up to init: all that
// app_root() walks through. A process that exited is left out.
ProcessTable read_process_lineage(const std::vector<uint32_t> &pids);

} // namespace pypac
