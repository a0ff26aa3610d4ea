"""The inquiries table: a model over the ordered row ids of the whole result, rows fetched by page in the
background and cached (after Anki's browser table model). Sorting and filtering happen in SQL."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor

from ...core.sla import SlaState, clock_state
from ...core.vocab import Status
from ...core.workflow import DONE_STATUSES
from ...services.inquiry_table import SORTS, InquiryRow, TableQuery, fetch_rows, row_ids
from ..app_context import AppContext
from ..theme import BAD, GOOD, MUTED, WARN

COLUMNS: list[tuple[str, str]] = [
    ("ref", "Inquiry ID"), ("logged_at", "Logged"), ("status", "Status"), ("priority", "Priority"), ("sla", "SLA"),
    ("category", "Category"), ("subject", "Subject"), ("user", "User"), ("mode", "Channel"),
    ("assignee", "Assigned to"), ("resolution_due_at", "Resolution due"),
]
PAGE = 200
MAX_PAGES = 60  # cached rows stay bounded however far one scrolls

_INDEX = QModelIndex | QPersistentModelIndex


def countdown(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return f"{days}d {hours}h" if days else f"{hours}h {mins:02d}m" if hours else f"{mins}m"


def sla_text(row: InquiryRow, now: datetime, risk: float) -> tuple[str, SlaState]:
    """The most urgent open clock of a row, as text with a countdown, and its state."""
    done = row.resolved_at if Status(row.status) in DONE_STATUSES else None
    res = clock_state(row.logged_at, row.resolution_due_at, done, now, risk)
    if done is not None:
        return res.value, res
    ack = clock_state(row.logged_at, row.ack_due_at, row.acknowledged_at, now, risk)
    if ack == SlaState.BREACHED or (ack == SlaState.AT_RISK and res == SlaState.ON_TRACK):
        label = "ack overdue" if ack == SlaState.BREACHED else "ack due"
        return f"{ack.value} · {label} {countdown(row.ack_due_at - now)}", ack
    if res == SlaState.BREACHED:
        return f"Breached · {countdown(now - row.resolution_due_at)} over", res
    return f"{res.value} · {countdown(row.resolution_due_at - now)} left", res


_STATE_COLOURS = {SlaState.BREACHED: BAD, SlaState.MISSED: BAD, SlaState.AT_RISK: WARN, SlaState.MET: GOOD,
                  SlaState.ON_TRACK: MUTED}


class InquiryTableModel(QAbstractTableModel):
    loaded = Signal(int)  # number of rows after a (re)load
    failed = Signal(str)

    def __init__(self, app: AppContext) -> None:
        super().__init__()
        self.app = app
        self.query = TableQuery(me=app.user.id, tz=app.settings.calendar().tz)
        self._ids: list[int] = []
        self._pages: OrderedDict[int, dict[int, InquiryRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self._tz = app.settings.calendar().tz
        # SLA countdowns move while the window is open.
        self._ticker = QTimer(self, interval=30_000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

    # loading ----------------------------------------------------------------------------------------------
    def reload(self, query: TableQuery | None = None) -> None:
        if query is not None:
            self.query = query
        self._generation += 1
        generation, q, now = self._generation, self.query, self.app.clock()
        risk = self.app.settings.sla.at_risk_fraction
        self.app.read(lambda ctx: row_ids(ctx, q, now, risk),
                      lambda ids: self._set_ids(generation, ids), lambda exc: self.failed.emit(str(exc)))

    def _set_ids(self, generation: int, ids: list[int]) -> None:
        if generation != self._generation:
            return  # a newer query was asked for meanwhile
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self._pending.clear()
        self.endResetModel()
        self.loaded.emit(len(ids))

    def refresh_rows(self, rowids: set[int]) -> None:
        """Drop the cached pages holding these rows so they are fetched again."""
        for page in [p for p, rows in self._pages.items() if rowids & rows.keys()]:
            del self._pages[page]
            self._emit_page_changed(page)

    def _row(self, row: int) -> InquiryRow | None:
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        return rows.get(self._ids[row])

    def _request(self, page: int) -> None:
        if page in self._pending:
            return
        self._pending.add(page)
        generation = self._generation
        wanted = self._ids[page * PAGE:(page + 1) * PAGE]
        self.app.read(lambda ctx: fetch_rows(ctx, wanted),
                      lambda rows: self._page_loaded(generation, page, rows))

    def _page_loaded(self, generation: int, page: int, rows: dict[int, InquiryRow]) -> None:
        self._pending.discard(page)
        if generation != self._generation:
            return
        self._pages[page] = rows
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        self._emit_page_changed(page)

    def _emit_page_changed(self, page: int) -> None:
        first, last = page * PAGE, min(len(self._ids), (page + 1) * PAGE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _tick(self) -> None:
        if self._ids:
            col = [k for k, _ in COLUMNS].index("sla")
            self.dataChanged.emit(self.index(0, col), self.index(len(self._ids) - 1, col))

    # Qt model API -------------------------------------------------------------------------------------------
    def rowCount(self, parent: _INDEX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _INDEX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def data(self, index: _INDEX, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._row(index.row())
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if row is None:
                return "…"
            return self._display(row, key)
        if row is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole and key in ("sla", "priority"):
            if key == "priority":
                return QColor(BAD) if row.priority == "Critical" else None
            return QColor(_STATE_COLOURS[sla_text(row, self.app.clock(), self.app.settings.sla.at_risk_fraction)[1]])
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and key == "subject":
            return row.subject
        return None

    def _display(self, row: InquiryRow, key: str) -> str:
        if key == "sla":
            return sla_text(row, self.app.clock(), self.app.settings.sla.at_risk_fraction)[0]
        if key in ("logged_at", "resolution_due_at"):
            return getattr(row, key).astimezone(self._tz).strftime("%d/%m/%Y %H:%M")
        if key == "user":
            return row.user_name
        if key == "status" and row.status == "Escalated" and row.escalation_tier:
            return f"Escalated ({row.escalation_tier})"
        return str(getattr(row, key))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][0]
        if key not in SORTS:
            key = "resolution_due_at" if key == "sla" else "logged_at"
        self.query.sort = key
        self.query.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    # helpers for the view ----------------------------------------------------------------------------------
    def inquiry_id_at(self, row: int) -> str | None:
        data = self._row(row) if 0 <= row < len(self._ids) else None
        return data.id if data else None

    def row_of_rowid(self, rowid: int) -> int | None:
        try:
            return self._ids.index(rowid)
        except ValueError:
            return None

    def cached_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())
