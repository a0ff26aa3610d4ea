"""Light and dark themes on the Fusion style; "system" follows the operating system's colour scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")

# SLA and KPI colours; always paired with text, never the only signal.
GOOD, WARN, BAD, MUTED = "#2e7d32", "#b26a00", "#c62828", "#6b7280"

_STYLE = """
#sidebar { font-size: 11pt; padding: 4px; }
#sidebar::item { padding: 8px 10px; }
#formError, .error { color: %(bad)s; }
QLabel[role="fieldError"] { color: %(bad)s; }
QLabel[role="tileValue"] { font-size: 20pt; font-weight: 600; }
QLabel[role="tileTitle"] { color: %(muted)s; }
QFrame[role="tile"] { border: 1px solid palette(mid); border-radius: 6px; }
"""


def is_dark(theme: str) -> bool:
    if theme == "dark":
        return True
    if theme == "light":
        return False
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, theme: str = "system") -> None:
    app.setStyle("Fusion")
    if is_dark(theme):
        p = QPalette()
        base, alt, text = QColor("#1f2329"), QColor("#2a2f36"), QColor("#e6e6e6")
        for role, color in ((QPalette.ColorRole.Window, alt), (QPalette.ColorRole.WindowText, text),
                            (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, alt),
                            (QPalette.ColorRole.Text, text), (QPalette.ColorRole.Button, alt),
                            (QPalette.ColorRole.ButtonText, text), (QPalette.ColorRole.ToolTipBase, base),
                            (QPalette.ColorRole.ToolTipText, text), (QPalette.ColorRole.Highlight, QColor("#3d6fb4")),
                            (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
                            (QPalette.ColorRole.PlaceholderText, QColor("#8b949e"))):
            p.setColor(role, color)
        p.setColor(QPalette.ColorRole.Link, QColor("#6ea8fe"))
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
            p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6e7681"))  # disabled must look disabled
        app.setPalette(p)
    else:
        app.setPalette(app.style().standardPalette())
    app.setStyleSheet(_STYLE % {"bad": BAD, "muted": MUTED})
