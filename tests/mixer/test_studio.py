"""Armed strips, the master Record and instant replay in the mixer; `pypac replay`
against a running mixer (its own socket through $PYPAC_MIXER_INSTANCE)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pypac.cli.exits import EXIT_NO_APP, EXIT_NO_MIXER, EXIT_OK, EXIT_REPLAY_OFF
from pypac.mixer.session_model import StripPhase
from pypac.mixer.settings import REPLAY_ENABLED, REPLAY_SECONDS
from pypac.mixer.single_instance import InstanceServer
from pypac.mixer.studio import NOTHING_ARMED
from tests.support.spectrum import dominant_frequency, isolation_db
from tests.support.strips import wait_strip

RATE = 48000


def read_take(folder: Path) -> tuple[dict, list]:
    manifest = json.loads((folder / "manifest.json").read_text())
    tracks = [
        sf.read(folder / t["file"], dtype="float32", always_2d=True)[0] for t in manifest["tracks"]
    ]
    return manifest, tracks


def assert_tones(tracks: list, freqs: tuple[float, float]) -> None:
    """Each track carries its own tone, alone."""
    assert len({len(t) for t in tracks}) == 1  # the same length, sample-aligned
    for track, wanted, unwanted in zip(tracks, freqs, freqs[::-1]):
        assert abs(dominant_frequency(track, RATE) - wanted) < 5
        assert isolation_db(track, RATE, wanted, unwanted) > 30


def replay_cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pypac", "replay", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_master_record_takes_the_armed_strips(qtbot, mixer, player, tmp_path):
    studio, bar = mixer.studio, mixer.studio.bar
    bar.record_button.click()  # nothing armed: a clear word, no take
    assert not bar.record_button.isChecked() and NOTHING_ARMED in mixer.messages[-1]
    a, b = player(440, name="Armed A"), player(1000, name="Armed B")
    unarmed = player(660, name="Not armed")
    strips = [wait_strip(qtbot, mixer, p.pid) for p in (a, b, unarmed)]
    place = bar.record_button.geometry()
    for s in strips[:2]:
        s.arm_button.click()
    assert sorted(studio.armed_keys()) == sorted([a.pid, b.pid])  # (in the row's order)
    bar.record_button.click()
    qtbot.waitUntil(lambda: studio.take is not None, timeout=10000)
    qtbot.waitUntil(lambda: studio.take.status.frames >= 2 * RATE, timeout=15000)
    assert bar.record_button.text().startswith("■ Stop")
    assert bar.record_button.geometry() == place  # the elapsed time moves nothing
    assert mixer.recording_count == 1
    bar.record_button.click()
    qtbot.waitUntil(lambda: studio.last_saved is not None, timeout=15000)
    folder = studio.last_saved
    assert folder.parent == tmp_path / "recordings" and folder.name.startswith("take-")
    manifest, tracks = read_take(folder)
    labels = [t["label"] for t in manifest["tracks"]]
    assert sorted(labels) == ["Armed A", "Armed B"]
    assert len(tracks[0]) >= 2 * RATE
    assert_tones(tracks, (440, 1000) if labels[0] == "Armed A" else (1000, 440))
    saved = mixer.messages[-1]  # the folder, the length, each track's loudness
    assert str(folder) in saved and saved.count("LUFS") == 2, saved
    assert bar.open_button.isVisible() and bar.record_button.text() == "● Record armed"
    # Armed by app: the strip's toggle and the memory agree; unarming takes it out.
    strips[0].arm_button.click()
    assert studio.armed_keys() == [b.pid]


def test_replay_off_then_on_in_the_mixer(qtbot, mixer, player, tmp_path, sound_server):
    """Replay off: `pypac replay` says so (exit 7); turned on in the settings, it keeps
    the System (nothing armed) and saves it (the button) and the CLI's request."""
    name = str(tmp_path / "mixer.socket")
    server = InstanceServer(
        name,
        lambda: None,
        on_replay=lambda args, reply: mixer.studio.save_replay(
            args.get("seconds"), args.get("name"), reply
        ),
    )
    env = {**sound_server.env, "PYPAC_MIXER_INSTANCE": name}
    try:
        off = replay_cli(env)
        qtbot.waitUntil(lambda: off.poll() is not None, timeout=20000)
        assert off.returncode == EXIT_REPLAY_OFF, off.stderr.read()
        assert "instant replay is off" in off.stderr.read()
        assert not mixer.studio.bar.replay_button.isEnabled()

        p = player(550, name="Replayed")
        wait_strip(qtbot, mixer, p.pid)
        mixer.settings.set_value(REPLAY_SECONDS, 2)
        mixer.settings.set_value(REPLAY_ENABLED, True)
        qtbot.waitUntil(lambda: mixer.studio.replay is not None, timeout=10000)
        replay = mixer.studio.replay
        assert replay.labels == ["system"] and replay.memory_bytes == 2 * RATE * 2 * 4
        # The System heard (its first audio can come late on a loaded machine), then 1 s more.
        qtbot.waitUntil(lambda: replay.status.tracks[0].level > 0.1, timeout=15000)
        heard = replay.status.frames
        qtbot.waitUntil(lambda: replay.status.frames >= heard + 1.2 * RATE, timeout=15000)
        assert mixer.studio.bar.replay_button.isEnabled()
        cli = replay_cli(env, "--seconds", "1")
        qtbot.waitUntil(lambda: cli.poll() is not None, timeout=20000)
        assert cli.returncode == EXIT_OK, cli.stderr.read()
        folder = Path(cli.stdout.read().strip())
        assert folder.parent == tmp_path / "recordings" and folder.name.startswith("replay-")
        _, (track,) = read_take(folder)
        assert abs(len(track) - RATE) <= RATE // 100
        assert abs(dominant_frequency(track, RATE) - 550) < 5
        # Armed, the app is kept instead; when it exits, what it played stays to save.
        strip = mixer.strips[p.pid]
        strip.arm_button.click()
        qtbot.waitUntil(lambda: mixer.studio.replay is not replay, timeout=10000)
        replay = mixer.studio.replay
        assert replay is not None and replay.labels == ["Replayed"]
        qtbot.waitUntil(lambda: replay.status.frames >= RATE, timeout=15000)
        p.kill()
        qtbot.waitUntil(lambda: strip.phase is StripPhase.EXITED, timeout=10000)
        assert mixer.studio._replay_sent == [p.pid]  # not asked to start anew
        assert mixer.studio.replay is replay
    finally:
        server.server.close()


@pytest.mark.timeout(90)
def test_pypac_replay_asks_the_running_mixer(player, sound_server, tmp_path):
    """A real `pypac-mixer` (replay on, two armed... none armed: the System) answers
    `pypac replay`; with no mixer, the documented exit code and message."""
    socket = tmp_path / "mixer.socket"
    settings = tmp_path / "mixer.ini"
    settings.write_text(
        f"[recording]\nfolder={tmp_path / 'recordings'}\n[replay]\nenabled=true\nseconds=3\n"
    )
    env = {
        **sound_server.env,
        "QT_QPA_PLATFORM": "offscreen",
        "PYPAC_MIXER_INSTANCE": str(socket),
        "PYPAC_MIXER_SETTINGS": str(settings),
    }
    nobody = subprocess.run(
        [sys.executable, "-m", "pypac", "replay"], env=env, capture_output=True, text=True
    )
    assert nobody.returncode == EXIT_NO_MIXER
    assert "no PyPAC mixer is running" in nobody.stderr
    player(770, name="Heard")
    mixer = subprocess.Popen([sys.executable, "-m", "pypac.mixer.app"], env=env)
    try:
        deadline = time.monotonic() + 30
        answer, track = None, None
        # Until it listens and its replay holds the tone (the System's first audio can
        # come a while after the capture opened: the replay holds silence till then).
        while time.monotonic() < deadline:
            answer = subprocess.run(
                [sys.executable, "-m", "pypac", "replay", "--seconds", "1"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if answer.returncode == EXIT_OK:
                manifest, (track,) = read_take(Path(answer.stdout.strip()))
                if np.abs(track).max() > 0.1:
                    break
            time.sleep(0.5)
        assert answer is not None and answer.returncode == EXIT_OK, answer.stderr
        assert track is not None and np.abs(track).max() > 0.1, "the replay held only silence"
        assert manifest["tracks"][0]["source"]["kind"] == "system"
        assert abs(dominant_frequency(track, RATE) - 770) < 5
        named = subprocess.run(
            [sys.executable, "-m", "pypac", "replay", "--name", "Nope"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert named.returncode == EXIT_NO_APP and "keeps no app named 'Nope'" in named.stderr
    finally:
        mixer.terminate()
        mixer.wait(15)
    assert os.path.exists(tmp_path / "recordings")


def test_screenshot_of_armed_strips_and_the_master_record(qtbot, qapp, mixer, player, tmp_path):
    """Two armed strips of three, a take running, replay on: at the default and the
    small size, kept with $PYPAC_SCREENSHOT_DIR (the README's mixer-studio.png)."""
    from PySide6.QtCore import QPoint, QRect

    from pypac.mixer.integration import install_desktop_features
    from tests.support.screenshots import keep_screenshot

    install_desktop_features(qapp, mixer, mixer.settings, tray=False)  # the ⚙ Settings button
    names = ("Music player", "Video call", "Game")
    procs = [player(330 + 110 * i, name=n, style="music") for i, n in enumerate(names)]
    strips = [wait_strip(qtbot, mixer, p.pid) for p in procs]
    for s in strips[:2]:
        s.arm_button.click()
    mixer.settings.set_value(REPLAY_ENABLED, True)
    qtbot.waitUntil(lambda: mixer.studio.replay is not None, timeout=10000)
    bar = mixer.studio.bar
    bar.record_button.click()
    qtbot.waitUntil(
        lambda: mixer.studio.take is not None and mixer.studio.take.status.frames > 48000,
        timeout=15000,
    )
    status = mixer.statusBar()
    for name, (w, h) in (("default", (860, 540)), ("small", (480, 320))):
        mixer.resize(w, h)
        qtbot.waitUntil(lambda w=w, h=h: (mixer.width(), mixer.height()) == (w, h))
        qtbot.wait(600)  # the waveforms and the elapsed time drawn
        keep_screenshot(mixer.grab().toImage(), tmp_path, f"mixer-studio-{name}.png")
        # Every control of the bar whole inside the status bar, none over another.
        controls = [
            bar.record_button,
            bar.replay_button,
            *status.findChildren(type(bar.replay_button)),
        ]
        rects = [QRect(c.mapTo(mixer, QPoint(0, 0)), c.size()) for c in controls if c.isVisible()]
        outer = QRect(status.mapTo(mixer, QPoint(0, 0)), status.size())
        for i, r in enumerate(rects):
            assert outer.contains(r), (name, r, outer)
            assert not any(r.intersects(o) for o in rects[i + 1 :] if o != r), (name, rects)
    bar.record_button.click()
    qtbot.waitUntil(lambda: mixer.studio.last_saved is not None, timeout=15000)


def test_settings_show_the_replay_memory_and_turn_it_on(qtbot, qapp, tmp_path):
    from PySide6.QtWidgets import QDialogButtonBox

    from pypac.mixer.settings import RECORDING_FOLDER, MixerSettings
    from pypac.mixer.settings_dialog import SettingsDialog

    settings = MixerSettings({RECORDING_FOLDER: str(tmp_path)})
    dialog = SettingsDialog(settings, replay_sources=lambda: 2)
    qtbot.addWidget(dialog)
    assert not dialog.replay_check.isChecked()  # off by default
    assert dialog.replay_seconds.value() == 30
    assert dialog.replay_memory.text() == "23.0 MB of memory (2 sources)"  # 30 x 48000 x 2 x 4 x 2
    dialog.replay_seconds.setValue(10)
    assert dialog.replay_memory.text() == "7.7 MB of memory (2 sources)"
    dialog.replay_check.setChecked(True)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert settings.value(REPLAY_ENABLED) is True and settings.value(REPLAY_SECONDS) == 10


def test_master_record_takes_the_system_and_the_microphone(
    qtbot, mixer, player, sound_server, fake_mic
):
    from pypac.demo.processes import stop_processes
    from tests.conftest import MIC_FEED

    sound_server.pactl("set-default-source", fake_mic)
    voice = subprocess.Popen(  # what the microphone hears
        [
            *("gst-launch-1.0", "-q", "audiotestsrc", "wave=sine", "freq=880", "volume=0.3"),
            *("!", "pulsesink", f"device={MIC_FEED}"),
        ],
        env=sound_server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_strip(qtbot, mixer, player(440, name="Heard").pid)
        master = mixer.system_strip
        qtbot.waitUntil(lambda: master.mic_arm_button.isVisible(), timeout=5000)
        master.arm_button.click()
        master.mic_arm_button.click()
        assert mixer.studio.armed_keys() == [0, -1]  # the System, then the microphone
        mixer.studio.toggle_record()  # the tray's way
        qtbot.waitUntil(
            lambda: mixer.studio.take is not None and mixer.studio.take.status.frames > RATE,
            timeout=15000,
        )
        mixer.studio.toggle_record()
        qtbot.waitUntil(lambda: mixer.studio.last_saved is not None, timeout=15000)
    finally:
        stop_processes([voice])
    manifest, tracks = read_take(mixer.studio.last_saved)
    assert [t["source"]["kind"] for t in manifest["tracks"]] == ["system", "device"]
    assert manifest["tracks"][1]["source"]["name"] == fake_mic
    assert len(tracks[0]) == len(tracks[1]) >= RATE
    # (Which output the System track hears depends on which sink the server made the
    # default as the feed sink came: the replay test checks the System's sound.)
    assert abs(dominant_frequency(tracks[1], RATE) - 880) < 5


def test_tray_items_record_armed_and_save_replay(qtbot, mixer, tmp_path):
    from pypac.mixer.tray import MixerTray

    tray = MixerTray(mixer, mixer.settings, quit_app=lambda: None)
    try:
        tray.refresh()
        assert tray.record_armed_action.text() == "Record armed"
        assert not tray.save_replay_action.isEnabled()  # replay is off by default
        tray.record_armed_action.trigger()
        assert NOTHING_ARMED in mixer.messages[-1]
        mixer.studio.save_replay()  # what the item does: says why not
        assert "Instant replay is off" in mixer.messages[-1]
        # A source that cannot be opened: the take does not start, and says why.
        mixer.link.start_take([-1], tmp_path / "take", "flac")  # the microphone: none here
        qtbot.waitUntil(lambda: "Cannot record a take" in mixer.messages[-1], timeout=5000)
        assert "no microphone" in mixer.messages[-1] and not (tmp_path / "take").exists()
    finally:
        tray.remove()
