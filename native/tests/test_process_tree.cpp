// The app grouping rule (apps/process_tree.hpp) on synthetic process tables:
// helpers fold into their parent's app; nothing else groups; a dead or
// younger "parent" folds nothing; any table, however broken, terminates.
#include "apps/process_tree.hpp"
#include "check.hpp"

#include <chrono>
#include <string>
#include <vector>

using namespace pypac;

namespace {

ProcessRecord proc(uint32_t pid, uint32_t parent, uint64_t start, std::vector<std::string> argv) {
    ProcessRecord r;
    r.pid = pid;
    r.parent_pid = parent;
    r.start_time = start;
    r.exe_name = argv.empty() ? std::string() : argv[0];
    r.argv = std::move(argv);
    return r;
}

bool members_are(const ProcessTable &t, uint32_t root, const std::vector<uint32_t> &want) {
    return app_members(t, root) == want;
}

// Chrome: the browser plays nothing itself; its audio service, renderer and
// GPU process are helpers, so they all make up the browser's app.
void test_chromium_helpers_fold_into_a_silent_parent() {
    const ProcessTable t({
        proc(4, 0, 10, {"System"}),
        proc(1000, 900, 100, {"chrome.exe"}),
        proc(1010, 1000, 110,
             {"chrome.exe", "--type=utility", "--utility-sub-type=audio.mojom.AudioService",
              "--lang=en-US"}),
        proc(1020, 1000, 120, {"chrome.exe", "--type=renderer", "--renderer-client-id=5"}),
        proc(1030, 1000, 105, {"chrome.exe", "--type=gpu-process"}),
    });
    CHECK(is_helper_of_parent(t, 1010));
    CHECK(app_root(t, 1010) == 1000); // the audio service's session is Chrome's
    CHECK(app_root(t, 1020) == 1000);
    CHECK(app_root(t, 1000) == 1000); // its parent 900 is gone: it stands alone
    CHECK(!is_helper_of_parent(t, 1000));
    CHECK(members_are(t, 1000, {1000, 1010, 1020, 1030}));
    CHECK(members_are(t, 4, {4}));
}

// Firefox marks its content processes with -contentproc (no --type=).
void test_firefox_content_process() {
    const ProcessTable t({
        proc(20, 1, 100, {"firefox.exe"}),
        proc(21, 20, 101, {"firefox.exe", "-contentproc", "--channel=1", "-isForBrowser", "tab"}),
        proc(22, 20, 102, {"firefox.exe", "-contentprocess"}), // not the marker
    });
    CHECK(app_root(t, 21) == 20);
    CHECK(app_root(t, 22) == 22);
}

// A Python player started from a Python script: same executable, no marker,
// so two apps (the old same-executable rule merged them).
void test_python_child_is_its_own_app() {
    const ProcessTable t({
        proc(100, 50, 1000, {"python.exe", "run_players.py"}),
        proc(200, 100, 1200, {"python.exe", "-m", "pypac.demo.tone_player", "--freq", "440"}),
        proc(201, 100, 1201, {"python.exe", "-m", "pypac.demo.tone_player", "--freq", "880"}),
    });
    CHECK(app_root(t, 200) == 200);
    CHECK(app_root(t, 201) == 201);
    CHECK(members_are(t, 100, {100}));
    CHECK(members_are(t, 200, {200}));
}

// A venv's python.exe is a launcher that starts the real interpreter as its
// child with the same arguments: still two apps, each capturable by its pid.
void test_venv_launcher_and_interpreter_stay_apart() {
    const ProcessTable t({
        proc(300, 10, 5000, {"C:\\proj\\.venv\\Scripts\\python.exe", "player.py"}),
        proc(301, 300, 5001, {"C:\\Python312\\python.exe", "player.py"}),
    });
    CHECK(!is_helper_of_parent(t, 301));
    CHECK(app_root(t, 301) == 301);
    CHECK(app_root(t, 300) == 300);
}

// The browser exited; its audio service still runs (Windows does not
// reparent): with the root gone from the snapshot, the helper stands alone.
void test_helper_of_an_exited_parent_stands_alone() {
    const ProcessTable before({
        proc(1000, 900, 100, {"chrome.exe"}),
        proc(1010, 1000, 110, {"chrome.exe", "--type=utility"}),
    });
    const ProcessTable after({
        proc(1010, 1000, 110, {"chrome.exe", "--type=utility"}),
    });
    CHECK(app_root(before, 1010) == 1000);
    CHECK(app_root(after, 1010) == 1010); // a fresh snapshot re-roots it
    CHECK(members_are(after, 1010, {1010}));
    CHECK(members_are(after, 1000, {1000})); // a dead root keeps nothing
}

// The parent's pid now belongs to a process started after the child: not its
// parent, so nothing folds. Unknown start times fold nothing either.
void test_reused_parent_pid_folds_nothing() {
    const ProcessTable t({
        proc(500, 1, 2000, {"notepad.exe"}), // took over pid 500 after the child started
        proc(501, 500, 1500, {"chrome.exe", "--type=utility"}),
    });
    CHECK(!is_helper_of_parent(t, 501));
    CHECK(app_root(t, 501) == 501);

    ProcessRecord unknown = proc(600, 1, 0, {"chrome.exe"});
    unknown.start_time.reset(); // another user's process: no start time to compare
    const ProcessTable u({unknown, proc(601, 600, 10, {"chrome.exe", "--type=renderer"})});
    CHECK(app_root(u, 601) == 601);

    // The same tick (coarse clocks) still folds.
    const ProcessTable same(
        {proc(700, 1, 42, {"app.exe"}), proc(701, 700, 42, {"app.exe", "--type=gpu-process"})});
    CHECK(app_root(same, 701) == 700);
}

// Helpers of helpers fold up to the topmost; a helper of an ordinary child
// stops at that child.
void test_multi_level_helpers() {
    const ProcessTable t({
        proc(30, 1, 100, {"app.exe"}),
        proc(31, 30, 101, {"app.exe", "--type=gpu-process"}),
        proc(32, 31, 102, {"app.exe", "--type=utility"}),
        proc(33, 32, 103, {"app.exe", "--type=crashpad-handler"}),
        proc(40, 1, 200, {"launcher.exe"}),
        proc(41, 40, 201, {"game.exe"}), // an ordinary child: its own app
        proc(42, 41, 202, {"game.exe", "--type=renderer"}),
    });
    CHECK(app_root(t, 33) == 30);
    CHECK(app_root(t, 32) == 30);
    CHECK(members_are(t, 30, {30, 31, 32, 33}));
    CHECK(app_root(t, 42) == 41);
    CHECK(members_are(t, 40, {40}));
    CHECK(members_are(t, 41, {41, 42}));
}

// Broken tables end: self-parents, helper loops (equal start times), duplicate
// pids, empty command lines, an argv[0] that looks like a marker, unknown pids.
void test_garbage_terminates() {
    const ProcessTable t({
        proc(5, 5, 10, {"x.exe", "--type=self"}), // its own parent
        proc(1, 2, 50, {"a.exe", "--type=a"}),    // 1 -> 2 -> 3 -> 1, all at tick 50
        proc(2, 3, 50, {"b.exe", "--type=b"}), proc(3, 1, 50, {"c.exe", "--type=c"}),
        proc(9, 3, 60, {"d.exe", "--type=d"}), // leads into the loop
        proc(7, 1, 70, {}),                    // no command line: never a helper
        proc(8, 1, 80, {"--type=not-an-argument"}),
        proc(2, 99, 1, {"duplicate.exe", "--type=x"}), // the first record of pid 2 wins
    });
    CHECK(t.size() == 7);
    CHECK(t.find(2)->exe_name == "b.exe");
    CHECK(app_root(t, 5) == 5);
    CHECK(app_root(t, 1) == 1 && app_root(t, 2) == 1 && app_root(t, 3) == 1);
    CHECK(app_root(t, 9) == 1);
    CHECK(app_root(t, 7) == 7 && app_root(t, 8) == 8);
    CHECK(app_root(t, 12345) == 12345); // not in the table
    CHECK(members_are(t, 1, {1, 2, 3, 9}));
    CHECK(!is_helper_of_parent(t, 12345));
    CHECK(app_root(ProcessTable(), 1) == 1);

    // A chain of 20000 helpers: linear time, no recursion.
    std::vector<ProcessRecord> chain;
    for (uint32_t pid = 1; pid <= 20000; ++pid)
        chain.push_back(proc(pid, pid - 1, pid, {"h.exe", "--type=h"}));
    const ProcessTable long_chain(std::move(chain));
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(app_root(long_chain, 20000) == 1);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
}

} // namespace

int main() {
    test_chromium_helpers_fold_into_a_silent_parent();
    test_firefox_content_process();
    test_python_child_is_its_own_app();
    test_venv_launcher_and_interpreter_stay_apart();
    test_helper_of_an_exited_parent_stands_alone();
    test_reused_parent_pid_folds_nothing();
    test_multi_level_helpers();
    test_garbage_terminates();
    return pypac_test::finish("test_process_tree");
}
