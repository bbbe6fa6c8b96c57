// Waits mean what their seconds say: inf and huge numbers wait (clamped, never
// overflowing to "no wait"), zero, negative and NaN do not wait.
#include "check.hpp"
#include "connection_state.hpp"
#include "pypac/event_queue.hpp"
#include "pypac/wait_time.hpp"

#include <chrono>
#include <limits>
#include <thread>

using namespace std::chrono;

static void test_conversion() {
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto longest = pypac::wait_time(pypac::kLongestWaitSeconds);
    CHECK(longest > hours(24 * 365 * 30));
    CHECK(pypac::wait_time(inf) == longest);
    CHECK(pypac::wait_time(1e300) == longest);
    CHECK(pypac::wait_time(1e10) == longest);
    CHECK(pypac::wait_time(0.0) == nanoseconds(0));
    CHECK(pypac::wait_time(-1.0) == nanoseconds(0));
    CHECK(pypac::wait_time(-inf) == nanoseconds(0));
    CHECK(pypac::wait_time(nan) == nanoseconds(0));
    CHECK(pypac::wait_time(0.25) == milliseconds(250));
    CHECK(pypac::wait_time_ms(0.0001) == 1); // rounded up: a short wait is not "no wait"
    CHECK(pypac::wait_time_ms(inf) == 1000LL * 1000000000LL);
}

// The old conversion turned inf and 1e10 into a wait of nothing.
template <typename Wait, typename Wake> static bool waits_until_woken(Wait wait, Wake wake) {
    const auto start = steady_clock::now();
    std::thread waker([&] {
        std::this_thread::sleep_for(milliseconds(200));
        wake();
    });
    wait();
    waker.join();
    return steady_clock::now() - start >= milliseconds(150);
}

static void test_event_queue_waits_for_inf_and_huge() {
    for (double seconds : {std::numeric_limits<double>::infinity(), 1e10, 1e300}) {
        pypac::EventQueue queue;
        bool got = false;
        CHECK(waits_until_woken([&] { got = queue.wait(seconds).has_value(); },
                                [&] { queue.push(pypac::SessionEvent{}); }));
        CHECK(got);
    }
    pypac::EventQueue queue;
    const auto start = steady_clock::now();
    CHECK(!queue.wait(0.0).has_value());
    CHECK(!queue.wait(-5.0).has_value());
    CHECK(!queue.wait(std::numeric_limits<double>::quiet_NaN()).has_value());
    CHECK(steady_clock::now() - start < milliseconds(100));
}

static void test_connection_state_waits_for_inf() {
    pypac::ConnectionState state;
    state.begin_attempt();
    bool connected = false;
    CHECK(
        waits_until_woken([&] { connected = state.wait(std::numeric_limits<double>::infinity()); },
                          [&] { state.settle(true, ""); }));
    CHECK(connected);
}

int main() {
    test_conversion();
    test_event_queue_waits_for_inf_and_huge();
    test_connection_state_waits_for_inf();
    return pypac_test::finish("test_wait_time");
}
