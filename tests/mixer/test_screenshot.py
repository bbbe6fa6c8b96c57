"""The window with three players, saved as a PNG and checked not to be blank."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from tests.support.strips import sink_of, wait_strip


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    raw = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    return raw.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, : image.width(), :3]


def test_screenshot_with_three_players(qtbot, mixer, player, tmp_path):
    names = ("Music player", "Video call", "Game")
    procs = [player(330 + 110 * i, name=n, style="music") for i, n in enumerate(names)]
    strips = [wait_strip(qtbot, mixer, p.pid) for p in procs]
    mixer.resize(900, 540)
    qtbot.waitUntil(lambda: all(s.buffer.loudest() > 0.1 for s in strips), timeout=5000)
    qtbot.wait(400)

    path = tmp_path / "mixer.png"
    assert mixer.grab().save(str(path))
    image = QImage(str(path))
    assert (image.width(), image.height()) == (900, 540)
    px = _pixels(image)
    colours = np.unique(px.reshape(-1, 3)[::7], axis=0)
    assert len(colours) > 50, "the screenshot is (nearly) blank"
    wave = strips[0].waveform
    top_left = wave.mapTo(mixer, wave.rect().topLeft())
    plot = px[
        top_left.y() : top_left.y() + wave.height(), top_left.x() : top_left.x() + wave.width()
    ]
    # The waveform area holds the wave colour, not only its background.
    assert len(np.unique(plot.reshape(-1, 3), axis=0)) >= 2


def test_screenshots_with_devices(qtbot, qapp, mixer, player, sound_server, second_sink, tmp_path):
    """Two outputs (one app sent to the second), the master strip, dark and light,
    at the small, default and a large size: kept with $PYPAC_SCREENSHOT_DIR for review."""
    from pypac.mixer.flyout import TrayFlyout
    from pypac.mixer.integration import apply_theme_live
    from tests.support.screenshots import keep_screenshot

    procs = [player(330 + 110 * i, name=n, style="music") for i, n in enumerate(("Music", "Call"))]
    strips = [wait_strip(qtbot, mixer, p.pid) for p in procs]
    qtbot.waitUntil(lambda: all(s.route.isVisible() for s in strips), timeout=5000)
    combo = strips[1].route
    index = combo.findData(second_sink)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    qtbot.waitUntil(lambda: combo.device_id == second_sink, timeout=5000)
    for theme in ("dark", "light"):
        apply_theme_live(qapp, mixer, theme)
        for name, (w, h) in (
            ("small", (480, 320)),
            ("default", (860, 540)),
            ("large", (1400, 900)),
        ):
            mixer.resize(w, h)
            qtbot.waitUntil(lambda: all(s.buffer.loudest() > 0.1 for s in strips), timeout=5000)
            qtbot.wait(300)
            keep_screenshot(mixer.grab().toImage(), tmp_path, f"devices-{theme}-{name}.png")
        flyout = TrayFlyout(mixer)
        flyout.refresh(mixer.model.live_sessions())
        flyout.show()
        assert flyout.master.full_name == sink_of(sound_server)["description"]
        assert flyout.master.name.y() < min(r.name.y() for r in flyout.rows.values())
        keep_screenshot(flyout.grab().toImage(), tmp_path, f"flyout-{theme}.png")
        flyout.close()
        flyout.deleteLater()
    apply_theme_live(qapp, mixer, "dark")
