"""The window with three players, saved as a PNG and checked not to be blank."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from tests.support.strips import wait_strip


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
