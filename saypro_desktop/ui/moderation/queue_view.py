"""The review queue: ads waiting for a decision, most urgent first, beside the ad; one key per decision.

Keys (while the queue has focus): A approve, R reject, C ask for changes, E escalate, S sanction the advertiser,
J / K next and previous ad, Ctrl+Z undo the last decision while it has not synced. Several selected rows are
decided together (approve or reject with one set of reasons). Online, "Claim 20" reserves a batch on the server
so that no other moderator works it; "My claims" shows it (offline too)."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
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
from .dialogs import ReasonDialog, SanctionDialog, UserReportDialog

CLAIM_COUNT = 20
SCORE_CHUNK = 2000  # ads scored per write (about a second)

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
        self.mine = QCheckBox("My claims")
        self.mine.setToolTip("Only the ads claimed for you on the server (your batch, to work offline too)")
        self.claim_button = QPushButton(f"Claim {CLAIM_COUNT}")
        self.claim_button.setToolTip(f"Reserve the next {CLAIM_COUNT} ads on the server for you, so that no other "
                                     "moderator spends time on them (needs the server; the claim expires)")
        self.claim_button.clicked.connect(self.claim)
        self._scored = 0  # ads scored so far by the chunks under way
        self.sync: Any = None  # the sync controller, once the main window has one (set_sync)
        self.claim_note = QLabel()
        self.claim_note.setWordWrap(True)
        self.claim_note.hide()
        for w in (self.category,):
            w.currentIndexChanged.connect(lambda _: self.refresh())
        for box in (self.reported, self.risky, self.mine):
            box.toggled.connect(lambda _: self.refresh())
        self.count = QLabel()
        # Two rows, so that the queue and the ad fit side by side on a 1366-pixel screen.
        filters = QVBoxLayout()
        choices, counts = QHBoxLayout(), QHBoxLayout()
        for w in (self.category, self.reported, self.risky, self.mine):
            choices.addWidget(w)
        choices.addStretch(1)
        counts.addWidget(self.count, 1)
        counts.addWidget(self.claim_button)
        filters.addLayout(choices)
        filters.addLayout(counts)

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
        bar = QVBoxLayout()
        decide_row, more_row = QHBoxLayout(), QHBoxLayout()
        for key, label, tip in (("approve", "&Approve", "A"), ("reject", "&Reject…", "R"),
                                ("changes", "Ask for &changes…", "C"), ("escalate", "&Escalate", "E"),
                                ("sanction", "Sa&nction…", "S"), ("report", "User report…", "none"),
                                ("undo", "&Undo", "Ctrl+Z")):
            b = QPushButton(label)
            b.setToolTip(f"{label.replace('&', '').rstrip('…')}" + (f" ({tip})" if tip != "none" else ""))
            b.setAccessibleName(label.replace("&", "").rstrip("…"))
            (decide_row if key in ("approve", "reject", "changes", "escalate") else more_row).addWidget(b)
            self.buttons[key] = b
        for row in (decide_row, more_row):
            row.addStretch(1)
            bar.addLayout(row)
        self.buttons["approve"].clicked.connect(lambda: self.decide(DecisionKind.APPROVE))
        self.buttons["reject"].clicked.connect(lambda: self.decide(DecisionKind.REJECT))
        self.buttons["changes"].clicked.connect(lambda: self.decide(DecisionKind.REQUEST_CHANGES))
        self.buttons["escalate"].clicked.connect(lambda: self.decide(DecisionKind.ESCALATE))
        self.buttons["sanction"].clicked.connect(self.sanction)
        self.buttons["report"].clicked.connect(self.user_report)
        self.buttons["report"].setToolTip("Record a user's report of this ad that came by phone or email")
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
        left_layout.addWidget(self.claim_note)
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
        """Score the ads that arrived since, or all of them after a policy edit, then read the queue. In chunks,
        each its own write, so that the user's own writes are not held up behind 50,000 ads."""
        def chunk(ctx: Any) -> tuple[list[str], int]:
            return [], score_missing(ctx, limit=SCORE_CHUNK)

        def done(scored: int) -> None:
            if scored == SCORE_CHUNK:
                self._note(f"Scoring the ads with the policy in force… ({self._scored + scored:,} so far)")
                self._scored += scored
                self.app.write(chunk, "ad_score", done, self._failed)
            else:
                if self._scored:
                    self._note("")
                self._scored = 0
                self.refresh()

        self.app.write(chunk, "ad_score", done, self._failed)

    def refresh(self) -> None:
        flt = ads.QueueFilter(category=self.category.currentData(), reported_only=self.reported.isChecked(),
                              min_risk=50 if self.risky.isChecked() else None, mine_only=self.mine.isChecked(),
                              limit=500)
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
        for key in ("changes", "escalate", "sanction", "report"):
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

    def user_report(self) -> None:
        detail = self.pane.detail
        if detail is None:
            return
        dialog = UserReportDialog(detail.display, self)
        if dialog.exec() != UserReportDialog.DialogCode.Accepted:
            return
        reason, text = dialog.chosen_reason(), dialog.text()

        def work(ctx: Any) -> list[str]:
            moderation.record_report(ctx, ads.get_ad(ctx, detail.id), reason, text)
            return [detail.id]

        self._wanted = detail.id
        self.app.write(work, "ad", lambda _: self.refresh(), self._failed)

    # claiming (online) ---------------------------------------------------------------------------------------
    def set_sync(self, sync: Any) -> None:
        """The main window's sync controller: claims go to the server through it."""
        self.sync = sync

    def claim(self) -> None:
        if self.sync is None or not self.sync.status.enrolled:
            self._note("Claiming needs the server: File → Connect to server. Offline, work the queue as it is.")
            return
        self.claim_button.setEnabled(False)
        self._note("Claiming…")
        self.sync.with_client(lambda client: client.claim_ads(CLAIM_COUNT, str(uuid.uuid4())), self._claimed,
                              self._claim_failed)

    def _note(self, text: str) -> None:
        self.claim_note.setText(text)
        self.claim_note.setVisible(bool(text))

    def _claimed(self, answer: dict[str, Any]) -> None:
        self.claim_button.setEnabled(True)
        n = len(answer.get("ad_ids", []))
        until = ""
        with contextlib.suppress(KeyError, TypeError, ValueError):
            tz = self.app.settings.calendar().tz
            until = f" until {datetime.fromisoformat(answer['expires_at']).astimezone(tz):%H:%M}"
        self._note(f"{n} ad(s) claimed for you{until}; they arrive with this sync" if n else
                   "Nothing to claim: every waiting ad is decided or claimed by someone else")
        if n:
            self.mine.setChecked(True)
            self.sync.sync_now()  # the claims come down with the pull; the queue reads again after it

    def _claim_failed(self, exc: Exception) -> None:
        self.claim_button.setEnabled(True)
        self._note(f"The claim did not go through ({exc}). Work the ads you hold, or claim again online.")

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
