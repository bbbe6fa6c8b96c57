"""Icons for apps by the names the engine gives, through a chain of icon themes.

Outside KDE and GNOME Qt knows no icon theme and looks only in `hicolor`, so
icons that pavucontrol finds (through GTK's Adwaita fallback) came out generic.
`install_icon_theme_chain` picks the first installed of the themes desktops
ship; `app_icon` then tries the app's icon name, its lower-case form and its
binary, and finally the generic icon.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QIcon

#: Themes tried in order when the platform set none (or only hicolor).
THEME_CHAIN = ("breeze", "Adwaita", "Papirus", "elementary", "gnome", "Humanity", "Tango", "oxygen")
PIXMAP_DIRS = ("/usr/share/pixmaps",)


def _icon_dirs() -> list[Path]:
    data = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share")
    return [home / "icons", Path.home() / ".icons", *(Path(d) / "icons" for d in data.split(":"))]


def installed_theme(chain: tuple[str, ...] = THEME_CHAIN) -> str | None:
    dirs = _icon_dirs()
    for name in chain:
        if any((d / name / "index.theme").is_file() for d in dirs):
            return name
    return None


def install_icon_theme_chain() -> None:
    """Give Qt a real icon theme where the desktop gave it none (call once, after
    the QApplication exists)."""
    if QIcon.themeName() in ("", "hicolor"):
        theme = installed_theme()
        if theme is not None:
            QIcon.setThemeName(theme)
    QIcon.setFallbackThemeName("hicolor")
    paths = [p for p in PIXMAP_DIRS if Path(p).is_dir()]
    QIcon.setFallbackSearchPaths([*QIcon.fallbackSearchPaths(), *paths])


def app_icon(names: list[str], generic: QIcon) -> QIcon:
    """The first of `names` (icon name, binary...) any theme in the chain has."""
    for name in names:
        for candidate in dict.fromkeys((name, name.lower())):
            if candidate and QIcon.hasThemeIcon(candidate):
                return QIcon.fromTheme(candidate)
    return generic
