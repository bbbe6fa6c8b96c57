"""A per-stream monitor the server links to nothing is linked again.

pipewire-pulse now and then makes a stream's monitor ready without linking it
(seen in CI right after another capture of the same stream closed): the capture
then heard nothing of a playing app for as long as it ran. The fault is made
here on purpose, by removing the monitor's links with `pw-link -d` (pipewire-bin),
and the capture must hear the app again within seconds. (A monitor cut after it
sent sound looks like one pipewire-pulse merely holds back under load, which
sends all of it later; the engine gives such a monitor 6 s before it links a
new one, so here the app is heard again after ~6.5 s.)

Only an app's capture is cut here. Cut the same way, an "everything but X" capture
came back in CI at about twice the app's level with a trace of X (-32 dB): what
WirePlumber does with a capture node whose links another program removed is not
the fault itself. That one was met in "everything but X" by test_native_clients.py
(CI), and recovers: under load, 0 of 37 tries stayed silent.
"""

from __future__ import annotations

import subprocess
import time

import pytest

import pypac
from tests.support.spectrum import dominant_frequency
from tests.support.waiting import capture_sound_for, wait_for_session, wait_until

RATE = 48000

pytestmark = pytest.mark.parametrize("_private_server", ["pipewire"], indirect=True)


def _our_links(sound_server) -> list[str]:
    """The ids of the links into PyPAC's capture streams (`pw-link -l -I`)."""
    listing = subprocess.run(
        ["pw-link", "-l", "-I"], env=sound_server.env, capture_output=True, text=True, timeout=10
    ).stdout.splitlines()
    ids = []
    port = ""
    for line in listing:
        if "|" not in line:
            port = line
        elif "PyPAC:" in port and "|<-" in line:
            ids.append(line.split()[0])
    return ids


def test_a_monitor_left_unlinked_is_linked_again(sound_server, enumerator, player):
    app = player(440, name="Unlinked")
    wait_for_session(enumerator, app.pid)
    with pypac.ProcessCapture(app.pid) as cap:
        capture_sound_for(cap, 0.3)
        links = wait_until(lambda: _our_links(sound_server))
        for link in links:
            subprocess.run(["pw-link", "-d", link], env=sound_server.env, check=True, timeout=10)
        unlinked_at = time.monotonic()
        wait_until(lambda: not set(links) & set(_our_links(sound_server)))
        while len(cap.read(timeout=0.1)):  # what came before the cut
            pass
        # No audio while unlinked; the capture links a new monitor and hears the app.
        audio = capture_sound_for(cap, 0.5, onset_timeout=20.0)
        print(f"\nheard again {time.monotonic() - unlinked_at:.2f} s after the cut")
        assert cap.active
    assert dominant_frequency(audio, RATE) == pytest.approx(440, abs=3)
