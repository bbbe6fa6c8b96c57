"""Auto-record rules in the mixer: made in the rules editor (its widgets
driven as a user would), carried out by the window's RuleRunner on the real
server, refused with a sentence in the dialog when wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from pypac.autorecord import RecordRule, rules_from_json
from pypac.mixer.integration import install_desktop_features
from pypac.mixer.main_window import MixerWindow
from pypac.mixer.rules_editor import RulesDialog
from pypac.mixer.settings import AUTO_RECORD_RULES, THEME, MixerSettings
from pypac.mixer.settings_store import load_settings
from pypac.mixer.theme import apply_theme
from tests.support.screenshots import keep_screenshot
from tests.support.settings_file import read_in_new_process
from tests.support.spectrum import dominant_frequency
from tests.support.strips import wait_strip

RATE = 48000


def _ok(dialog: RulesDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _fill(qtbot, dialog: RulesDialog, name: str, folder: Path | str, **fields: str) -> None:
    """Add a rule through the dialog's widgets; the folder through Browse…."""
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, name)
    dialog.folder_chooser = lambda *_: str(folder)
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    for field, text in fields.items():
        edit = getattr(dialog, field)
        edit.clear()
        qtbot.keyClicks(edit, text)


def test_a_rule_saved_in_the_editor_records_and_removing_it_stops(
    qtbot, qapp, player, sound_server, tmp_path
):
    path = tmp_path / "settings.ini"
    settings = load_settings(path)
    window = MixerWindow(apply_theme(qapp, settings.value(THEME)), settings)
    # (a tray offscreen: nothing shows it, but its menu and notices are there)
    features = install_desktop_features(qapp, window, settings, tray=True, quit_app=lambda: None)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    runner, tray = features.rules, features.tray
    assert runner is not None and features.open_rules is not None and tray is not None
    try:
        texts = [a.text() for a in tray.menu.actions()]
        assert texts.index("Auto-record rules…") == texts.index("Settings…") - 1
        window.show()
        qtbot.waitUntil(lambda: window.server_up, timeout=10000)
        out = tmp_path / "auto"
        out.mkdir()
        dialog = features.open_rules()
        _fill(qtbot, dialog, "Rule player", out, silence_edit="5")
        _ok(dialog)
        assert not dialog.isVisible()
        (rule,) = rules_from_json(settings.value(AUTO_RECORD_RULES))
        assert rule == RecordRule("Rule player", out, silence_seconds=5.0)
        stored = read_in_new_process(path, tmp_path)[AUTO_RECORD_RULES]  # saved on OK
        assert json.loads(stored)[0]["name"] == "Rule player"
        qtbot.waitUntil(lambda: runner.running == [rule], timeout=10000)

        p = player(1000, name="Rule player", duration=2.0)
        strip = wait_strip(qtbot, window, p.pid)
        qtbot.waitUntil(lambda: p.pid in runner.recording, timeout=10000)
        qtbot.waitUntil(lambda: runner.marks[p.pid].isVisible(), timeout=5000)
        mark = runner.marks[p.pid]
        assert mark.parentWidget() is strip.waveform  # over the wave: no control moves
        keep_screenshot(strip.grab().toImage(), tmp_path, "strip-auto-recording.png")
        assert any(m.startswith("Auto-record: recording Rule player") for m in window.messages)
        assert any(n.startswith("Auto-record: recording Rule player") for n in tray.notices)
        assert "auto-recording 1 app" in tray.icon.toolTip()
        assert tray.shown_state is not None and tray.shown_state[1]  # the icon's red dot
        qtbot.waitUntil(lambda: p.pid not in runner.recording, timeout=15000)
        assert not mark.isVisible()
        assert "auto-recording" not in tray.icon.toolTip()
        assert any(
            m.startswith("Auto-record: Rule player stopped (the app exited)")
            for m in window.messages
        )
        (recorded,) = out.iterdir()
        audio, rate = sf.read(recorded, dtype="float32", always_2d=True)
        assert rate == RATE and len(audio) > RATE
        assert dominant_frequency(audio, RATE) == pytest.approx(1000, abs=3)

        dialog = features.open_rules()
        assert dialog.rule_list.count() == 1
        dialog.rule_list.setCurrentRow(0)
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
        _ok(dialog)
        assert rules_from_json(settings.value(AUTO_RECORD_RULES)) == []
        qtbot.waitUntil(lambda: runner.running == [], timeout=10000)
        again = player(1000, name="Rule player", duration=1.0)
        wait_strip(qtbot, window, again.pid)
        assert again.wait(timeout=10) == 0
        qtbot.wait(300)
        assert list(out.iterdir()) == [recorded]  # no rule: no new file
    finally:
        features.remove()
        window.shutdown()


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"name": "  "}, "Name the app to record"),
        ({"folder": "{tmp}/missing"}, "does not exist"),
        ({"folder": "/proc/self"}, "Cannot write into the folder"),
        ({"folder": "{tmp}/file.txt"}, "is a file, not a folder"),
        ({"silence_edit": "-3"}, "more than 0 seconds"),
        ({"max_edit": "soon"}, "must be a number of seconds"),
    ],
)
def test_bad_input_is_said_in_the_dialog_and_nothing_is_saved(qtbot, tmp_path, fields, complaint):
    (tmp_path / "file.txt").write_text("not a folder")
    settings = MixerSettings()
    dialog = RulesDialog(settings, app_names=lambda: ["Firefox", "firefox-bin"])
    qtbot.addWidget(dialog)
    dialog.show()
    name = fields.pop("name", "Firefox")
    folder = fields.pop("folder", str(tmp_path)).replace("{tmp}", str(tmp_path))
    _fill(qtbot, dialog, name, folder, **fields)
    _ok(dialog)
    assert dialog.isVisible()  # stays open
    assert dialog.error_label.isVisible() and complaint in dialog.error_label.text()
    assert dialog.error_label.text().startswith("Rule 1 (")
    assert settings.value(AUTO_RECORD_RULES) == "[]"
    # Editing what was wrong takes the error away.
    qtbot.keyClicks(dialog.name_edit, "x")
    assert not dialog.error_label.isVisible()


def test_rules_editor_screenshot(qtbot, qapp, tmp_path):
    """Two rules, one a file, one a take with the microphone: for the README."""
    apply_theme(qapp, "dark")
    settings = MixerSettings()
    music, calls = Path("/home/alex/Music/Spotify"), Path("/home/alex/Calls")  # shown only
    settings.set_value(
        AUTO_RECORD_RULES,
        [
            RecordRule("Spotify", music, silence_seconds=10),
            RecordRule("Zoom", calls, format="wav", max_seconds=3600, mic=""),
        ],
    )
    dialog = RulesDialog(settings, app_names=lambda: ["Spotify", "Zoom", "Firefox"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.rule_list.setCurrentRow(1)
    assert dialog.mic_check.isChecked() and dialog.format_combo.currentData() == "wav"
    assert [d.summary for d in dialog.drafts] == ["Spotify", "Zoom + mic"]
    completion = dialog.name_edit.completer().completionModel()
    dialog.name_edit.completer().setCompletionPrefix("fire")
    assert completion.data(completion.index(0, 0)) == "Firefox"
    assert dialog.rule_list.item(1).toolTip() == str(calls)
    qtbot.wait(50)
    keep_screenshot(dialog.grab().toImage(), tmp_path, "rules-editor.png")
    dialog.resize(dialog.minimumSizeHint())
    qtbot.wait(50)
    keep_screenshot(dialog.grab().toImage(), tmp_path, "rules-editor-small.png")
