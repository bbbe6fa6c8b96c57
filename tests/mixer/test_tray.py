"""The tray: its Qt-free logic and icon here; the real thing (Xvfb + trayer, clicks
through the X server, both sound servers) in tests/support/tray_cases.py, run by
`test_tray_under_xvfb_with_a_tray_host` in a pytest of its own with
QT_QPA_PLATFORM=xcb (this process is offscreen, and Qt picks its platform once)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QIcon, QImage, QPainter

from pypac.engine import SessionInfo, SessionState
from pypac.mixer.all_apps import MuteAll, wheel_volume
from pypac.mixer.app_identity import app_identity
from pypac.mixer.tray_icon import tray_pixmap
from tests.support.screenshots import keep_screenshot
from tests.support.xserver import TrayDisplay

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "support" / "tray_cases.py"


def info(pid: int, muted: bool = False, name: str = "App") -> SessionInfo:
    return SessionInfo(pid, "bin", name, "", SessionState.ACTIVE, 1.0, muted, 0.0, 1, (pid,))


def test_mute_all_undoes_exactly_what_it_did():
    toggle = MuteAll(app_identity)
    a, b, c = info(1, name="A"), info(2, True, name="B"), info(3, name="C")
    assert toggle.toggle([a, b, c]) == [(1, True), (3, True)]  # B is muted already
    assert toggle.active
    # A restarted meanwhile (new pid, muted by the volume memory); the user unmuted C.
    a2, b, c = info(9, True, name="A"), info(2, True, name="B"), info(3, name="C")
    assert toggle.toggle([a2, b, c]) == [(9, False)]  # B stays muted, C is left alone
    assert not toggle.active


def test_the_wheel_stops_at_100_but_keeps_a_boost():
    assert wheel_volume(1.0, -1) == 0.95
    assert wheel_volume(1.0, +1) == 1.0  # at the top already
    assert wheel_volume(0.9, +4) == 1.0
    assert wheel_volume(1.5, -1) == 1.45  # a boost the user set is not cut to 100%
    assert wheel_volume(1.5, +1) == 1.5
    assert wheel_volume(0.03, -1) == 0.0


def _red(image: QImage, x: int, y: int) -> bool:
    c = QColor(image.pixel(x, y))
    return c.red() > 180 and c.green() < 90 and c.blue() < 90


@pytest.mark.parametrize("size", [22, 64])
def test_icon_shows_muted_and_recording_with_shapes(qapp, size):
    base = QIcon(str(ROOT / "app/pypac/mixer/icons/pypac-mixer.svg"))
    plain, muted, recording = (
        tray_pixmap(base, size, muted=m, recording=r).toImage()
        for m, r in ((False, False), (True, False), (False, True))
    )
    centre, dot = size // 2, (round(size * 0.76), round(size * 0.24))
    assert not _red(plain, centre, centre) and not _red(plain, *dot)
    assert _red(muted, centre, centre)  # the slash crosses the middle
    assert _red(recording, *dot) and not _red(recording, centre, centre)


def test_icon_states_picture(qapp, tmp_path):
    """All four looks side by side, on a dark and a light panel, kept for review."""
    base = QIcon(str(ROOT / "app/pypac/mixer/icons/pypac-mixer.svg"))
    image = QImage(4 * 72 + 8, 2 * 72 + 8, QImage.Format.Format_ARGB32)
    image.fill(QColor("#2b2d31"))
    p = QPainter(image)
    p.fillRect(0, 76, image.width(), 76, QColor("#eceef1"))
    for row in range(2):
        for col, (m, r) in enumerate(((False, False), (True, False), (False, True), (True, True))):
            p.drawPixmap(8 + col * 72, 8 + row * 76, tray_pixmap(base, 64, muted=m, recording=r))
    p.end()
    keep_screenshot(image, tmp_path, "tray-icon-states.png")


@pytest.mark.timeout(600)
def test_tray_under_xvfb_with_a_tray_host(tmp_path):
    """tray_cases.py on a private X display with trayer, against both servers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE_", "PIPEWIRE_"))}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # a private server's bus, not a desktop's
    env.pop("WAYLAND_DISPLAY", None)
    with TrayDisplay(tmp_path) as display:
        env.update(DISPLAY=display.name, QT_QPA_PLATFORM="xcb")
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-ra", str(CASES)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=540,
        )
    (tmp_path / "tray_cases.log").write_text(run.stdout + run.stderr)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "(no output)"
    print(f"tray_cases.py on {display.name}: {summary}")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 16, summary  # 8 cases x 2 servers, none skipped
    assert not re.search(r"skipped|deselected|xfail", summary), summary
