"""A private X display with a system tray (Xvfb + trayer), and real X input.

`TrayDisplay` starts Xvfb on a display number it picks itself (-displayfd: no
race with other displays) and trayer, an XEmbed tray host, and waits until
trayer owns the tray selection, which is what makes
`QSystemTrayIcon.isSystemTrayAvailable()` true. A missing program is an error,
never a skip.

`XInput` sends input through the X server itself (XTest), so a click on the
tray icon reaches Qt the way a user's click does, and asks the window to close
the way a window manager's close button does (WM_DELETE_WINDOW).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

from pypac.demo.processes import stop_processes

TRAYER = [
    "trayer",
    "--edge",
    "top",
    "--align",
    "right",
    "--widthtype",
    "pixel",
    "--width",
    "200",
    "--heighttype",
    "pixel",
    "--height",
    "30",
    "--SetDockType",
    "true",
]
CLIENT_MESSAGE = 33


class _ClientMessage(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    )


class _XEvent(ctypes.Union):
    _fields_ = (("xclient", _ClientMessage), ("pad", ctypes.c_long * 24))


class XInput:
    """A connection of its own to the X server, for fake input and tray checks."""

    def __init__(self, display: str) -> None:
        self._x = ctypes.CDLL("libX11.so.6")
        self._xtst = ctypes.CDLL("libXtst.so.6")
        self._x.XOpenDisplay.restype = ctypes.c_void_p
        self._x.XInternAtom.restype = ctypes.c_ulong
        self._x.XInternAtom.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int)
        self._x.XGetSelectionOwner.restype = ctypes.c_ulong
        self._x.XGetSelectionOwner.argtypes = (ctypes.c_void_p, ctypes.c_ulong)
        self._x.XSendEvent.argtypes = (
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.c_int,
            ctypes.c_long,
            ctypes.POINTER(_XEvent),
        )
        for name in ("XFlush", "XCloseDisplay"):
            getattr(self._x, name).argtypes = (ctypes.c_void_p,)
        self._xtst.XTestFakeMotionEvent.argtypes = (
            (ctypes.c_void_p,) + (ctypes.c_int,) * 3 + (ctypes.c_ulong,)
        )
        self._xtst.XTestFakeButtonEvent.argtypes = (
            ctypes.c_void_p,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_ulong,
        )
        self._dpy = self._x.XOpenDisplay(display.encode())
        if not self._dpy:
            raise RuntimeError(f"cannot open X display {display}")

    def atom(self, name: str) -> int:
        return int(self._x.XInternAtom(self._dpy, name.encode(), False))

    def tray_owner(self) -> int:
        """The window owning the screen's system-tray selection (0: no tray)."""
        return int(self._x.XGetSelectionOwner(self._dpy, self.atom("_NET_SYSTEM_TRAY_S0")))

    def move(self, x: int, y: int) -> None:
        self._xtst.XTestFakeMotionEvent(self._dpy, -1, x, y, 0)
        self._x.XFlush(self._dpy)

    def click(self, x: int, y: int, button: int = 1) -> None:
        """Press and release `button` at (x, y): 1 left, 2 middle, 3 right, 4/5 wheel up/down."""
        self._xtst.XTestFakeMotionEvent(self._dpy, -1, x, y, 0)
        self._xtst.XTestFakeButtonEvent(self._dpy, button, True, 0)
        self._xtst.XTestFakeButtonEvent(self._dpy, button, False, 0)
        self._x.XFlush(self._dpy)

    def close_window(self, window_id: int) -> None:
        """What a window manager's close button sends: WM_DELETE_WINDOW."""
        event = _XEvent()
        msg = event.xclient
        msg.type, msg.window, msg.format = CLIENT_MESSAGE, window_id, 32
        msg.message_type = self.atom("WM_PROTOCOLS")
        msg.data[0] = self.atom("WM_DELETE_WINDOW")
        self._x.XSendEvent(self._dpy, window_id, False, 0, ctypes.byref(event))
        self._x.XFlush(self._dpy)

    def close(self) -> None:
        if self._dpy:
            self._x.XCloseDisplay(self._dpy)
            self._dpy = None


def _need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise RuntimeError(
            f"{program} is not installed; the tray tests need xvfb and trayer (./dev installs them)"
        )
    return path


class TrayDisplay:
    """Xvfb + trayer; `name` is the DISPLAY to use."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.name = ""
        self._procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> TrayDisplay:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self, argv: list[str], log: str, **kw: object) -> subprocess.Popen[bytes]:
        with open(self.log_dir / log, "ab") as out:
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, **kw)  # type: ignore[call-overload]
        self._procs.append(proc)
        return proc

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        xvfb = _need("Xvfb")
        argv = [
            xvfb,
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ]
        self._spawn(argv, "xvfb.log", pass_fds=(write_fd,))
        os.close(write_fd)
        with os.fdopen(read_fd) as numbers:
            number = numbers.readline().strip()  # written once the server accepts clients
        if not number:
            raise RuntimeError(f"Xvfb did not start: {(self.log_dir / 'xvfb.log').read_text()}")
        self.name = f":{number}"
        env = dict(os.environ, DISPLAY=self.name)
        self._spawn([_need("trayer"), *TRAYER[1:]], "trayer.log", env=env)
        x = XInput(self.name)
        try:
            deadline = time.monotonic() + 10
            while not x.tray_owner():
                if time.monotonic() > deadline or self._procs[-1].poll() is not None:
                    log = (self.log_dir / "trayer.log").read_text()
                    raise RuntimeError(f"trayer did not take the system tray: {log}")
                time.sleep(0.05)
        finally:
            x.close()

    def stop(self) -> None:
        stop_processes(reversed(self._procs))
        self._procs.clear()
