// The Windows test program's harness: PASS / FAIL / SKIP lines that
// scripts/check-windows.sh and the Windows workflow count, the environment
// (Windows or Wine), and the signal measurements the capture checks use.
#pragma once

#include "wasapi/com.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace pypac_check {

// "PASS capture.tone: 440.2 Hz" etc. One line per check, flushed at once.
void pass(const std::string &name, const std::string &detail = {});
void fail(const std::string &name, const std::string &detail);
// Cannot run here (no audio endpoint, ...): said, never counted as passed.
void skip(const std::string &name, const std::string &reason);
// PASS or FAIL by `ok`.
void check(const std::string &name, bool ok, const std::string &detail);
// "wasapi_check offline: 7 passed, 0 failed, 1 skipped"; returns the exit code.
int summary(const std::string &group);

struct Environment {
    bool wine = false;
    std::string wine_version;
    std::string exe_path; // this program, for spawning helper children
};
const Environment &environment();

// Starts this program again with `args` (e.g. "sleep 700"); returns its
// process handle (owned) and pid. Throws std::runtime_error on failure.
struct Child {
    pypac::wasapi::UniqueHandle process;
    DWORD pid = 0;
};
Child spawn_self(const std::string &args);

// Asks the script that runs this program (scripts/check-windows.sh) to change
// the sound server ("suspend-server", "kill-capture-streams", "remove-sink",
// ...): prints "ACTION <n> <what>" and waits until the script answers by
// creating the file <n> in the answer folder (the checks' last argument).
// False, with `error` set, when no answer came within 20 s.
void set_answer_folder(const std::string &windows_path);
bool request(const std::string &what, std::string *error);

// Wall-clock seconds since `start`.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Channel `channel` of interleaved samples.
std::vector<float> channel_of(const std::vector<float> &interleaved, uint32_t channels,
                              uint32_t channel);
double rms(const std::vector<float> &mono);
// Frequency from rising zero crossings (a pure tone reads within 1 Hz).
double zero_crossing_hz(const std::vector<float> &mono, uint32_t rate);
// Power of `freq` in the signal (Goertzel), normalised to a full-scale sine = 0.5.
double tone_power(const std::vector<float> &mono, uint32_t rate, double freq);

// Text helpers for the checks.
bool contains(const std::string &text, const std::string &part);
std::string fixed(double value, int decimals);

// The checks, by group (each prints its lines).
void run_offline_checks();
void run_process_checks();          // part of the offline group
void run_endpoint_offline_checks(); // part of the offline group
void run_capture_checks(double seconds);
void run_gap_check(double seconds);
void run_backend_checks();
void run_device_checks();
void run_endpoint_checks(); // devices, their volume and events; the policy interfaces
void run_policy_checks(const std::string &prefix); // the policy interfaces alone

// Helpers run as children of the checks.
int helper_sleep(int ms);
int helper_play_tone(double seconds, double freq);
int helper_list_endpoints();
int helper_spawn_helper(int ms); // starts "sleep 10000 --type=pypac-grandchild", exits after ms

} // namespace pypac_check
