"""Quick search (Ctrl+K): the search box above every workspace.

While one types, a drop-down shows the best dozen hits of the list's own engine (``services.search``: FTS5 with
accents folded, over the Inquiry ID, subject, description, action steps, resolution, the user's name and email),
in columns: Inquiry ID, subject, user, status. Nothing is filtered again by the typed text, so "helene" finds
Hélène and a word of an action step finds its inquiry. Picking a hit (arrows, then Enter, or a click) opens it;
Enter alone searches every inquiry in the Inquiries list, which says where it searched and how many it found.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QLineEdit, QTreeView, QWidget

from ..services.search import search_hits
from .app_context import AppContext

MAX_HITS = 12
COLUMNS = ("Inquiry ID", "Subject", "User", "Status")


class QuickSearch(QLineEdit):
    open_inquiry = Signal(str)  # row id of the hit picked in the drop-down
    search_all = Signal(str)  # Enter: the words, to search every inquiry in the list

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setPlaceholderText("Search all inquiries: ID, name, email, words of steps (Ctrl+K, Enter)")
        self.setAccessibleName("Global search")
        self.setClearButtonEnabled(True)
        self.hits = QStandardItemModel(0, len(COLUMNS), self)
        self.hits.setHorizontalHeaderLabels(list(COLUMNS))
        self.popup_view = QTreeView()
        self.popup_view.setAccessibleName("Quick search results")
        self.popup_view.setRootIsDecorated(False)
        self.popup_view.setUniformRowHeights(True)
        self.popup_view.setAllColumnsShowFocus(True)
        self.popup_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.popup_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.completer_ = QCompleter(self.hits, self)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setMaxVisibleItems(MAX_HITS)
        self.completer_.setPopup(self.popup_view)  # after the model: the popup takes the completer's model
        self.completer_.setWidget(self)  # not setCompleter: the box's text is never replaced by a hit
        self.completer_.activated[QModelIndex].connect(self._picked)
        self._generation = 0  # a result that comes back after Enter or further typing is dropped
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self._find)
        self.textEdited.connect(lambda _: self._debounce.start())
        self.returnPressed.connect(self._enter)

    # the drop-down ----------------------------------------------------------------------------------------------
    def _find(self) -> None:
        words = self.text().strip()
        self._generation += 1
        generation = self._generation
        if len(words) < 2:
            self.popup_view.hide()
            return

        def find(ctx) -> list[tuple[str, str, str, str, str]]:
            # As the signed-in role may see them: without VIEW_PERSONAL_DETAILS no name shown, none searched.
            return [(h.id, h.ref, h.subject, h.user_name, h.status) for h in search_hits(ctx, words, limit=MAX_HITS)]

        self.app.read(find, lambda found: self._show(generation, found))

    def _show(self, generation: int, found: list[tuple[str, str, str, str, str]]) -> None:
        if generation != self._generation or not self.hasFocus():
            return  # typed on, pressed Enter or left the box meanwhile
        self.hits.removeRows(0, self.hits.rowCount())
        for rid, *cells in found:
            items = [QStandardItem(c) for c in cells]
            items[0].setData(rid, Qt.ItemDataRole.UserRole)
            self.hits.appendRow(items)
        if not found:
            self.popup_view.hide()
            return
        fm = self.fontMetrics()
        for col, sample in enumerate(("SCMR-2501-00000", "M" * 24, "M" * 14)):
            self.popup_view.setColumnWidth(col, fm.horizontalAdvance(sample))
        width = max(self.width(), fm.horizontalAdvance("M") * 62)
        self.completer_.complete(QRect(0, 0, width, self.height()))
        self.popup_view.setCurrentIndex(QModelIndex())  # nothing picked: Enter searches everything
        self.popup_view.clearSelection()

    def hit_count(self) -> int:
        return self.hits.rowCount()

    def _picked(self, index: QModelIndex) -> None:
        rid = index.sibling(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        if rid:
            self._generation += 1
            self.open_inquiry.emit(rid)
            QTimer.singleShot(0, self.clear)

    # Enter --------------------------------------------------------------------------------------------------------
    def _enter(self) -> None:
        """One Enter: the hit picked in the drop-down opens (the completer does it), else every inquiry is searched."""
        popup = self.popup_view
        if popup.isVisible() and popup.currentIndex().isValid():
            return
        self._debounce.stop()
        self._generation += 1
        popup.hide()
        if self.text().strip():
            self.search_all.emit(self.text().strip())
