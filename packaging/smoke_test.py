"""Smoke test of the frozen one-folder build: do the built programs run and see the sessions?

    .venv/bin/python packaging/smoke_test.py [--dist build/frozen/dist/pypac-mixer]
                                             [--server pulseaudio|pipewire|none]

Run it with a Python that has pypac installed (the venv) from a checkout: the private sound
server comes from tests/support and the tone player from the installed pypac, while
everything under test runs from the frozen folder. With a server, one tone player
("Smoke tone") plays to it and the checks are:

  layout          both programs, the native engine and pypac/resources are in the folder
  pypac list      the frozen CLI lists the player's pid and name as JSON
  pypac-mixer     the frozen mixer runs offscreen for 4 s and exits 0
  pypac replay    the frozen CLI asks the frozen mixer (replay on) for its last second
  screenshot      its window grab is a real picture, not one flat colour
  stats           its --stats JSON counts the System strip and the player's strip
  install-desktop the frozen CLI writes a desktop entry whose Exec= is the frozen mixer

`--server none` (Windows, or no PulseAudio) keeps the checks that need no server: the CLI
may answer "no sound server" (exit 4) and the mixer shows only its System strip.
Prints one PASS/FAIL line per check and exits 1 if any failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.support: the private sound servers
EXE = ".exe" if os.name == "nt" else ""
TONE_NAME = "Smoke tone"
MIXER_SECONDS = 4


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def report(self, name: str, ok: bool, detail: str) -> bool:
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def run(argv: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(argv, -1, str(exc.stdout or ""), f"timed out: {exc}")


def tail(text: str, lines: int = 6) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


@contextmanager
def sound_server(kind: str, root: Path) -> Iterator[tuple[dict[str, str], int | None]]:
    """(environment for clients, tone player pid): a private server with one player."""
    if kind == "none":
        yield dict(os.environ), None
        return
    from tests.support.sound_servers import PrivateServer

    from pypac.demo.processes import stop_processes

    with PrivateServer(kind, root / kind) as server:
        player = subprocess.Popen(
            [sys.executable, "-m", "pypac.demo.tone_player", "--freq", "440", "--name", TONE_NAME],
            env=server.env,
        )
        try:
            yield server.env, player.pid
        finally:
            stop_processes([player])


# ---- the checks ------------------------------------------------------------------------


def check_layout(checks: Checks, dist: Path) -> bool:
    internal = dist / "_internal"
    engine = sorted(internal.glob("pypac/_engine*"))
    wanted = {
        "pypac-mixer": (dist / f"pypac-mixer{EXE}").is_file(),
        "pypac": (dist / f"pypac{EXE}").is_file(),
        "pypac/_engine": bool(engine),
        "pypac/resources": (internal / "pypac/resources/linux/org.pypac.PyPAC.desktop").is_file(),
    }
    missing = [name for name, present in wanted.items() if not present]
    return checks.report(
        "layout",
        not missing,
        f"missing {', '.join(missing)} in {dist}" if missing else f"{engine[0].name} and resources",
    )


def check_list(checks: Checks, dist: Path, env: dict[str, str], pid: int | None) -> None:
    argv = [str(dist / f"pypac{EXE}"), "list", "--json"]
    if pid is None:
        out = run(argv, env, 30)
        ok = out.returncode == 4 or (
            out.returncode == 0 and isinstance(json.loads(out.stdout), list)
        )
        checks.report(
            "pypac list", ok, f"exit {out.returncode} without a server ({tail(out.stderr)})"
        )
        return
    deadline = time.monotonic() + 15  # the player needs a moment to open its stream
    while True:
        out = run(argv, env, 30)
        rows = json.loads(out.stdout) if out.returncode == 0 and out.stdout.strip() else []
        match = [
            r for r in rows if r.get("process_id") == pid and r.get("display_name") == TONE_NAME
        ]
        if match or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    detail = (
        f"pid {pid} {TONE_NAME!r} listed"
        if match
        else f"pid {pid} not listed; exit {out.returncode}, rows {rows}, stderr: {tail(out.stderr)}"
    )
    checks.report("pypac list", bool(match), detail)


def check_mixer(checks: Checks, dist: Path, env: dict[str, str], work: Path, server: bool) -> None:
    shot, stats = work / "mixer.png", work / "stats.json"
    # Its own settings file: a smoke test must not write the user's.
    env = dict(env, QT_QPA_PLATFORM="offscreen", PYPAC_MIXER_SETTINGS=str(work / "mixer.ini"))
    argv = [str(dist / f"pypac-mixer{EXE}"), "--quit-after", str(MIXER_SECONDS)]
    argv += ["--screenshot", str(shot), "--stats", str(stats)]
    started = time.monotonic()
    out = run(argv, env, MIXER_SECONDS + 60)
    took = time.monotonic() - started
    ok = checks.report(
        "pypac-mixer",
        out.returncode == 0,
        f"exit {out.returncode} after {took:.1f} s"
        + ("" if out.returncode == 0 else f": {tail(out.stderr)}"),
    )
    if not ok:
        return
    checks.report("screenshot", *picture_check(shot))
    try:
        figures = json.loads(stats.read_text())
    except (OSError, ValueError) as exc:
        checks.report("stats", False, f"cannot read {stats}: {exc}")
        return
    wanted = 2 if server else 1  # the System strip, plus the player's
    names = figures.get("strip_names")  # reported by newer mixers: then check the name too
    ok = figures.get("strips", 0) >= wanted and (names is None or TONE_NAME in names or not server)
    checks.report("stats", ok, f"strips {figures.get('strips')} (want >= {wanted}), names {names}")


def check_demo(checks: Checks, dist: Path, work: Path) -> None:
    """`pypac-mixer --demo` from the frozen folder: its own server and players
    (the executable runs itself as the tone players: no Python there)."""
    stats = work / "demo-stats.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYPAC_MIXER_SETTINGS"] = str(work / "demo.ini")
    env.pop("PULSE_SERVER", None)
    argv = [str(dist / f"pypac-mixer{EXE}"), "--demo", "--players", "2"]
    argv += ["--quit-after", str(MIXER_SECONDS), "--stats", str(stats)]
    out = run(argv, env, MIXER_SECONDS + 60)
    try:
        names = json.loads(stats.read_text()).get("strip_names", [])
    except (OSError, ValueError):
        names = []
    ok = out.returncode == 0 and {"Music player", "Video call"} <= set(names)
    detail = (
        f"strips {names}" if out.returncode == 0 else f"exit {out.returncode}: {tail(out.stderr)}"
    )
    checks.report("demo mode", ok, detail)


def picture_check(path: Path) -> tuple[bool, str]:
    """Not blank: a grid of samples must hold several colours (a blank grab holds one)."""
    from PySide6.QtGui import QImage  # pypac depends on PySide6; PNG decoding needs no app

    image = QImage(str(path))
    if image.isNull():
        return False, f"{path} is missing or not an image"
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), max(1, image.width() // 40))
        for y in range(0, image.height(), max(1, image.height() // 40))
    }
    return len(colours) >= 8, f"{image.width()}x{image.height()}, {len(colours)} sampled colours"


def check_install_desktop(checks: Checks, dist: Path, work: Path) -> None:
    if not sys.platform.startswith("linux"):
        return
    home = work / "share"
    out = run(
        [str(dist / "pypac"), "install-desktop"], dict(os.environ, XDG_DATA_HOME=str(home)), 30
    )
    desktop = home / "applications" / "org.pypac.PyPAC.desktop"
    exec_line = ""
    if desktop.is_file():
        exec_line = next((x for x in desktop.read_text().splitlines() if x.startswith("Exec=")), "")
    want = f"Exec={(dist / 'pypac-mixer').absolute()}"
    ok = out.returncode == 0 and exec_line == want
    checks.report("install-desktop", ok, exec_line or f"exit {out.returncode}: {tail(out.stderr)}")


def check_replay(checks: Checks, dist: Path, env: dict[str, str], work: Path) -> None:
    """The frozen mixer with instant replay on, asked by the frozen `pypac replay`
    over the single-instance socket: a take folder whose System track holds sound."""
    settings = work / "replay.ini"
    settings.write_text(f"[recording]\nfolder={work / 'replays'}\n[replay]\nenabled=true\n")
    env = dict(
        env,
        QT_QPA_PLATFORM="offscreen",
        PYPAC_MIXER_SETTINGS=str(settings),
        PYPAC_MIXER_INSTANCE=str(work / "replay.socket"),
    )
    log = (work / "replay-mixer.log").open("w")
    mixer = subprocess.Popen(
        [str(dist / f"pypac-mixer{EXE}")],  # (--quit-after would leave out the socket)
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    answer = None
    started = time.monotonic()
    try:
        # Until it listens and its buffer holds a second of the tone.
        while time.monotonic() - started < 40 and mixer.poll() is None:
            answer = run([str(dist / f"pypac{EXE}"), "replay", "--seconds", "1"], env, 30)
            if answer.returncode == 0 and _holds_sound(Path(answer.stdout.strip())):
                break
            time.sleep(1.0)
    finally:
        mixer.terminate()
        mixer.wait(15)
        log.close()
    said = (work / "replay-mixer.log").read_text()
    ok = answer is not None and answer.returncode == 0
    if answer is None:
        detail = f"the mixer ({mixer.returncode}) ended at once: {tail(said)}"
    elif ok:
        detail = f"{answer.stdout.strip()} holds the tone, {time.monotonic() - started:.1f} s"
    else:
        detail = f"exit {answer.returncode}: {tail(answer.stderr)}; the mixer said: {tail(said)}"
    checks.report("pypac replay", ok, detail)
    clean = mixer.returncode == 0 and "leaked" not in said and "Traceback" not in said
    checks.report(
        "SIGTERM",
        clean,
        f"the mixer exited {mixer.returncode}" + ("" if clean else f": {tail(said)}"),
    )


def _holds_sound(folder: Path) -> bool:
    import numpy as np
    import soundfile as sf

    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        audio, _ = sf.read(folder / manifest["tracks"][0]["file"], dtype="float32")
    except (OSError, ValueError, KeyError, IndexError, sf.LibsndfileError):
        return False
    return bool(len(audio)) and float(np.abs(audio).max()) > 0.1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Smoke test of the frozen PyPAC build.")
    parser.add_argument("--dist", type=Path, default=ROOT / "build/frozen/dist/pypac-mixer")
    parser.add_argument("--server", choices=("pulseaudio", "pipewire", "none"))
    args = parser.parse_args(argv)
    server = args.server or ("none" if os.name == "nt" else "pulseaudio")
    dist = args.dist.absolute()

    checks = Checks()
    if check_layout(checks, dist):
        with tempfile.TemporaryDirectory(prefix="pypac-smoke-") as tmp:
            work = Path(tmp)
            try:
                with sound_server(server, work) as (env, pid):
                    check_list(checks, dist, env, pid)
                    check_mixer(checks, dist, env, work, server=pid is not None)
                    if pid is not None:
                        check_replay(checks, dist, env, work)
            except Exception as exc:  # a server that cannot start is a failure, not a skip
                checks.report("sound server", False, f"{type(exc).__name__}: {exc}")
            if server != "none":
                check_demo(checks, dist, work)
            check_install_desktop(checks, dist, work)
    print(f"smoke test: {checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
