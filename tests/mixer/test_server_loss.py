"""The server dies under the mixer: a banner says so, and everything comes back."""

from __future__ import annotations

from tests.support.strips import wait_strip


def test_server_loss_shows_banner_and_recovers(qtbot, mixer, player, sound_server):
    p = player(440, name="Before")
    wait_strip(qtbot, mixer, p.pid)
    assert not mixer.banner.isVisible()

    sound_server.kill()
    qtbot.waitUntil(lambda: mixer.banner.isVisible(), timeout=5000)
    assert "Sound server unreachable" in mixer.banner.text()
    assert "Reconnecting" in mixer.banner.text()

    sound_server.restart()
    qtbot.waitUntil(lambda: not mixer.banner.isVisible(), timeout=10000)
    # The status bar says where things stand now, not what was true before.
    assert mixer.statusBar().currentMessage().startswith("Connected to the sound server")
    assert "unreachable" not in mixer.statusBar().currentMessage()
    qtbot.waitUntil(lambda: p.pid not in mixer.strips, timeout=5000)  # it died with the server
    q = player(660, name="After")
    strip = wait_strip(qtbot, mixer, q.pid)
    qtbot.waitUntil(lambda: strip.buffer.loudest() > 0.3, timeout=5000)
