"""A fixture that fails a test leaving a QThread running (napari's `_dangling_qthreads`).

Import it into a conftest (or a test module) to use it there.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import Any
from weakref import WeakKeyDictionary

import pytest
from PySide6.QtCore import QThread


@pytest.fixture(autouse=True)
def _dangling_qthreads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that leaves a QThread running (napari's `_dangling_qthreads`).

    A running thread outliving its test keeps calling into objects the next
    test no longer expects and crashes far from the cause; this names where
    the thread was started instead.
    """
    started: WeakKeyDictionary[QThread, str] = WeakKeyDictionary()
    real_start = QThread.start

    def start(self: QThread, *args: Any) -> None:
        started[self] = "".join(traceback.format_stack(limit=6)[:-1])
        real_start(self, *args)

    monkeypatch.setattr(QThread, "start", start)
    yield
    running = []
    for thread, where in list(started.items()):
        try:
            if thread.isRunning():
                running.append(f"{thread.objectName() or thread!r} started at:\n{where}")
        except RuntimeError:  # the C++ object is already gone: not running
            continue
    if running:
        raise RuntimeError("QThread(s) left running by this test:\n" + "\n".join(running))
