"""`pypac-mixer`: parse the command line, set up demo or desktop mode, run the window.

pypac-mixer                 the desktop's sound server
pypac-mixer --demo          a private PulseAudio server with a few players
pypac-mixer --auto          the desktop's server if one answers, else demo mode;
                            with no display: offscreen, a screenshot, then exit
pypac-mixer --screenshot out.png --quit-after 3
pypac-mixer --new-instance  another mixer even when one runs (tests); demo mode,
                            --screenshot and --quit-after imply it

A second `pypac-mixer` shows the running one's window and exits (single_instance.py).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

STARTED = time.monotonic()  # first thing: the benchmark's first-paint clock starts here

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

if TYPE_CHECKING:
    from .main_window import MixerWindow

AUTO_OFFSCREEN_SECONDS = 4.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="pypac-mixer", description="PyPAC per-application mixer")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--demo", action="store_true", help="private server with demo players")
    mode.add_argument("--auto", action="store_true", help="desktop server, else demo mode")
    p.add_argument("--players", type=int, default=4, help="demo players (default 4)")
    p.add_argument(
        "--theme", choices=("dark", "light"), help="this run only (default: the stored theme)"
    )
    p.add_argument("--screenshot", type=Path, help="save a PNG of the window before quitting")
    p.add_argument("--quit-after", type=float, help="quit after this many seconds")
    p.add_argument(
        "--scope-screenshot",
        type=Path,
        help="open the first app's scope and save a PNG of it before quitting",
    )
    p.add_argument("--size", help="window size WIDTHxHEIGHT, e.g. 1500x560")
    p.add_argument(
        "--new-instance",
        action="store_true",
        help="start another mixer even when one is running (default: show that one)",
    )
    p.add_argument(
        "--stats",
        type=Path,
        help="write frame and timing figures as JSON, every second and on exit",
    )
    return p.parse_args(argv)


def desktop_server_answers() -> bool:
    from pypac import SessionEnumerator, engine
    from pypac.errors import PyPACError

    try:
        SessionEnumerator(connect_timeout=1.5).close()
        return True
    except PyPACError:
        engine.reset_engine()
        return False


def default_screenshot_path() -> Path:
    folder = Path.cwd() / "screenshots"
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        folder = Path(os.environ.get("TMPDIR", "/tmp"))
    return folder / f"pypac-mixer-{time.strftime('%Y%m%d-%H%M%S')}.png"


def main(argv: list[str] | None = None) -> int:
    from .demo import TONE_PLAYER_FLAG

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [TONE_PLAYER_FLAG]:  # the frozen build's demo players (see demo.py)
        from pypac.demo import tone_player

        return tone_player.main(argv[1:])
    args = parse_args(argv)
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if args.auto and headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        args.quit_after = args.quit_after or AUTO_OFFSCREEN_SECONDS
        args.screenshot = args.screenshot or default_screenshot_path()

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    single = not (args.new_instance or args.demo or args.screenshot or args.quit_after)
    if single:
        from .single_instance import ask_running_to_raise, instance_name

        if ask_running_to_raise(instance_name()):
            print("pypac-mixer: already running; showed its window", file=sys.stderr)
            return 0

    demo = None
    if args.demo or (args.auto and not desktop_server_answers()):
        from pypac.demo.pulse_server import ServerError

        from .demo import DemoSession

        print("pypac-mixer: no desktop sound server; demo mode", file=sys.stderr)
        try:
            demo = DemoSession(args.players).start()
        except ServerError as e:
            print(f"pypac-mixer: demo mode could not start its sound server: {e}", file=sys.stderr)
            return 1

    from .app_icons import install_icon_theme_chain
    from .integration import install_desktop_features
    from .main_window import MixerWindow
    from .settings import THEME
    from .settings_store import load_settings
    from .theme import apply_theme

    app.setApplicationName("PyPAC Mixer")
    # The installed desktop entry's id: Wayland matches the window to its icon by it.
    app.setDesktopFileName("org.pypac.PyPAC")
    install_icon_theme_chain()
    settings = load_settings(overrides={THEME: args.theme} if args.theme else None)
    window = MixerWindow(apply_theme(app, settings.value(THEME)), settings)
    install_desktop_features(app, window, settings)  # at once: the worker is already running
    if args.size:
        width, height = (int(v) for v in args.size.lower().split("x"))
        window.resize(width, height)
    window.show()
    if single:
        from .single_instance import InstanceServer, instance_name

        instance = InstanceServer(
            instance_name(),
            window.bring_to_front,
            on_replay=lambda args, reply: window.studio.save_replay(
                args.get("seconds"), args.get("name"), reply
            ),
        )
        if not instance.listening:
            print("pypac-mixer: cannot listen for other launches", file=sys.stderr)

    # Let Python see Ctrl+C / SIGTERM: Qt's loop would otherwise never return to it.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(200)

    def finish() -> None:
        scope = next(iter(window.scopes.values()), None)
        if args.scope_screenshot is not None and scope is not None:
            args.scope_screenshot.parent.mkdir(parents=True, exist_ok=True)
            scope.grab().save(str(args.scope_screenshot))
            print(f"pypac-mixer: scope screenshot saved to {args.scope_screenshot}", flush=True)
        if args.screenshot is not None:
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(args.screenshot))
            print(f"pypac-mixer: screenshot saved to {args.screenshot}", flush=True)
        app.quit()

    stats_timer = QTimer()
    if args.stats is not None:
        stats_timer.timeout.connect(lambda: write_stats(args.stats, window))
        stats_timer.start(1000)
    # Timers this function owns, not QTimer.singleShot: a single shot still
    # pending when a signal quits keeps its callable (and the window through
    # it) alive past the interpreter's end, which nanobind reports as leaks.
    quit_timer = QTimer(singleShot=True)
    quit_timer.timeout.connect(finish)
    if args.quit_after is not None:
        quit_timer.start(round(args.quit_after * 1000))
    scope_timer = QTimer(singleShot=True)
    scope_timer.timeout.connect(lambda: window.open_scope(min(k for k in window.strips if k)))
    if args.scope_screenshot is not None:
        scope_timer.start(1500)
    try:
        code = app.exec()
    finally:
        quit_timer.stop()
        scope_timer.stop()
        window.shutdown()
        if args.stats is not None:
            write_stats(args.stats, window)
        if demo is not None:
            demo.stop()
    return code


def write_stats(path: Path, window: MixerWindow) -> None:
    """The window's DrawProbe and strips as JSON, for bench/gui.py and the smoke test."""
    strips = window.strips
    stats = {
        "started": STARTED,
        **window.probe.as_dict(),
        "strips": len(strips),
        "strip_names": sorted(s.name for s in strips.values()),
        "drawn_strips": window.drawn_strip_count,
        "ended": time.monotonic(),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(stats))
    tmp.replace(path)  # readers never see half a file


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
