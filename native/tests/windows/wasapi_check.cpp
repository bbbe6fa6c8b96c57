// wasapi_check: the WASAPI backend's test program (Windows, or Wine).
//
//   wasapi_check offline           checks that need no audio device
//   wasapi_check capture [seconds] capture plumbing on the default capture
//                                  endpoint, which must carry a 440 Hz tone
//   wasapi_check capture-gap [s]   the same while the server pauses (prints READY first)
//   wasapi_check backend           sessions, process and system loopback
//                                  (on Wine: that each fails clearly, naming the call)
//   wasapi_check devices FOLDER    device changes and losses, done by the script on request
//                                  (ACTION lines answered in FOLDER): Wine only
//   wasapi_check endpoint-control [FOLDER]  output/input devices: list, default flags,
//                                  volume (balance kept), mute, events (a sink the script
//                                  adds and removes on request, Wine only); the default-device
//                                  and per-app routing interfaces (clear errors on Wine)
//   wasapi_check policy [NAME]     the default-device and per-app routing interfaces alone
//   wasapi_check endpoints         list active endpoints; exit 3 when there is no render one
//   wasapi_check sleep MS | play-tone SECONDS [HZ] | spawn-helper MS   helpers the checks
//                                  start (extra arguments such as --type=... are ignored)
//
// Every check prints one PASS/FAIL/SKIP line; the last line is the summary.
// Exit status: 0 when nothing failed.
#include "check_harness.hpp"

#include "wasapi/capture_source.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace pypac_check {

namespace {
int g_passed = 0, g_failed = 0, g_skipped = 0;
std::string g_answer_folder;
int g_requests = 0;

void line(const char *tag, const std::string &name, const std::string &detail) {
    std::printf("%s %s%s%s\n", tag, name.c_str(), detail.empty() ? "" : ": ", detail.c_str());
    std::fflush(stdout);
}

// Wine's ntdll exports wine_get_version; Windows' does not.
Environment detect() {
    Environment env;
    if (HMODULE ntdll = GetModuleHandleW(L"ntdll.dll")) {
        if (FARPROC proc = GetProcAddress(ntdll, "wine_get_version")) {
            env.wine = true;
            // FARPROC -> void(*)() -> the real type: the cast GCC accepts without warning.
            using VersionFn = const char *(__cdecl *)();
            auto fn = reinterpret_cast<VersionFn>(reinterpret_cast<void (*)()>(proc));
            env.wine_version = fn ? fn() : "";
        }
    }
    wchar_t path[MAX_PATH * 4];
    const DWORD n = GetModuleFileNameW(nullptr, path, MAX_PATH * 4);
    env.exe_path = pypac::wasapi::utf8(std::wstring(path, n));
    return env;
}
} // namespace

void pass(const std::string &name, const std::string &detail) {
    ++g_passed;
    line("PASS", name, detail);
}
void fail(const std::string &name, const std::string &detail) {
    ++g_failed;
    line("FAIL", name, detail);
}
void skip(const std::string &name, const std::string &reason) {
    ++g_skipped;
    line("SKIP", name, reason);
}
void check(const std::string &name, bool ok, const std::string &detail) {
    ok ? pass(name, detail) : fail(name, detail);
}

int summary(const std::string &group) {
    std::printf("wasapi_check %s: %d passed, %d failed, %d skipped\n", group.c_str(), g_passed,
                g_failed, g_skipped);
    std::fflush(stdout);
    return g_failed == 0 ? 0 : 1;
}

void set_answer_folder(const std::string &windows_path) { g_answer_folder = windows_path; }

bool request(const std::string &what, std::string *error) {
    const int n = ++g_requests;
    std::printf("ACTION %d %s\n", n, what.c_str());
    std::fflush(stdout);
    const std::wstring answer = pypac::wasapi::widen(g_answer_folder + "\\" + std::to_string(n));
    const auto t0 = std::chrono::steady_clock::now();
    while (seconds_since(t0) < 20.0) {
        if (!g_answer_folder.empty() &&
            GetFileAttributesW(answer.c_str()) != INVALID_FILE_ATTRIBUTES)
            return true;
        Sleep(20);
    }
    *error = "the script did not carry out \"" + what + "\" within 20 s" +
             (g_answer_folder.empty() ? " (no answer folder given)" : "");
    return false;
}

const Environment &environment() {
    static const Environment env = detect();
    return env;
}

Child spawn_self(const std::string &args) {
    std::wstring cmd =
        L"\"" + pypac::wasapi::widen(environment().exe_path) + L"\" " + pypac::wasapi::widen(args);
    STARTUPINFOW si{};
    si.cb = sizeof si;
    PROCESS_INFORMATION pi{};
    if (!CreateProcessW(nullptr, &cmd[0], nullptr, nullptr, FALSE, 0, nullptr, nullptr, &si, &pi))
        throw std::runtime_error("CreateProcessW(" + args + ") failed with error " +
                                 std::to_string(GetLastError()));
    CloseHandle(pi.hThread);
    Child c;
    c.process.reset(pi.hProcess);
    c.pid = pi.dwProcessId;
    return c;
}

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

std::string fixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::vector<float> channel_of(const std::vector<float> &interleaved, uint32_t channels,
                              uint32_t channel) {
    std::vector<float> out;
    out.reserve(interleaved.size() / channels);
    for (size_t i = channel; i < interleaved.size(); i += channels)
        out.push_back(interleaved[i]);
    return out;
}

double rms(const std::vector<float> &mono) {
    double sum = 0;
    for (float v : mono)
        sum += static_cast<double>(v) * v;
    return mono.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(mono.size()));
}

double zero_crossing_hz(const std::vector<float> &mono, uint32_t rate) {
    // First and last rising crossing, interpolated: (crossings - 1) periods between them.
    double first = -1, last = -1;
    int count = 0;
    for (size_t i = 1; i < mono.size(); ++i) {
        if (mono[i - 1] < 0.0f && mono[i] >= 0.0f) {
            const double at = static_cast<double>(i - 1) + mono[i - 1] / (mono[i - 1] - mono[i]);
            if (first < 0)
                first = at;
            last = at;
            ++count;
        }
    }
    if (count < 2)
        return 0.0;
    return (count - 1) * static_cast<double>(rate) / (last - first);
}

double tone_power(const std::vector<float> &mono, uint32_t rate, double freq) {
    const double pi = 3.14159265358979323846;
    const double w = 2.0 * pi * freq / rate;
    const double coeff = 2.0 * std::cos(w);
    double s1 = 0, s2 = 0;
    for (float x : mono) {
        const double s0 = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    const double n = static_cast<double>(mono.size());
    return n > 0 ? 2.0 * power / (n * n) : 0.0;
}

int helper_sleep(int ms) {
    Sleep(static_cast<DWORD>(ms));
    return 0;
}

} // namespace pypac_check

int main(int argc, char **argv) {
    using namespace pypac_check;
    const std::string group = argc > 1 ? argv[1] : "";
    if (group == "sleep" && argc > 2)
        return helper_sleep(std::atoi(argv[2]));
    if (group == "play-tone" && argc > 2)
        return helper_play_tone(std::atof(argv[2]), argc > 3 ? std::atof(argv[3]) : 440.0);
    if (group == "endpoints")
        return helper_list_endpoints();
    if (group == "spawn-helper" && argc > 2)
        return helper_spawn_helper(std::atoi(argv[2]));

    const Environment &env = environment();
    std::printf("wasapi_check %s on %s\n", group.c_str(),
                env.wine ? ("Wine " + env.wine_version).c_str() : "Windows");
    if (group == "offline")
        run_offline_checks();
    else if (group == "capture")
        run_capture_checks(argc > 2 ? std::atof(argv[2]) : 4.0);
    else if (group == "capture-gap")
        run_gap_check(argc > 2 ? std::atof(argv[2]) : 6.0);
    else if (group == "backend")
        run_backend_checks();
    else if (group == "endpoint-control") {
        if (argc > 2)
            set_answer_folder(argv[2]);
        run_endpoint_checks();
    } else if (group == "policy") {
        run_policy_checks(argc > 2 ? argv[2] : "policy");
    } else if (group == "devices" && argc > 2) {
        set_answer_folder(argv[2]);
        run_device_checks();
    } else {
        std::fprintf(
            stderr,
            "usage: wasapi_check offline | capture [seconds] | capture-gap [seconds] | "
            "backend | "
            "devices FOLDER | endpoint-control [FOLDER] | policy [NAME] | endpoints | sleep MS | "
            "play-tone SECONDS [HZ]\n");
        return 2;
    }
    return summary(group);
}
