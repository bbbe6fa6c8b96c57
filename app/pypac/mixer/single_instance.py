"""One mixer per user session: a second `pypac-mixer` raises the first and exits.

Two copies meant two windows, two tray icons and two writers of one settings
file; a window closed to the tray invites launching it again from the menu.
The first mixer listens on a local socket (a Unix socket in $XDG_RUNTIME_DIR,
a named pipe on Windows); a later one connects, asks it to show its window,
and ends. `pypac-mixer --new-instance` (tests, demo mode, screenshots) skips
both sides.

The protocol is one line per request. "raise" shows the window (no answer).
"replay {json}" (`pypac replay`) asks for the instant replay to be saved, the
JSON holding "seconds" and "name" (null: all it keeps, every track); the
answer is one line, "saved <folder>" or "error <why> <message>" (why: "off",
"no-app" or "failed"; see cli/replay.py).
"""

from __future__ import annotations

import getpass
import json
import os
from typing import Any, Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

RAISE = b"raise\n"
REPLAY = b"replay"
CONNECT_MS = 500
#: Answers a replay request: (its arguments, a function that sends the answer line).
ReplayHandler = Callable[[dict[str, Any], Callable[[str], None]], None]


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


def ask_running_to_replay(
    name: str, seconds: float | None, app: str | None, timeout_ms: int
) -> str | None:
    """Ask the mixer on `name` to save its instant replay: its answer line
    ("saved <folder>" or "error <why> <message>"), or None when no mixer answers."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return None
    request = json.dumps({"seconds": seconds, "name": app})
    socket.write(REPLAY + b" " + request.encode() + b"\n")
    socket.waitForBytesWritten(CONNECT_MS)
    answer = b""
    while not answer.endswith(b"\n") and socket.waitForReadyRead(timeout_ms):
        answer += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    if not answer.endswith(b"\n"):
        return f"error failed the mixer did not answer within {timeout_ms / 1000:g} s"
    return answer.decode("utf-8", "replace").strip()


class InstanceServer(QObject):
    """Listens for later launches; `on_raise` runs on the GUI thread for each,
    `on_replay` for each replay request (None: answered "failed")."""

    def __init__(
        self,
        name: str,
        on_raise: Callable[[], None],
        parent: QObject | None = None,
        on_replay: ReplayHandler | None = None,
    ):
        super().__init__(parent)
        self.on_raise = on_raise
        self.on_replay = on_replay
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
        data = bytes(socket.readAll().data())
        if data.startswith(RAISE.strip()):
            self.raises += 1
            self.on_raise()
        elif data.startswith(REPLAY):
            self._replay(socket, data[len(REPLAY) :])

    def _replay(self, socket: QLocalSocket, data: bytes) -> None:
        def answer(line: str) -> None:
            try:
                if socket.state() == QLocalSocket.LocalSocketState.ConnectedState:
                    socket.write(line.encode() + b"\n")
                    socket.flush()
            except RuntimeError:
                pass  # the asker hung up (and Qt deleted the socket) before the answer

        try:
            args = json.loads(data.decode("utf-8") or "{}")
            seconds, app = args.get("seconds"), args.get("name")
            if seconds is not None and (
                isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0
            ):
                raise ValueError(f"seconds must be a number above 0, got {seconds!r}")
            if app is not None and not isinstance(app, str):
                raise ValueError(f"name must be a text, got {app!r}")
        except (ValueError, AttributeError) as exc:
            answer(f"error failed bad replay request: {exc}")
            return
        if self.on_replay is None:
            answer("error failed this mixer does not keep a replay")
            return
        self.on_replay(args, answer)
