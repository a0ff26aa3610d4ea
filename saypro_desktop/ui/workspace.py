"""The base of a sidebar workspace: given only the app context, it refreshes itself on changes."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from .app_context import AppContext


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
