#include "apps/proc_table_linux.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

namespace pypac {

namespace {

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

std::optional<ProcessRecord> read_proc_record(uint32_t pid) {
    const std::string dir = "/proc/" + std::to_string(pid);
    const std::string stat = read_file(dir + "/stat");
    // "pid (comm) state ppid ... starttime(22nd field)": comm may hold spaces
    // and parentheses, so parse from the last ')'.
    const auto open = stat.find('(');
    const auto close = stat.rfind(')');
    if (stat.empty() || open == std::string::npos || close == std::string::npos || close < open)
        return std::nullopt;
    ProcessRecord r;
    r.pid = pid;
    r.exe_name = stat.substr(open + 1, close - open - 1);
    std::istringstream fields(stat.substr(close + 1));
    std::string state;
    long long ppid = 0;
    fields >> state >> ppid;
    std::string skip;
    for (int field = 5; field < 22 && fields >> skip; ++field) {
    }
    unsigned long long start = 0;
    if (fields >> start)
        r.start_time = start;
    if (ppid < 0)
        return std::nullopt;
    r.parent_pid = static_cast<uint32_t>(ppid);
    const std::string cmdline = read_file(dir + "/cmdline");
    size_t begin = 0;
    while (begin < cmdline.size()) {
        size_t end = cmdline.find('\0', begin);
        if (end == std::string::npos)
            end = cmdline.size();
        r.argv.push_back(cmdline.substr(begin, end - begin));
        begin = end + 1;
    }
    return r;
}

ProcessTable read_process_lineage(const std::vector<uint32_t> &pids) {
    std::vector<ProcessRecord> records;
    std::set<uint32_t> seen;
    for (uint32_t pid : pids) {
        // Up to init; bounded in case /proc changes under us into a loop.
        for (int depth = 0; pid > 1 && depth < 64 && seen.insert(pid).second; ++depth) {
            auto record = read_proc_record(pid);
            if (!record)
                break;
            pid = record->parent_pid;
            records.push_back(std::move(*record));
        }
    }
    return ProcessTable(std::move(records));
}

} // namespace pypac
