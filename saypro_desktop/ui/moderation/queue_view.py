"""The review queue: ads waiting for a decision, most urgent first, beside the ad; one key per decision.

Keys (while the queue has focus): A approve, R reject, C ask for changes, E escalate, S sanction the advertiser,
J / K next and previous ad, Ctrl+Z undo the last decision while it has not synced. Several selected rows are
decided together (approve or reject with one set of reasons)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.moderation import DEFAULT_REASONS, DecisionKind
from ...core.vocab import ClassifiedCategory
from ...services import ad_views, ads, moderation
from ...services.ad_scoring import score_missing
from ..app_context import AppContext
from ..theme import BAD
from .ad_pane import AdPane
from .dialogs import ReasonDialog, SanctionDialog

COLUMNS = ["Waiting", "Risk", "Ad", "Category", "Title", "Flags", "Reports"]


class QueueView(QWidget):
    decided = Signal(str)  # an ad's row id, once its decision is written

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.rows: list[ad_views.QueueRow] = []
        self._wanted: str | None = None  # the ad to select once the queue is read again
        self._last: str | None = None  # the ad of the last decision made here (undo after it left the queue)
        self.category = QComboBox()
        self.category.setAccessibleName("Category")
        self.category.addItem("Any category", None)
        for c in ClassifiedCategory:
            if c is not ClassifiedCategory.NONE:
                self.category.addItem(c.value, c.value)
        self.reported = QCheckBox("Reported by users")
        self.risky = QCheckBox("Risk 50 and over")
        for w in (self.category,):
            w.currentIndexChanged.connect(lambda _: self.refresh())
        for box in (self.reported, self.risky):
            box.toggled.connect(lambda _: self.refresh())
        self.count = QLabel()
        filters = QHBoxLayout()
        for w in (self.category, self.reported, self.risky):
            filters.addWidget(w)
        filters.addStretch(1)
        filters.addWidget(self.count)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Review queue")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)  # the title takes the room left
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(5, self.fontMetrics().horizontalAdvance("near duplicate, missing d"))
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.pane = AdPane()

        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for key, label, tip in (("approve", "&Approve", "A"), ("reject", "&Reject…", "R"),
                                ("changes", "Ask for &changes…", "C"), ("escalate", "&Escalate", "E"),
                                ("sanction", "&Sanction…", "S"), ("undo", "&Undo", "Ctrl+Z")):
            b = QPushButton(label)
            b.setToolTip(f"{label.replace('&', '').rstrip('…')} ({tip})")
            b.setAccessibleName(label.replace("&", "").rstrip("…"))
            bar.addWidget(b)
            self.buttons[key] = b
        bar.addStretch(1)
        self.buttons["approve"].clicked.connect(lambda: self.decide(DecisionKind.APPROVE))
        self.buttons["reject"].clicked.connect(lambda: self.decide(DecisionKind.REJECT))
        self.buttons["changes"].clicked.connect(lambda: self.decide(DecisionKind.REQUEST_CHANGES))
        self.buttons["escalate"].clicked.connect(lambda: self.decide(DecisionKind.ESCALATE))
        self.buttons["sanction"].clicked.connect(self.sanction)
        self.buttons["undo"].clicked.connect(self.undo)
        for keys, slot in ((["A"], lambda: self.decide(DecisionKind.APPROVE)),
                           (["R"], lambda: self.decide(DecisionKind.REJECT)),
                           (["C"], lambda: self.decide(DecisionKind.REQUEST_CHANGES)),
                           (["E"], lambda: self.decide(DecisionKind.ESCALATE)),
                           (["S"], self.sanction), (["J", "N"], lambda: self.step(1)),
                           (["K", "P"], lambda: self.step(-1)),
                           (["Ctrl+Z"], self.undo)):
            action = QAction(self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.pane, 1)
        right_layout.addLayout(bar)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self._update_buttons()

    # reading -----------------------------------------------------------------------------------------------
    def score_then_refresh(self) -> None:
        """Score the ads that arrived since (a write), then read the queue."""
        self.app.write(lambda ctx: score_missing(ctx) and [], "ad_score", lambda _: self.refresh(),
                       self._failed)

    def refresh(self) -> None:
        flt = ads.QueueFilter(category=self.category.currentData(), reported_only=self.reported.isChecked(),
                              min_risk=50 if self.risky.isChecked() else None, limit=500)
        keep = self._wanted or self.current_id()
        self.app.read(lambda ctx: ad_views.queue_rows(ctx, flt), lambda rows: self._show_rows(rows, keep),
                      self._failed)

    def _show_rows(self, rows: list[ad_views.QueueRow], keep: str | None) -> None:
        self.rows = rows
        self._wanted = None
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for n, r in enumerate(rows):
            hours = QTableWidgetItem(f"{r.hours_waiting:.1f} h" + (" ⚠" if r.overdue else ""))
            if r.overdue:
                hours.setForeground(QColor(BAD))
                hours.setToolTip("Past 12 hours since submission: decide first")
            cells = [hours, QTableWidgetItem("" if r.risk is None else str(r.risk)), QTableWidgetItem(r.display),
                     QTableWidgetItem(r.category), QTableWidgetItem(r.title),
                     QTableWidgetItem(", ".join(f.replace("_", " ") for f in r.flags)),
                     QTableWidgetItem(str(r.reports) if r.reports else "")]
            for col, item in enumerate(cells):
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                self.table.setItem(n, col, item)
        self.table.blockSignals(False)
        self.count.setText(f"{len(rows)} ad(s) waiting, {sum(r.overdue for r in rows)} past 12 h")
        index = next((n for n, r in enumerate(rows) if r.id == keep), 0 if rows else -1)
        if index >= 0:
            self.table.selectRow(index)
        else:
            self.pane.show_nothing("Nothing waiting: every ad is decided.")
        self._selection_changed()

    def current_id(self) -> str | None:
        row = self.table.currentRow()
        return self.rows[row].id if 0 <= row < len(self.rows) else None

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.rows[n].id for n in rows if n < len(self.rows)]

    def _selection_changed(self) -> None:
        ad_id = self.current_id()
        self._update_buttons()
        if ad_id is None or len(self.selected_ids()) > 1:
            if len(self.selected_ids()) > 1:
                self.pane.show_nothing(f"{len(self.selected_ids())} ads selected: Approve or Reject decides them all.")
            return
        self.app.read(lambda ctx: ad_views.ad_detail(ctx, ad_id), self._show_detail, self._failed)

    def _show_detail(self, detail: ad_views.AdDetail) -> None:
        if detail.id == self.current_id():
            self.pane.show_ad(detail)
            self._update_buttons()

    def _update_buttons(self) -> None:
        one = self.pane.detail is not None and len(self.selected_ids()) <= 1
        some = bool(self.selected_ids())
        for key in ("approve", "reject"):
            self.buttons[key].setEnabled(some)
        for key in ("changes", "escalate", "sanction"):
            self.buttons[key].setEnabled(one)
        self.buttons["undo"].setEnabled(bool(self.pane.detail and self.pane.detail.can_undo) or bool(self._last))

    def step(self, delta: int) -> None:
        if not self.rows:
            return
        row = min(max(self.table.currentRow() + delta, 0), len(self.rows) - 1)
        self.table.selectRow(row)

    # deciding ----------------------------------------------------------------------------------------------
    def decide(self, kind: DecisionKind) -> None:
        ids = self.selected_ids()
        if not ids or (len(ids) > 1 and kind not in (DecisionKind.APPROVE, DecisionKind.REJECT)):
            return
        codes: list[str] = []
        message = None
        if kind in (DecisionKind.REJECT, DecisionKind.REQUEST_CHANGES):
            reasons = self.pane.detail.reasons if self.pane.detail else dict(DEFAULT_REASONS)
            suggested = _suggest(self.pane.detail.hits if self.pane.detail and len(ids) == 1 else [])
            title = f"{kind.value}: {len(ids)} ad(s)" if len(ids) > 1 else f"{kind.value}: {self.rows_by_id(ids[0])}"
            dialog = ReasonDialog(title, reasons, self, preselect=suggested)
            if dialog.exec() != ReasonDialog.DialogCode.Accepted:
                return
            codes, message = dialog.codes(), dialog.text()

        def work(ctx: Any) -> list[str]:
            for ad_id in ids:
                moderation.decide(ctx, ads.get_ad(ctx, ad_id), kind, codes, message=message)
            return ids

        next_row = self._row_after(ids)
        self._last = ids[-1]
        # The decided ads leave the table and the next ad is shown at once, while the decision is written (a
        # refused decision reads the queue again and brings its ad back).
        self.rows = [r for r in self.rows if r.id not in ids]
        self._show_rows(self.rows, next_row)
        self.app.write(work, "ad", self._after_decision, self._failed)

    def rows_by_id(self, ad_id: str) -> str:
        return next((r.display for r in self.rows if r.id == ad_id), ad_id)

    def _row_after(self, ids: list[str]) -> str | None:
        last = max(n for n, r in enumerate(self.rows) if r.id in ids)
        later = [r.id for r in self.rows[last + 1:] if r.id not in ids]
        earlier = [r.id for r in self.rows[:last] if r.id not in ids]
        return (later or earlier or [None])[0]

    def _after_decision(self, ids: list[str]) -> None:
        for ad_id in ids:
            self.decided.emit(ad_id)
        self._update_buttons()  # undo is offered now
        QTimer.singleShot(0, self.refresh)  # the queue read again behind (new arrivals, others' claims)

    def undo(self) -> None:
        ad_id = (self.pane.detail.id if self.pane.detail and self.pane.detail.can_undo else None) or self._last
        if ad_id is None:
            return

        def work(ctx: Any) -> list[str]:
            moderation.undo_last(ctx, ads.get_ad(ctx, ad_id))
            return [ad_id]

        self._wanted = ad_id
        self._last = None
        self.app.write(work, "ad", lambda _: self.refresh(), self._failed)

    def sanction(self) -> None:
        detail = self.pane.detail
        if detail is None:
            return
        tz = self.app.settings.calendar().tz
        dialog = SanctionDialog(detail.advertiser_id, detail.reasons, tz, self.app.clock().astimezone(tz).date(), self)
        if dialog.exec() != SanctionDialog.DialogCode.Accepted:
            return
        kind, until, codes, message = dialog.chosen_kind(), dialog.ends_at(), dialog.codes(), dialog.text()

        def work(ctx: Any) -> list[str]:
            ad = ads.get_ad(ctx, detail.id)
            moderation.add_sanction(ctx, detail.advertiser_id, kind, codes, until=until, message=message, ad=ad)
            return [detail.id]

        self.app.write(work, "sanction", lambda _: self._selection_changed(), self._failed)

    def _failed(self, exc: Exception) -> None:
        QMessageBox.warning(self, "Not done", str(exc))
        self.refresh()


# A rule that fired suggests the reason a moderator most likely gives.
_RULE_REASON = {"prohibited_item": "prohibited", "offensive_language": "offensive", "scam_pattern": "scam",
                "too_good_price": "price", "price_out_of_range": "price", "contact_in_text": "contact_in_text",
                "duplicate": "duplicate", "near_duplicate": "duplicate", "missing_details": "missing_details",
                "category_mismatch": "wrong_category", "small_images": "image_quality"}


def _suggest(hits: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(_RULE_REASON[h["rule"]] for h in hits if h.get("rule") in _RULE_REASON))
