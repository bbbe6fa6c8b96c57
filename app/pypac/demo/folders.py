"""The temporary folders demo mode runs its server in, and clearing away stale ones.

Each folder records the pid of the process that owns it. A mixer that was killed
(or crashed) never removed its folder; the next demo removes every such folder of
this user whose owner process is gone. Folders of running mixers, of other users
and without an owner record are left alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "pypac-demo-"
OWNER_FILE = "owner.pid"


def make_demo_folder() -> Path:
    """A new private folder, owned by this process."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    (folder / OWNER_FILE).write_text(str(os.getpid()))
    return folder


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _owner(folder: Path) -> int | None:
    try:
        return int((folder / OWNER_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def remove_stale_demo_folders(parent: Path | None = None) -> list[Path]:
    """Remove this user's demo folders whose owner process is gone; returns them."""
    parent = Path(tempfile.gettempdir()) if parent is None else parent
    removed = []
    for folder in parent.glob(PREFIX + "*"):
        with contextlib.suppress(OSError):
            if not folder.is_dir() or folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
            owner = _owner(folder)
            if owner is None or owner == os.getpid() or _process_exists(owner):
                continue
            shutil.rmtree(folder)
            removed.append(folder)
    return removed
