#include "apps/proc_table_linux.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>

namespace pypac {

namespace {

struct FileDescriptor {
    int fd;
    ~FileDescriptor() {
        if (fd >= 0)
            ::close(fd);
    }
};

// POSIX read, not a stream: a process that exits between open() and read()
// makes read() fail with ESRCH, which libstdc++'s filebuf throws as
// std::ios_base::failure through istreambuf_iterator; thrown on the mainloop
// thread, that ended the whole program (seen in CI). A file that cannot be
// read whole reads as empty: its process is gone.
std::string read_file(const std::string &path) {
    const FileDescriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (file.fd < 0)
        return {};
    std::string out;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(file.fd, buffer, sizeof buffer);
        if (n > 0) {
            out.append(buffer, static_cast<size_t>(n));
        } else if (n == 0) {
            return out;
        } else if (errno != EINTR) {
            return {};
        }
    }
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
