"""The settings dialog: OK applies and saves, Cancel changes nothing, a bad folder
keeps it open with the reason; a screenshot of it is checked not to be blank."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from pypac.mixer.settings import RECORDING_FOLDER, RECORDING_FORMAT, REMEMBER_LEVELS, THEME
from pypac.mixer.settings_dialog import SettingsDialog
from pypac.mixer.settings_store import load_settings
from pypac.mixer.theme import apply_theme
from tests.support.screenshots import keep_screenshot
from tests.support.settings_file import read_in_new_process


def _dialog(qtbot, settings, **kw) -> SettingsDialog:
    dialog = SettingsDialog(settings, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _ok(qtbot, dialog):
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )


def test_ok_applies_and_persists(qtbot, qapp, tmp_path):
    apply_theme(qapp, "dark")
    path = tmp_path / "settings.ini"
    settings = load_settings(path)
    themes = []
    chosen = tmp_path / "Recordings here"
    dialog = _dialog(
        qtbot,
        settings,
        on_theme=themes.append,
        folder_chooser=lambda parent, caption, start: str(chosen),
    )
    assert dialog.remember_check.isChecked()  # on by default
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.folder_edit.text() == str(chosen)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("wav"))
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("light"))
    dialog.remember_check.setChecked(False)
    keep_screenshot(dialog.grab().toImage(), tmp_path, "settings-dialog.png")
    _ok(qtbot, dialog)

    assert not dialog.isVisible()
    assert settings.value(RECORDING_FOLDER) == str(chosen)
    assert settings.recording_format == "wav"
    assert settings.value(THEME) == "light" and themes == ["light"]
    assert settings.value(REMEMBER_LEVELS) is False
    back = read_in_new_process(path, tmp_path)  # written to the file, for the next start
    assert back[RECORDING_FOLDER] == str(chosen)
    assert (back[RECORDING_FORMAT], back[THEME], back[REMEMBER_LEVELS]) == ("wav", "light", False)


def test_cancel_changes_nothing(qtbot, qapp, tmp_path):
    settings = load_settings(tmp_path / "settings.ini")
    before = {k: settings.value(k) for k in (RECORDING_FOLDER, RECORDING_FORMAT, THEME)}
    dialog = _dialog(qtbot, settings)
    dialog.folder_edit.setText(str(tmp_path / "elsewhere"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("ogg"))
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    assert not dialog.isVisible()
    assert {k: settings.value(k) for k in before} == before


def test_a_file_as_folder_keeps_the_dialog_open_and_applies_nothing(qtbot, qapp, tmp_path):
    settings = load_settings(tmp_path / "settings.ini")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    dialog = _dialog(qtbot, settings)
    dialog.folder_edit.setText(str(a_file))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("ogg"))
    _ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible() and "is a file" in dialog.error_label.text()
    assert settings.recording_format == "flac"  # nothing of it was applied
    dialog.folder_edit.setText("relative/path")
    _ok(qtbot, dialog)
    assert "not a full path" in dialog.error_label.text()


def test_the_error_goes_once_the_folder_is_edited(qtbot, qapp, tmp_path):
    settings = load_settings(tmp_path / "settings.ini")
    dialog = _dialog(qtbot, settings)
    dialog.folder_edit.setText("relative/path")
    _ok(qtbot, dialog)
    assert dialog.error_label.isVisible()
    qtbot.keyClicks(dialog.folder_edit, "x")  # the user fixes it: the old error is stale
    assert not dialog.error_label.isVisible()


def test_the_default_size_fits_a_small_screen(qapp):
    from PySide6.QtCore import QSize

    from pypac.mixer.main_window import DEFAULT_SIZE, fitting_size

    room = qapp.primaryScreen().availableGeometry().size()
    fitted = fitting_size(QSize(room.width() * 2, room.height() * 2))
    assert fitted.width() <= room.width() and fitted.height() <= room.height()
    assert fitting_size(QSize(100, 100)) == QSize(100, 100)
    assert QSize(860, 540) == DEFAULT_SIZE
