#include "process_info.hpp"

#include <winver.h>

namespace pypac::wasapi {

namespace {

std::wstring file_name_of(const std::wstring &path) {
    const auto slash = path.find_last_of(L"\\/");
    return slash == std::wstring::npos ? path : path.substr(slash + 1);
}

std::wstring hex4(WORD v) {
    const wchar_t *digits = L"0123456789abcdef";
    std::wstring out(4, L'0');
    for (int i = 3; i >= 0; --i, v = static_cast<WORD>(v >> 4))
        out[static_cast<size_t>(i)] = digits[v & 0xF];
    return out;
}

// The FileDescription string of the first language the file lists.
std::string file_description(const std::wstring &path) {
    DWORD ignored = 0;
    const DWORD size = GetFileVersionInfoSizeW(path.c_str(), &ignored);
    if (size == 0)
        return {};
    std::string block(size, '\0');
    if (!GetFileVersionInfoW(path.c_str(), 0, size, &block[0]))
        return {};
    struct Translation {
        WORD language;
        WORD codepage;
    };
    Translation *tr = nullptr;
    UINT tr_bytes = 0;
    if (!VerQueryValueW(block.data(), L"\\VarFileInfo\\Translation", reinterpret_cast<void **>(&tr),
                        &tr_bytes) ||
        tr_bytes < sizeof(Translation))
        return {};
    const std::wstring key =
        L"\\StringFileInfo\\" + hex4(tr->language) + hex4(tr->codepage) + L"\\FileDescription";
    wchar_t *text = nullptr;
    UINT chars = 0;
    if (!VerQueryValueW(block.data(), key.c_str(), reinterpret_cast<void **>(&text), &chars) ||
        !text)
        return {};
    return utf8(text);
}

} // namespace

ProcessFacts process_facts(DWORD pid) {
    ProcessFacts f;
    UniqueHandle process(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
    if (!process)
        return f;
    std::wstring path(32768, L'\0'); // the longest path Windows has
    DWORD chars = static_cast<DWORD>(path.size());
    if (!QueryFullProcessImageNameW(process.get(), 0, &path[0], &chars))
        return f;
    path.resize(chars);
    f.image_path = path;
    f.image_name = utf8(file_name_of(path));
    f.description = file_description(path);
    return f;
}

UniqueHandle open_process_for_exit(DWORD pid) {
    return UniqueHandle(OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
}

bool process_running(DWORD pid) {
    const UniqueHandle process = open_process_for_exit(pid);
    if (!process)
        return GetLastError() == ERROR_ACCESS_DENIED;
    return WaitForSingleObject(process.get(), 0) == WAIT_TIMEOUT;
}

ProcessExitWatch::ProcessExitWatch(DWORD pid, std::function<void()> on_exit)
    : on_exit_(std::move(on_exit)), process_(open_process_for_exit(pid)) {
    if (!process_)
        throw EngineError(ErrorCode::SessionNotFound,
                          "process " + std::to_string(pid) +
                              " cannot be watched: OpenProcess() "
                              "failed with error " +
                              std::to_string(GetLastError()) +
                              " (it has exited, or it runs as another user)");
    if (!RegisterWaitForSingleObject(&wait_, process_.get(), &ProcessExitWatch::fired, this,
                                     INFINITE, WT_EXECUTEONLYONCE))
        throw EngineError(ErrorCode::BackendFailure,
                          "RegisterWaitForSingleObject() failed with error " +
                              std::to_string(GetLastError()));
}

ProcessExitWatch::~ProcessExitWatch() {
    // INVALID_HANDLE_VALUE: wait until a callback in flight has returned, so
    // `this` is never used after destruction.
    if (wait_)
        UnregisterWaitEx(wait_, INVALID_HANDLE_VALUE);
}

// Thread-pool thread. Only hands the news on (the callback posts a task).
void CALLBACK ProcessExitWatch::fired(PVOID self, BOOLEAN timed_out) {
    if (!timed_out)
        static_cast<ProcessExitWatch *>(self)->on_exit_();
}

} // namespace pypac::wasapi
