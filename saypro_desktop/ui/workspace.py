"""The base of a sidebar workspace: given only the app context, it refreshes itself on changes."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from .app_context import AppContext


def hidden_unless(allowed: bool, *widgets: QWidget) -> None:
    """Hide ``widgets`` unless ``allowed`` (a role's buttons). Never ``setVisible(True)`` while building: a widget
    shown before it is in a layout opens as a window of its own (a native window made for nothing, a flash, and
    the main window loses the focus when a workspace is built after it is shown)."""
    if not allowed:
        for widget in widgets:
            widget.hide()


class Workspace(QWidget):
    title = "Workspace"
    shortcut = ""
    open_inquiry = Signal(str)  # an inquiry's row id: the main window shows it in the Inquiries workspace

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setAccessibleName(self.title)

    def activated(self) -> None:
        """Called when the workspace is shown."""
