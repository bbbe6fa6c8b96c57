"""A small settings dialog: recording folder and format, theme, remembered levels,
instant replay.

OK checks and applies everything at once (a bad folder keeps the dialog open
with the reason), then writes the settings file; Cancel changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pypac.replay import MAX_REPLAY_SECONDS, MIN_REPLAY_SECONDS, replay_memory_bytes

from .settings import (
    RECORDING_FOLDER,
    RECORDING_FORMAT,
    REMEMBER_LEVELS,
    REPLAY_ENABLED,
    REPLAY_SECONDS,
    THEME,
    MixerSettings,
)
from .theme import named

FORMAT_CHOICES = (
    ("FLAC — lossless, about half the size", "flac"),
    ("WAV — 32-bit float, largest", "wav"),
    ("Ogg Vorbis — lossy, smallest", "ogg"),
)
THEME_CHOICES = (("Dark", "dark"), ("Light", "light"))

#: (parent, caption, start folder) -> the chosen folder, "" when cancelled.
FolderChooser = Callable[[QWidget, str, str], str]


def _combo(choices: tuple[tuple[str, str], ...]) -> QComboBox:
    combo = QComboBox()
    for label, value in choices:
        combo.addItem(label, value)
    return combo


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: MixerSettings,
        parent: QWidget | None = None,
        *,
        on_theme: Callable[[str], None] | None = None,
        folder_chooser: FolderChooser = QFileDialog.getExistingDirectory,
        open_rules: Callable[[], object] | None = None,
        replay_sources: Callable[[], int] = lambda: 1,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self._on_theme = on_theme
        self.folder_chooser = folder_chooser
        self.setWindowTitle("PyPAC Mixer settings")

        self.folder_edit = QLineEdit()
        self.folder_edit.setMinimumWidth(320)
        self.choose_button = QPushButton("Choose…")
        self.choose_button.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.choose_button)
        self.format_combo = _combo(FORMAT_CHOICES)
        self.theme_combo = _combo(THEME_CHOICES)
        self.remember_check = QCheckBox("Remember each app's volume and mute")
        self.remember_check.setToolTip(
            "When an app starts playing again, it gets the volume and mute it had last time"
        )
        self.error_label = named(QLabel(), "recWarning")  # the theme's warning colour
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        # An error stays only as long as what it is about: editing the folder clears it.
        self.folder_edit.textChanged.connect(self.error_label.hide)

        form = QFormLayout()
        form.addRow("Recording folder", folder_row)
        form.addRow("Recording format", self.format_combo)
        form.addRow("Theme", self.theme_combo)
        form.addRow("", self.remember_check)
        self.rules_button: QPushButton | None = None
        if open_rules is not None:  # the auto-record rules editor (rules_editor.py)
            self.rules_button = QPushButton("Rules…")
            self.rules_button.setToolTip("Record apps by themselves whenever they play")
            self.rules_button.clicked.connect(open_rules)
            form.addRow("Auto-record", self.rules_button)
        self._replay_sources = replay_sources
        form.addRow("Instant replay", self._replay_row())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(self.error_label)
        outer.addWidget(self.buttons)
        self.load()

    def load(self) -> None:
        """Show the current settings."""
        s = self.settings
        self.folder_edit.setText(str(s.value(RECORDING_FOLDER)))
        self.format_combo.setCurrentIndex(self.format_combo.findData(s.value(RECORDING_FORMAT)))
        self.theme_combo.setCurrentIndex(self.theme_combo.findData(s.value(THEME)))
        self.remember_check.setChecked(bool(s.value(REMEMBER_LEVELS)))
        self.replay_check.setChecked(bool(s.value(REPLAY_ENABLED)))
        self.replay_seconds.setValue(round(s.value(REPLAY_SECONDS)))
        self._show_replay_memory()

    def _replay_row(self) -> QHBoxLayout:
        """Off/on, how many seconds, and the memory that takes (studio.py keeps it)."""
        self.replay_check = QCheckBox("Keep the last")
        self.replay_check.setToolTip(
            "Keep the last seconds of the armed strips (the System when none is armed) in "
            "memory, to save after the fact: Save replay, the tray, `pypac replay`"
        )
        self.replay_seconds = QSpinBox()
        self.replay_seconds.setRange(round(MIN_REPLAY_SECONDS), round(MAX_REPLAY_SECONDS))
        self.replay_seconds.setSuffix(" s")
        self.replay_memory = named(QLabel(), "recMessage")
        self.replay_seconds.valueChanged.connect(self._show_replay_memory)
        row = QHBoxLayout()
        row.addWidget(self.replay_check)
        row.addWidget(self.replay_seconds)
        row.addWidget(self.replay_memory, 1)
        return row

    def _show_replay_memory(self) -> None:
        sources = self._replay_sources()
        size = replay_memory_bytes(self.replay_seconds.value(), sources)
        self.replay_memory.setText(
            f"{size / 1e6:.1f} MB of memory ({sources} source{'s' if sources > 1 else ''})"
        )

    def choose_folder(self) -> None:
        chosen = self.folder_chooser(self, "Recording folder", self.folder_edit.text())
        if chosen:
            self.folder_edit.setText(chosen)

    def _folder_problem(self, text: str) -> str | None:
        if not text:
            return "Choose a folder for the recordings."
        path = Path(text).expanduser()
        if not path.is_absolute():
            return f"{text} is not a full path: choose a folder with Choose…"
        if path.exists() and not path.is_dir():
            return f"{path} is a file, not a folder."
        return None

    def accept(self) -> None:
        folder = self.folder_edit.text().strip()
        problem = self._folder_problem(folder)
        if problem is not None:
            self.error_label.setText(problem)
            self.error_label.show()
            return  # stay open: nothing was applied
        old_theme = self.settings.value(THEME)
        new_theme = self.theme_combo.currentData()
        s = self.settings
        s.set_value(RECORDING_FOLDER, str(Path(folder).expanduser()))
        s.set_value(RECORDING_FORMAT, self.format_combo.currentData())
        s.set_value(THEME, new_theme)
        s.set_value(REMEMBER_LEVELS, self.remember_check.isChecked())
        s.set_value(REPLAY_SECONDS, self.replay_seconds.value())
        s.set_value(REPLAY_ENABLED, self.replay_check.isChecked())
        s.sync()
        if new_theme != old_theme and self._on_theme is not None:
            self._on_theme(new_theme)
        super().accept()
