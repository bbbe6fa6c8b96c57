"""The auto-record rules editor: a list of rules, one rule's fields beside it.

"When an app named X starts playing, record it (or a take of it and the
microphone) into folder F; stop when it exits, after N s of silence, or at
a maximum length." The rules are `pypac.autorecord.RecordRule`s, stored in
the mixer's settings as JSON (settings.AUTO_RECORD_RULES); the mixer's
`RuleRunner` (rule_runner.py) carries them out with the same engine as
`pypac autorecord`.

OK checks every rule (a bad one is selected and the dialog says what is
wrong, nothing is saved) and then saves them all; Cancel changes nothing.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSignalBlocker, QStringListModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pypac.autorecord import RecordRule, rules_from_json
from pypac.errors import InvalidArgumentError

from .settings import AUTO_RECORD_RULES, MixerSettings
from .settings_dialog import FORMAT_CHOICES, FolderChooser
from .theme import named

__all__ = ["RuleDraft", "RulesDialog", "check_draft", "stored_rules"]


def stored_rules(settings: MixerSettings) -> list[RecordRule]:
    return rules_from_json(settings.value(AUTO_RECORD_RULES))


@dataclass(frozen=True)
class RuleDraft:
    """A rule as the fields hold it: text, possibly wrong."""

    name: str = ""
    folder: str = ""
    format: str = "flac"
    with_mic: bool = False
    mic: str = ""  # "": the default input
    silence: str = ""  # seconds; "": never stop for silence
    max_length: str = ""  # seconds; "": no limit
    enabled: bool = True

    @classmethod
    def of(cls, rule: RecordRule) -> RuleDraft:
        return cls(
            rule.name,
            str(rule.output_dir),
            rule.format,
            rule.mic is not None,
            rule.mic or "",
            _seconds_text(rule.silence_seconds),
            _seconds_text(rule.max_seconds),
            rule.enabled,
        )

    @property
    def summary(self) -> str:
        """The rule's line in the list (its folder is in the fields beside it)."""
        what = self.name.strip() or "(no app)"
        return f"{what} + mic" if self.with_mic else what


def _seconds_text(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:g}"


def _seconds(what: str, text: str) -> float | None:
    """Seconds from a field ("" = none); ValueError says what is wrong."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} must be a number of seconds, not “{text}”.") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} must be more than 0 seconds (leave it empty for no limit).")
    return value


def _folder_problem(text: str) -> str | None:
    if not text:
        return "Choose a folder to record into."
    path = Path(text).expanduser()
    if not path.is_absolute():
        return f"{text} is not a full path: choose a folder with Browse…"
    if not path.exists():
        return f"The folder {path} does not exist: create it, or choose another."
    if not path.is_dir():
        return f"{path} is a file, not a folder."
    try:  # a real try: permissions say nothing to root, or on a read-only mount
        tempfile.TemporaryFile(dir=path).close()
    except OSError as exc:
        return f"Cannot write into the folder {path} ({exc.strerror}): choose another."
    return None


def check_draft(draft: RuleDraft) -> RecordRule:
    """The rule a draft describes; ValueError with a sentence for the user."""
    if not draft.name.strip():
        raise ValueError("Name the app to record (its name as the mixer shows it).")
    problem = _folder_problem(draft.folder.strip())
    if problem is not None:
        raise ValueError(problem)
    silence = _seconds("“Stop after silence”", draft.silence)
    longest = _seconds("“Maximum length”", draft.max_length)
    try:
        return RecordRule(
            draft.name.strip(),
            Path(draft.folder.strip()).expanduser(),
            format=draft.format,
            silence_seconds=silence,
            max_seconds=longest,
            enabled=draft.enabled,
            mic=draft.mic.strip() if draft.with_mic else None,
        )
    except InvalidArgumentError as exc:  # what the fields above do not check already
        raise ValueError(str(exc)) from None


class RulesDialog(QDialog):
    """Edit the auto-record rules; OK saves them into `settings`."""

    def __init__(
        self,
        settings: MixerSettings,
        parent: QWidget | None = None,
        *,
        app_names: Callable[[], list[str]] = list,
        mic_names: Callable[[], list[str]] = list,
        folder_chooser: FolderChooser = QFileDialog.getExistingDirectory,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.folder_chooser = folder_chooser
        self.setWindowTitle("Auto-record rules")
        self._drafts: list[RuleDraft] = [RuleDraft.of(r) for r in stored_rules(settings)]
        self._shown = -1  # the draft the fields show

        self.rule_list = QListWidget()
        self.rule_list.setMinimumWidth(160)
        self.rule_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.rule_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.rule_list.setToolTip("Tick a rule to enable it")
        self.rule_list.currentRowChanged.connect(self._select)
        self.rule_list.itemChanged.connect(self._ticked)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_rule)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_rule)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.add_button)
        list_buttons.addWidget(self.remove_button)
        list_buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.rule_list, 1)
        left.addLayout(list_buttons)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Firefox")
        self.name_edit.setCompleter(self._completer(app_names()))
        self.folder_edit = QLineEdit()
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        self.format_combo = QComboBox()
        for label, value in FORMAT_CHOICES:
            self.format_combo.addItem(label, value)
        self.mic_check = QCheckBox("Also record the microphone (a take: one track each)")
        self.mic_edit = QLineEdit()
        self.mic_edit.setPlaceholderText("the default input")
        self.mic_edit.setToolTip("The input device's name or id; empty: the default input")
        self.mic_edit.setCompleter(self._completer(mic_names()))
        self.mic_check.toggled.connect(self.mic_edit.setEnabled)
        self.silence_edit = QLineEdit()
        self.silence_edit.setPlaceholderText("never")
        self.max_edit = QLineEdit()
        self.max_edit.setPlaceholderText("no limit")
        self.enabled_check = QCheckBox("Enabled")

        self.form_box = QWidget()
        form = QFormLayout(self.form_box)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("When this app plays", self.name_edit)
        form.addRow("Record into", folder_row)
        form.addRow("Format", self.format_combo)
        form.addRow("", self.mic_check)
        form.addRow("Microphone", self.mic_edit)
        form.addRow("Stop after silence (s)", self.silence_edit)
        form.addRow("Maximum length (s)", self.max_edit)
        form.addRow("", self.enabled_check)
        for edit in (self.name_edit, self.folder_edit, self.mic_edit):
            edit.textEdited.connect(self._field_edited)
        for edit in (self.silence_edit, self.max_edit):
            edit.textEdited.connect(self._field_edited)
        self.format_combo.activated.connect(self._field_edited)
        self.mic_check.toggled.connect(self._field_edited)
        self.enabled_check.toggled.connect(self._field_edited)

        body = QHBoxLayout()
        body.addLayout(left)
        body.addWidget(self.form_box, 1)
        self.note = QLabel(
            "A rule records the app from its first sound into a new file (or take folder) "
            "each time it starts playing, and stops when it exits, after the silence, or at "
            "the maximum length. The command “pypac autorecord” runs the same rules "
            "without the mixer."
        )
        self.note.setWordWrap(True)
        self.error_label = named(QLabel(), "recWarning")  # the theme's warning colour
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(body, 1)
        outer.addWidget(self.note)
        outer.addWidget(self.error_label)
        outer.addWidget(self.buttons)
        self._fill_list()
        self.rule_list.setCurrentRow(0 if self._drafts else -1)
        self._show_fields()

    def _completer(self, names: list[str]) -> QCompleter:
        """Completes from `names` (the apps playing, the input devices), any case."""
        model = QStringListModel(sorted(set(names), key=str.casefold), self)
        completer = QCompleter(model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        return completer

    # ---- the list ----------------------------------------------------------------

    @property
    def drafts(self) -> list[RuleDraft]:
        self._store_fields()
        return list(self._drafts)

    def _fill_list(self) -> None:
        with QSignalBlocker(self.rule_list):
            self.rule_list.clear()
            for draft in self._drafts:
                item = QListWidgetItem(draft.summary)
                item.setToolTip(draft.folder)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if draft.enabled else Qt.CheckState.Unchecked
                )
                self.rule_list.addItem(item)

    def add_rule(self) -> None:
        self._store_fields()
        folder = str(self.settings.recording_folder)
        self._drafts.append(RuleDraft(folder=folder))
        self._fill_list()
        self.rule_list.setCurrentRow(len(self._drafts) - 1)
        self.name_edit.setFocus()

    def remove_rule(self) -> None:
        row = self.rule_list.currentRow()
        if row < 0:
            return
        del self._drafts[row]
        self._shown = -1  # its fields are gone with it
        self._fill_list()
        self.rule_list.setCurrentRow(min(row, len(self._drafts) - 1))
        self._show_fields()
        self.error_label.hide()

    def _select(self, row: int) -> None:
        self._store_fields()
        self._shown = row
        self._show_fields()

    def _ticked(self, item: QListWidgetItem) -> None:
        row = self.rule_list.row(item)
        if 0 <= row < len(self._drafts):
            enabled = item.checkState() == Qt.CheckState.Checked
            self._drafts[row] = replace(self._drafts[row], enabled=enabled)
            if row == self._shown:
                with QSignalBlocker(self.enabled_check):
                    self.enabled_check.setChecked(enabled)

    # ---- the fields ----------------------------------------------------------------

    def _show_fields(self) -> None:
        row = self._shown = self.rule_list.currentRow()
        self.form_box.setEnabled(row >= 0)
        self.remove_button.setEnabled(row >= 0)
        draft = self._drafts[row] if row >= 0 else RuleDraft()
        blockers = [
            QSignalBlocker(w)
            for w in (self.mic_check, self.enabled_check, self.format_combo)  # not edits
        ]
        self.name_edit.setText(draft.name)
        self.folder_edit.setText(draft.folder)
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(draft.format)))
        self.mic_check.setChecked(draft.with_mic)
        self.mic_edit.setText(draft.mic)
        self.mic_edit.setEnabled(draft.with_mic)
        self.silence_edit.setText(draft.silence)
        self.max_edit.setText(draft.max_length)
        self.enabled_check.setChecked(draft.enabled)
        del blockers

    def _store_fields(self) -> None:
        """The fields into the draft they show."""
        row = self._shown
        if not 0 <= row < len(self._drafts):
            return
        self._drafts[row] = RuleDraft(
            self.name_edit.text(),
            self.folder_edit.text(),
            str(self.format_combo.currentData()),
            self.mic_check.isChecked(),
            self.mic_edit.text(),
            self.silence_edit.text(),
            self.max_edit.text(),
            self.enabled_check.isChecked(),
        )

    def _field_edited(self, *_: object) -> None:
        self._store_fields()
        self.error_label.hide()  # an error stays only as long as what it is about
        row = self._shown
        item = self.rule_list.item(row) if row >= 0 else None
        if item is not None:
            draft = self._drafts[row]
            with QSignalBlocker(self.rule_list):
                item.setText(draft.summary)
                item.setToolTip(draft.folder)
                item.setCheckState(
                    Qt.CheckState.Checked if draft.enabled else Qt.CheckState.Unchecked
                )

    def choose_folder(self) -> None:
        chosen = self.folder_chooser(self, "Record into", self.folder_edit.text())
        if chosen:
            self.folder_edit.setText(chosen)
            self._field_edited()

    # ---- OK --------------------------------------------------------------------------

    def accept(self) -> None:
        rules = []
        for row, draft in enumerate(self.drafts):
            try:
                rules.append(check_draft(draft))
            except ValueError as exc:
                self.rule_list.setCurrentRow(row)
                name = draft.name.strip() or "without a name"
                self.error_label.setText(f"Rule {row + 1} ({name}): {exc}")
                self.error_label.show()
                return  # stay open: nothing was saved
        self.settings.set_value(AUTO_RECORD_RULES, rules)
        self.settings.sync()
        super().accept()
