// The process table as the app grouping rule reads it (apps/process_tree.hpp),
// taken from Windows.
#pragma once

#include "com.hpp"

#include "apps/process_tree.hpp"

#include <string>
#include <vector>

namespace pypac::wasapi {

// One snapshot: Toolhelp32 for pids, parents and executable names; for each
// process its creation time (GetProcessTimes) and command line
// (NtQueryInformationProcess, ProcessCommandLineInformation: Windows 8.1+).
// A process that cannot be opened (another user's, a protected one) has
// neither, so it never folds into its parent. Any thread; one OpenProcess per
// process, so take it when the set of sessions changes, not per call.
ProcessTable snapshot_process_table();

// The command line of `pid`, split as CommandLineToArgvW splits it (argv[0]
// first); empty when it cannot be read.
std::vector<std::string> process_command_line(DWORD pid);

} // namespace pypac::wasapi
