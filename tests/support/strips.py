"""Waiting for the mixer's strips and the server's streams, for the mixer tests."""

from __future__ import annotations

from typing import Any

from pypac.mixer.main_window import MixerWindow
from pypac.mixer.strip import ChannelStrip


def wait_strip(qtbot: Any, window: MixerWindow, pid: int, timeout: int = 10000) -> ChannelStrip:
    """The strip of `pid` once its app plays (PipeWire first lists a new stream
    corked at volume 0, then playing at its real volume) and the strip is shown
    (a strip added to the row is shown by the layout a moment later; keys a
    user presses go to visible strips only). Generous: five players starting at
    once on a loaded two-core machine take a while to import numpy."""
    from pypac.mixer.session_model import StripPhase

    def playing() -> bool:
        strip = window.strips.get(pid)
        return (
            strip is not None
            and strip.phase is StripPhase.PLAYING
            and strip.volume > 0
            and strip.isVisible()
        )

    qtbot.waitUntil(playing, timeout=timeout)
    return window.strips[pid]


def stream_of(sound_server: Any, pid: int) -> dict[str, Any] | None:
    return next((s for s in sound_server.sink_inputs() if s["pid"] == pid), None)


def wait_captures(qtbot: Any, sound_server: Any, check: Any, timeout: int = 6000) -> None:
    """Wait until `check(number of capture streams on the server)`; on timeout,
    fail naming the streams (pipewire-pulse drops closed ones after a moment)."""
    try:
        qtbot.waitUntil(lambda: check(len(sound_server.source_outputs())), timeout=timeout)
    except qtbot.TimeoutError:
        outputs = [o["media_name"] for o in sound_server.source_outputs()]
        raise AssertionError(f"capture streams on the server: {outputs}") from None


def sink_of(sound_server: Any, name: str | None = None) -> dict[str, Any]:
    """An output device as the server shows it (the default one unless named):
    name, mute, volume in % per channel."""
    import json

    wanted = name or sound_server.pactl("get-default-sink").strip()
    rows = json.loads(sound_server.pactl("--format=json", "list", "sinks") or "[]")
    sink = next(r for r in rows if r["name"] == wanted)
    return {
        "index": sink["index"],
        "name": sink["name"],
        "description": sink.get("description", ""),
        "mute": bool(sink.get("mute")),
        "volume_percent": [
            int(str(ch["value_percent"]).rstrip("%")) for ch in sink.get("volume", {}).values()
        ],
    }
