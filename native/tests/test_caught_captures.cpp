// CaughtCaptures: a held capture goes to the reader it was caught for (same
// format and ring) with the audio since the catch; a view with another ring
// only shares its hub; held ones expire after their hold time or once ended.
#include "caught_captures.hpp"
#include "check.hpp"
#include "pypac/engine.hpp"

#include <vector>

using namespace pypac;

namespace {
constexpr int64_t kSecond = 1'000'000'000;

void arm(CaughtCaptures &table) {
    CaughtCaptures::Settings s;
    s.format = CaptureFormat{1000, 1};
    s.ring_frames = 4000;
    s.hold_ns = 3 * kSecond;
    table.arm(s);
}

// Catch the app `pid` at `now` into `table`; returns the hub to feed it.
std::shared_ptr<CaptureHub> catch_app(CaughtCaptures &table, int64_t pid, int64_t now) {
    auto hub = std::make_shared<CaptureHub>(CaptureTarget::process(pid), CaptureFormat{1000, 1});
    auto reader = std::make_unique<CaptureReader>(hub, 4000);
    table.add(pid, hub, std::move(reader), 4000, now);
    return hub;
}
} // namespace

static void test_settings() {
    CaughtCaptures table;
    CaughtCaptures::Settings s;
    CHECK(!table.settings(s));
    arm(table);
    CHECK(table.settings(s) && s.ring_frames == 4000 && s.hold_ns == 3 * kSecond);
    table.disarm();
    CHECK(!table.settings(s));
}

static void test_taker_gets_the_backlog() {
    CaughtCaptures table;
    arm(table);
    auto hub = catch_app(table, 42, 0);
    std::vector<float> click(100, 0.5f);
    hub->on_frame_time(7 * kSecond);
    hub->on_frames(click.data(), 100); // the app's first sound, before anyone asked
    CHECK(table.take(43, CaptureFormat{1000, 1}, 4000, kSecond).reader == nullptr);
    CHECK(table.take(42, CaptureFormat{1000, 2}, 4000, kSecond).hub == nullptr);
    auto taken = table.take(42, CaptureFormat{1000, 1}, 4000, kSecond);
    CHECK(taken.reader != nullptr && taken.hub == hub);
    CHECK(table.size() == 0);
    std::vector<float> out(100);
    int64_t first_ns = 0;
    CHECK(taken.reader->read(out.data(), 100, 0.0, &first_ns) == 100);
    CHECK(out[0] == 0.5f && first_ns == 7 * kSecond);
}

static void test_view_shares_the_hub_only() {
    CaughtCaptures table;
    arm(table);
    auto hub = catch_app(table, 42, 0);
    auto view = table.take(42, CaptureFormat{1000, 1}, 500, kSecond);
    CHECK(view.reader == nullptr && view.hub == hub);
    CHECK(table.size() == 1); // still held for its recorder
    CHECK(table.take(42, CaptureFormat{1000, 1}, 4000, kSecond).reader != nullptr);
}

static void test_expiry() {
    CaughtCaptures table;
    arm(table);
    auto old_hub = catch_app(table, 1, 0);
    catch_app(table, 2, 2 * kSecond);
    auto ended = catch_app(table, 3, 2 * kSecond);
    ended->on_end(CaptureEnd::ProcessExited);
    CHECK(table.drop_stale(kSecond) == 1); // only the ended one
    CHECK(table.drop_stale(3 * kSecond) == 1);
    CHECK(old_hub.use_count() == 1); // the table let go of it
    CHECK(table.take(1, CaptureFormat{1000, 1}, 4000, 3 * kSecond).hub == nullptr);
    CHECK(table.take(2, CaptureFormat{1000, 1}, 4000, 5 * kSecond + 1).reader == nullptr);
    CHECK(table.size() == 0);
    catch_app(table, 4, 0);
    CHECK(table.clear() == 1 && table.size() == 0);
}

namespace {
// A backend that cannot catch (as WASAPI for now): the interface's defaults.
class PlainBackend final : public Backend {
  public:
    const char *name() const override { return "plain"; }
    void start(BackendListener &) override {}
    void stop() override {}
    void wait_connected(double) override {}
    bool connected() const override { return true; }
    void set_volume(int64_t, float) override {}
    void set_mute(int64_t, bool) override {}
    std::unique_ptr<CaptureStream> open_capture(const CaptureTarget &, const CaptureFormat &,
                                                CaptureSink &) override {
        return nullptr;
    }
};
} // namespace

static void test_backend_that_cannot_catch() {
    Engine engine(std::make_unique<PlainBackend>());
    bool unsupported = false;
    try {
        engine.catch_new_apps(CaptureFormat{48000, 2}, 20.0, 3.0);
    } catch (const EngineError &e) {
        unsupported = e.code() == ErrorCode::Unsupported;
    }
    CHECK(unsupported);
    bool invalid = false;
    try {
        engine.catch_new_apps(CaptureFormat{48000, 2}, 20.0, 0.0); // no hold time
    } catch (const EngineError &e) {
        invalid = e.code() == ErrorCode::InvalidArgument;
    }
    CHECK(invalid);
    engine.drop_stale_caught(); // harmless without catching
    engine.stop_catching();
    PlainBackend backend;
    std::shared_ptr<CaptureHub> hub;
    CHECK(backend.take_caught(42, CaptureFormat{48000, 2}, 960000, hub) == nullptr && !hub);
}

int main() {
    test_settings();
    test_taker_gets_the_backlog();
    test_view_shares_the_hub_only();
    test_expiry();
    test_backend_that_cannot_catch();
    return pypac_test::finish("test_caught_captures");
}
