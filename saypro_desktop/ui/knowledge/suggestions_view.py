"""The editors' inbox of suggested edits (EDIT_ARTICLES): the open suggestions, oldest first. Accept records the
outcome and opens the article (or a new one, for a missing article) in the editor with the suggestion beside it;
Decline records it."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...models import KbSuggestion
from ...services import knowledge, knowledge_views
from ...services.context import NotFound
from ...services.knowledge_views import SuggestionRow
from ..app_context import AppContext
from .reader import day

COLUMNS = ["Article", "Suggestion", "By", "When"]
MISSING = "(a missing article)"


class SuggestionsView(QWidget):
    take_in = Signal(str, str)  # (article id, "" for a new article; the suggestion as a note for the editor)

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.tz = app.settings.calendar().tz
        self.rows: list[SuggestionRow] = []
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Suggested edits")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        self.text = QTextBrowser()
        self.text.setAccessibleName("The suggestion")
        self.accept_button = QPushButton("A&ccept and edit…")
        self.accept_button.setToolTip("Record the suggestion as accepted and open the article in the editor with it")
        self.accept_button.clicked.connect(lambda: self.handle(True))
        self.decline_button = QPushButton("Dec&line")
        self.decline_button.setToolTip("Record the suggestion as declined (the article stays as it is)")
        self.decline_button.clicked.connect(lambda: self.handle(False))
        bar = QHBoxLayout()
        bar.addWidget(self.accept_button)
        bar.addWidget(self.decline_button)
        bar.addStretch(1)
        right = QWidget()
        right_col = QVBoxLayout(right)
        right_col.setContentsMargins(0, 0, 0, 0)
        right_col.addWidget(self.text, 1)
        right_col.addLayout(bar)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(split, 1)
        self._selected()

    def refresh(self) -> None:
        keep = self.current()
        self.app.read(knowledge_views.suggestion_rows, lambda rows: self._show(rows, keep.id if keep else None),
                      self._failed)

    def _show(self, rows: list[SuggestionRow], keep: str | None) -> None:
        self.rows = rows
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for n, r in enumerate(rows):
            cells = [r.article_title if r.article_id else MISSING, " ".join(r.text.split()), r.suggested_by,
                     f"{r.suggested_at.astimezone(self.tz):%d/%m/%Y %H:%M}"]
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                self.table.setItem(n, col, item)
        self.table.blockSignals(False)
        self.heading.setText(f"{len(rows)} suggested edit(s) waiting, oldest first." if rows else
                             "No suggested edit is waiting.")
        index = next((n for n, r in enumerate(rows) if r.id == keep), 0 if rows else -1)
        if index >= 0:
            self.table.selectRow(index)
        self._selected()

    def current(self) -> SuggestionRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) and self.table.selectedItems() else None

    def _selected(self) -> None:
        r = self.current()
        self.accept_button.setEnabled(r is not None)
        self.decline_button.setEnabled(r is not None)
        if r is None:
            self.text.clear()
            return
        about = (f"On <b>{html.escape(r.article_title)}</b>" if r.article_id else "A <b>missing article</b>")
        self.text.setHtml(f"<p>{about}, suggested by {html.escape(r.suggested_by) or '–'} on "
                          f"{day(r.suggested_at, self.tz)}:</p><p>{html.escape(r.text).replace(chr(10), '<br>')}</p>")

    def handle(self, accepted: bool) -> None:
        r = self.current()
        if r is None:
            return
        suggestion_id = r.id

        def work(ctx: Any) -> list[str]:
            row = ctx.session.get(KbSuggestion, suggestion_id)
            if row is None or row.deleted:
                raise NotFound("the suggestion is gone (removed on another desktop)")
            knowledge.handle_suggestion(ctx, row, accepted)
            return [suggestion_id]

        def done(_: Any) -> None:
            if accepted:
                note = (f"Suggested by {r.suggested_by or 'an agent'} on {day(r.suggested_at, self.tz)} "
                        f"(accepted): {r.text}")
                self.take_in.emit(r.article_id or "", note)

        self.accept_button.setEnabled(False)
        self.decline_button.setEnabled(False)
        self.app.write(work, "kb_suggestion", done, self._failed)

    def _failed(self, exc: Exception) -> None:
        QMessageBox.warning(self, "Not done", str(exc))
        self.refresh()
