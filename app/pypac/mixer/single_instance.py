"""One mixer per user session: a second `pypac-mixer` raises the first and exits.

Two copies meant two windows, two tray icons and two writers of one settings
file; a window closed to the tray invites launching it again from the menu.
The first mixer listens on a local socket (a Unix socket in $XDG_RUNTIME_DIR,
a named pipe on Windows); a later one connects, asks it to show its window,
and ends. `pypac-mixer --new-instance` (tests, demo mode, screenshots) skips
both sides.
"""

from __future__ import annotations

import getpass
import os
from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

RAISE = b"raise\n"
CONNECT_MS = 500


def instance_name() -> str:
    """The socket's name: per user (and per $PYPAC_MIXER_INSTANCE, for tests)."""
    override = os.environ.get("PYPAC_MIXER_INSTANCE")
    if override:
        return override
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return os.path.join(runtime, "pypac-mixer.socket")
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return f"pypac-mixer-{user}"


def ask_running_to_raise(name: str) -> bool:
    """True if a mixer answers on `name` (it was asked to show its window)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    socket.write(RAISE)
    socket.waitForBytesWritten(CONNECT_MS)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later launches; `on_raise` runs on the GUI thread for each."""

    def __init__(self, name: str, on_raise: Callable[[], None], parent: QObject | None = None):
        super().__init__(parent)
        self.on_raise = on_raise
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(name):
            # Nobody answered on it (we asked first): a socket left by a killed mixer.
            QLocalServer.removeServer(name)
            self.server.listen(name)
        self.server.newConnection.connect(self._connected)
        self.raises = 0

    @property
    def listening(self) -> bool:
        return self.server.isListening()

    def _connected(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(RAISE.strip()):
            self.raises += 1
            self.on_raise()
