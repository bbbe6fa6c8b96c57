#include "process_table.hpp"

#include <shellapi.h>
#include <tlhelp32.h>

#include <memory>

namespace pypac::wasapi {

namespace {

// ProcessCommandLineInformation (Windows 8.1+): the command line as a
// UNICODE_STRING whose characters follow it in the same buffer. Not in the
// SDK's public headers, hence the class number and the layout spelled out.
constexpr ULONG kProcessCommandLineInformation = 60;
constexpr LONG kStatusInfoLengthMismatch = static_cast<LONG>(0xC0000004);
struct CountedString { // UNICODE_STRING
    USHORT length;     // bytes, without a terminator
    USHORT maximum_length;
    wchar_t *buffer;
};
using NtQueryInformationProcessFn = LONG(WINAPI *)(HANDLE, ULONG, void *, ULONG, ULONG *);

// ntdll's export, looked up once: it is not in any import library we link.
NtQueryInformationProcessFn nt_query_information_process() {
    static const NtQueryInformationProcessFn fn = [] {
        const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
        const FARPROC proc = ntdll ? GetProcAddress(ntdll, "NtQueryInformationProcess") : nullptr;
        // FARPROC -> void(*)() -> the real type: the cast GCC accepts without warning.
        return reinterpret_cast<NtQueryInformationProcessFn>(reinterpret_cast<void (*)()>(proc));
    }();
    return fn;
}

std::wstring command_line_of(HANDLE process) {
    const NtQueryInformationProcessFn query = nt_query_information_process();
    if (!query)
        return {};
    // Pointer-aligned storage: the answer starts with a UNICODE_STRING.
    std::vector<ULONG_PTR> buffer(512 / sizeof(ULONG_PTR));
    for (int attempt = 0; attempt < 3; ++attempt) {
        const auto bytes = static_cast<ULONG>(buffer.size() * sizeof(ULONG_PTR));
        ULONG needed = 0;
        const LONG status =
            query(process, kProcessCommandLineInformation, buffer.data(), bytes, &needed);
        if (status == kStatusInfoLengthMismatch && needed > bytes) {
            buffer.resize(needed / sizeof(ULONG_PTR) + 1);
            continue;
        }
        if (status < 0 || bytes < sizeof(CountedString))
            return {};
        const auto *text = reinterpret_cast<const CountedString *>(buffer.data());
        const auto *begin = reinterpret_cast<const unsigned char *>(buffer.data());
        const auto *chars = reinterpret_cast<const unsigned char *>(text->buffer);
        // The characters must lie inside our buffer; anything else is not ours to read.
        if (!text->buffer || chars < begin || chars + text->length > begin + bytes)
            return {};
        return std::wstring(text->buffer, text->length / sizeof(wchar_t));
    }
    return {};
}

struct LocalFreeDeleter {
    void operator()(LPWSTR *p) const { LocalFree(p); }
};

std::vector<std::string> split_command_line(const std::wstring &line) {
    if (line.empty())
        return {};
    int count = 0;
    // LocalAlloc'd array of pointers into one block.
    std::unique_ptr<LPWSTR, LocalFreeDeleter> argv(CommandLineToArgvW(line.c_str(), &count));
    std::vector<std::string> out;
    for (int i = 0; argv && i < count; ++i)
        out.push_back(utf8(argv.get()[i]));
    return out;
}

// Creation time and command line, when the process lets us read them.
// False when it has exited (a process object that handles keep alive).
bool read_details(ProcessRecord &record) {
    UniqueHandle process(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, record.pid));
    if (!process)
        return true; // another user's, or protected: alive as far as we can tell
    FILETIME created{}, exited{}, kernel{}, user{};
    if (GetProcessTimes(process.get(), &created, &exited, &kernel, &user)) {
        if (exited.dwLowDateTime != 0 || exited.dwHighDateTime != 0)
            return false;
        record.start_time =
            (static_cast<uint64_t>(created.dwHighDateTime) << 32) | created.dwLowDateTime;
    }
    record.argv = split_command_line(command_line_of(process.get()));
    return true;
}

} // namespace

std::vector<std::string> process_command_line(DWORD pid) {
    UniqueHandle process(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
    return process ? split_command_line(command_line_of(process.get()))
                   : std::vector<std::string>{};
}

ProcessTable snapshot_process_table() {
    std::vector<ProcessRecord> records;
    UniqueHandle snap(CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
    if (!snap)
        return ProcessTable();
    PROCESSENTRY32W e{};
    e.dwSize = sizeof e;
    for (BOOL more = Process32FirstW(snap.get(), &e); more; more = Process32NextW(snap.get(), &e)) {
        ProcessRecord r;
        r.pid = e.th32ProcessID;
        r.parent_pid = e.th32ParentProcessID;
        r.exe_name = utf8(e.szExeFile);
        records.push_back(std::move(r));
    }
    // After the list: a process that exits in between is dropped, or keeps
    // its record without details, and so folds nowhere, as a moment later.
    std::vector<ProcessRecord> alive;
    alive.reserve(records.size());
    for (ProcessRecord &r : records)
        if (r.pid == 0 || read_details(r))
            alive.push_back(std::move(r));
    return ProcessTable(std::move(alive));
}

} // namespace pypac::wasapi
