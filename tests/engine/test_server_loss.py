"""The server dies mid-capture: captures end cleanly, calls raise, and the
engine reconnects by itself once the server is back."""

from __future__ import annotations

import pytest

import pypac
from pypac import EventKind
from tests.support.waiting import wait_for_session, wait_until

RATE = 48000


def test_server_killed_mid_capture_then_back(sound_server, player):
    en = pypac.SessionEnumerator()
    p = player(440)
    wait_for_session(en, p.pid)
    cap = pypac.ProcessCapture(p.pid).start()
    assert cap.wait_for_frames(RATE // 4, timeout=5)

    sound_server.kill()
    wait_until(lambda: not cap.active, timeout=5)
    assert cap.end_reason == pypac.CaptureEndReason.SERVER_LOST
    assert len(cap.get_buffer()) >= RATE // 4  # what was captured is still readable
    assert len(cap.read(timeout=1.0)) == 0

    lost = wait_until(
        lambda: (e := en.wait_event(0.2)) and e.kind == EventKind.SERVER_LOST and e,
        timeout=5,
        interval=0,
    )
    assert lost.detail
    with pytest.raises(pypac.ServerUnavailableError, match="reconnects"):
        en.enumerate_sessions()
    with pytest.raises(pypac.ServerUnavailableError):
        en.set_session_volume(p.pid, 0.5)

    sound_server.restart()
    wait_until(
        lambda: (e := en.wait_event(0.2)) and e.kind == EventKind.SERVER_CONNECTED,
        timeout=10,
        interval=0,
    )
    assert en.enumerate_sessions() is not None
    q = player(1000)
    wait_for_session(en, q.pid)
    with pypac.ProcessCapture(q.pid) as again:
        assert again.wait_for_frames(RATE // 4, timeout=5)
    cap.stop()
    en.close()
