"""Ask before quitting while recordings run (quitting finishes them early)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm_quit(
    parent: QWidget, recordings: int, quit_now: Callable[[], None]
) -> QMessageBox | None:
    """Call `quit_now` at once when nothing records; otherwise open a question
    (not modal: the event loop and the recordings go on meanwhile) and return it."""
    if recordings == 0:
        quit_now()
        return None
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Quit PyPAC Mixer?",
        f"{recordings} recording{'s are' if recordings != 1 else ' is'} running. "
        "Quitting stops and saves "
        f"{'them' if recordings != 1 else 'it'} now.",
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    quit_button = box.addButton("Stop recording and quit", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.buttonClicked.connect(lambda b: quit_now() if b is quit_button else None)
    box.open()
    return box
