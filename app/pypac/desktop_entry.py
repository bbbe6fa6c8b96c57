"""Put PyPAC Mixer into the user's application menu (Linux, freedesktop.org desktops).

`pypac install-desktop` copies what the package ships in pypac/resources into
$XDG_DATA_HOME (~/.local/share):

    linux/org.pypac.PyPAC.desktop       -> applications/  (Exec= made absolute)
    icons/hicolor/NxN/apps/*.png        -> icons/hicolor/NxN/apps/
    icons/pypac-mixer.svg               -> icons/hicolor/scalable/apps/org.pypac.PyPAC.svg
    linux/org.pypac.PyPAC.metainfo.xml  -> metainfo/

and `--uninstall` removes exactly those files. Nothing here imports Qt or the engine.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

APP_ID = "org.pypac.PyPAC"
MIXER_COMMAND = "pypac-mixer"
DESKTOP_FILE = f"{APP_ID}.desktop"
METAINFO_FILE = f"{APP_ID}.metainfo.xml"
SVG_SOURCE = "pypac-mixer.svg"

# Characters that oblige an Exec= argument to be quoted (Desktop Entry Specification,
# "The Exec key"); inside the quotes, these four take a backslash.
_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_EXEC_QUOTED_ESCAPES = re.compile(r'(["`$\\])')


class DesktopEntryError(Exception):
    """The desktop entry could not be installed or removed; the message says why."""


@dataclass
class DesktopReport:
    """What install() or uninstall() did, for the command line to tell."""

    data_home: Path
    files: list[Path] = field(default_factory=list)  # written, or removed
    mixer: Path | None = None
    tools_run: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---- where things are ----------------------------------------------------------------


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when it is unset or not absolute (as the spec says)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def resource_dir() -> Traversable:
    """pypac/resources inside the installed package (or the frozen app's copy of it)."""
    folder = resources.files("pypac") / "resources"
    if not (folder / "linux" / DESKTOP_FILE).is_file():
        raise DesktopEntryError(
            "this PyPAC installation has no pypac/resources folder (the wheel's CMake "
            "install step puts it there); reinstall with `pip install .`"
        )
    return folder


def find_mixer() -> Path:
    """The installed pypac-mixer launcher that Exec= should run, as an absolute path.

    Looked for next to the running interpreter first (a venv's bin/, or the folder of a
    frozen build), then in the install schemes' script folders, then on PATH: a venv
    need not be on PATH for the menu entry to work.
    """
    name = MIXER_COMMAND + (".exe" if os.name == "nt" else "")
    folders = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))]
    with contextlib.suppress(KeyError):  # no user scheme on this platform
        folders.append(Path(sysconfig.get_path("scripts", f"{os.name}_user")))
    for folder in folders:
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate.absolute()
    on_path = shutil.which(MIXER_COMMAND)
    if on_path:
        return Path(on_path).absolute()
    raise DesktopEntryError(
        f"cannot find the {MIXER_COMMAND} command (looked in {', '.join(map(str, folders))} "
        "and on PATH); install PyPAC with `pip install .` first"
    )


# ---- the desktop file ------------------------------------------------------------------


def exec_argument(arg: str) -> str:
    """One argument for an Exec= value, quoted and escaped as the specification requires."""
    arg = arg.replace("%", "%%")  # a lone % would start a field code
    if arg and not _EXEC_RESERVED.intersection(arg):
        quoted = arg
    else:
        quoted = '"' + _EXEC_QUOTED_ESCAPES.sub(r"\\\1", arg) + '"'
    # The value is also a desktop-file string, whose own escaping applies first when read.
    return quoted.replace("\\", "\\\\")


def desktop_file_text(template: str, mixer: Path) -> str:
    """The packaged entry with Exec= running `mixer`, and a note on where it came from."""
    body = "".join(line for line in template.splitlines(True) if not line.startswith("#"))
    text, count = re.subn(
        r"^Exec=.*$", lambda _: f"Exec={exec_argument(str(mixer))}", body, flags=re.M
    )
    if count != 1:
        raise DesktopEntryError(f"{DESKTOP_FILE} should have one Exec= line, it has {count}")
    return "# Written by `pypac install-desktop`; `--uninstall` removes it.\n" + text


# ---- install and uninstall ---------------------------------------------------------------


def _targets(home: Path, source: Traversable) -> list[tuple[Traversable, Path]]:
    """(packaged file, destination) for every file except the desktop file itself."""
    icons = home / "icons" / "hicolor"
    pairs = [(source / "icons" / SVG_SOURCE, icons / "scalable" / "apps" / f"{APP_ID}.svg")]
    hicolor = source / "icons" / "hicolor"
    for size_dir in sorted(hicolor.iterdir(), key=lambda d: d.name):
        png = size_dir / "apps" / f"{APP_ID}.png"
        if png.is_file():
            pairs.append((png, icons / size_dir.name / "apps" / f"{APP_ID}.png"))
    pairs.append((source / "linux" / METAINFO_FILE, home / "metainfo" / METAINFO_FILE))
    return pairs


def install(home: Path | None = None, mixer: Path | None = None) -> DesktopReport:
    _require_freedesktop()
    home = home or data_home()
    source = resource_dir()
    mixer = mixer or find_mixer()
    report = DesktopReport(home, mixer=mixer)
    desktop = home / "applications" / DESKTOP_FILE
    template = (source / "linux" / DESKTOP_FILE).read_text(encoding="utf-8")
    try:
        desktop.parent.mkdir(parents=True, exist_ok=True)
        desktop.write_text(desktop_file_text(template, mixer), encoding="utf-8")
        report.files.append(desktop)
        for packaged, target in _targets(home, source):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(packaged.read_bytes())
            report.files.append(target)
    except OSError as exc:
        raise DesktopEntryError(f"cannot write {exc.filename or home}: {exc.strerror}") from exc
    _refresh_caches(home, report)
    return report


def uninstall(home: Path | None = None) -> DesktopReport:
    _require_freedesktop()
    home = home or data_home()
    report = DesktopReport(home)
    # Found by name, not from the packaged list: what an older version installed goes too.
    paths = [home / "applications" / DESKTOP_FILE, home / "metainfo" / METAINFO_FILE]
    paths += sorted((home / "icons" / "hicolor").glob(f"*/apps/{APP_ID}.*"))
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise DesktopEntryError(f"cannot remove {path}: {exc.strerror}") from exc
        report.files.append(path)
    if report.files:
        _refresh_caches(home, report)
    return report


def _require_freedesktop() -> None:
    if not sys.platform.startswith("linux"):
        raise DesktopEntryError(
            "install-desktop puts a freedesktop.org menu entry in place, which only Linux "
            "desktops read; on Windows, pip's pypac-mixer.exe (in the Scripts folder) or the "
            "frozen build's pypac-mixer.exe is the program to pin or link to"
        )


def _refresh_caches(home: Path, report: DesktopReport) -> None:
    """Tell the desktop that entries and icons changed, with whichever tools exist.

    The icon cache is only updated where one already exists: GTK scans a theme folder
    without a cache by itself, but trusts an existing cache, which would then hide our
    icon. Creating a cache would make every later install by others need one too.
    """
    applications = home / "applications"
    icons = home / "icons" / "hicolor"
    runs = [("update-desktop-database", ["-q", str(applications)])]
    if (icons / "icon-theme.cache").exists():
        runs.append(("gtk-update-icon-cache", ["-q", "-t", "-f", str(icons)]))
    elif icons.is_dir():
        os.utime(icons)  # the theme folder's time is what icon lookups compare
    for tool, args in runs:
        exe = shutil.which(tool)
        if exe is None:
            continue
        try:
            out = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            report.warnings.append(f"{tool} did not run: {exc}")
            continue
        if out.returncode != 0:
            detail = (out.stderr or out.stdout).strip().splitlines()
            report.warnings.append(
                f"{tool} exited with {out.returncode}" + (f": {detail[-1]}" if detail else "")
            )
        else:
            report.tools_run.append(tool)
