"""Small pieces the Feedback views share: read-only tables filled from rows, and an error box."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem


def table(columns: Sequence[str], name: str, stretch: int | None = None) -> QTableWidget:
    """A read-only table of whole-row selection; ``stretch`` (default: the last column; -1: none) takes the spare
    width."""
    t = QTableWidget(0, len(columns))
    t.setAccessibleName(name)
    t.setHorizontalHeaderLabels(list(columns))
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setTabKeyNavigation(False)
    t.setWordWrap(False)
    t.verticalHeader().hide()
    t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)
    stretch = len(columns) - 1 if stretch is None else stretch
    for col in range(len(columns)):
        t.horizontalHeader().setSectionResizeMode(
            col, QHeaderView.ResizeMode.Stretch if col == stretch else QHeaderView.ResizeMode.ResizeToContents)
    return t


def fill(t: QTableWidget, rows: Sequence[Sequence[str]], keys: Sequence[Any] | None = None,
         right: Sequence[int] = ()) -> None:
    """Put ``rows`` in the table; each row's ``key`` is kept on its first cell (``key_of``); columns in ``right``
    are aligned right (figures)."""
    t.setRowCount(len(rows))
    for n, cells in enumerate(rows):
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text if len(text) > 40 else "")
            if col in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if keys is not None and col == 0:
                item.setData(Qt.ItemDataRole.UserRole, keys[n])
            t.setItem(n, col, item)


def key_of(t: QTableWidget) -> Any:
    """The key of the selected row, or None."""
    row = t.currentRow()
    item = t.item(row, 0) if row >= 0 else None
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


def select_key(t: QTableWidget, key: Any) -> None:
    for row in range(t.rowCount()):
        item = t.item(row, 0)
        if item is not None and item.data(Qt.ItemDataRole.UserRole) == key:
            t.selectRow(row)
            return
