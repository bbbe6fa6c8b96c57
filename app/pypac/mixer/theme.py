"""Dark and light looks: a Fusion palette, the strip style sheet, plot colours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

W = TypeVar("W", bound=QWidget)


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    base: str  # strip background
    plot_bg: str
    text: str
    dim_text: str
    accent: str
    wave: str
    border: str
    banner_bg: str
    banner_text: str
    warning: str
    record: str = "#d32f2f"
    meter_low: str = "#43a047"
    meter_mid: str = "#fdd835"
    meter_high: str = "#e53935"


DARK = Theme(
    name="dark",
    window="#1e1f22",
    base="#2b2d31",
    plot_bg="#16171a",
    text="#e8e8ea",
    dim_text="#9a9ca3",
    accent="#4fa3ff",
    wave="#5ec8ff",
    border="#3a3c42",
    banner_bg="#7a1f1f",
    banner_text="#ffffff",
    warning="#ffb74d",
)

LIGHT = Theme(
    name="light",
    window="#eceef1",
    base="#ffffff",
    plot_bg="#f4f6f8",
    text="#1d1f23",
    dim_text="#5f636b",
    accent="#1a73e8",
    wave="#1565c0",
    border="#c9ccd2",
    banner_bg="#fdecea",
    banner_text="#8a1c1c",
    warning="#b45309",
)

THEMES = {"dark": DARK, "light": LIGHT}


def named(widget: W, name: str) -> W:
    """`widget` with an object name, the handle the style sheet below styles it by."""
    widget.setObjectName(name)
    return widget


def _style_sheet(t: Theme) -> str:
    return f"""
QFrame#strip {{ background: {t.base}; border: 1px solid {t.border}; border-radius: 8px; }}
QFrame#strip[focused="true"] {{ border: 2px solid {t.accent}; }}
QFrame#strip[recording="true"] {{ border: 2px solid {t.record}; }}
QFrame#strip[gone="true"] {{ background: {t.window}; }}
QLabel#stripName {{ font-weight: 600; }}
QLabel#stripPid, QLabel#percent {{ color: {t.dim_text}; }}
QLabel#micMark, QLabel#autoMark {{ background: {t.record}; color: #ffffff; border-radius: 3px;
                  padding: 0 3px; font-weight: 600; }}
QToolButton#deviceMenu::menu-indicator {{ image: none; width: 0; }}
QLabel#recWarning {{ color: {t.warning}; font-weight: 600; }}
QLabel#recInfo {{ color: {t.record}; font-weight: 600; }}
QLabel#recMessage, QLabel#recInfo[done="true"] {{ color: {t.dim_text}; font-weight: 400; }}
QPushButton#fileLink {{ color: {t.accent}; text-decoration: underline; padding: 0 2px; }}
QLabel#emptyState {{ color: {t.dim_text}; font-size: 15px; }}
QLabel#banner {{ background: {t.banner_bg}; color: {t.banner_text}; padding: 8px;
                 font-weight: 600; }}
QPushButton#mute:checked {{ background: {t.warning}; color: #1d1f23; }}
QPushButton#record:checked {{ background: {t.record}; color: #ffffff; }}
QPushButton#arm, QToolButton#arm {{ padding: 0 2px; }}
QPushButton#arm:checked, QToolButton#arm:checked, QToolButton#masterRecord:checked {{
    background: {t.record}; color: #ffffff; font-weight: 600; }}
QScrollArea, QWidget#stripRow {{ background: {t.window}; }}
"""


def apply_theme(app: QApplication, name: str) -> Theme:
    t = THEMES[name]
    app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor(t.window))
    pal.setColor(QPalette.ColorRole.WindowText, QColor(t.text))
    pal.setColor(QPalette.ColorRole.Base, QColor(t.base))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor(t.window))
    pal.setColor(QPalette.ColorRole.Text, QColor(t.text))
    pal.setColor(QPalette.ColorRole.Button, QColor(t.base))
    pal.setColor(QPalette.ColorRole.ButtonText, QColor(t.text))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(t.accent))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor(t.base))
    pal.setColor(QPalette.ColorRole.ToolTipText, QColor(t.text))
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(t.dim_text))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(t.dim_text))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(t.dim_text))
    app.setPalette(pal)
    app.setStyleSheet(_style_sheet(t))
    return t
