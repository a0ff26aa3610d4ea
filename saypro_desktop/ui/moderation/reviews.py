"""The views beside the queue: appeals and complaints, the weekly audit, conflicts between decisions, and the
moderators' figures of a month (Supervisors)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.moderation import AppealOutcome, AuditVerdict, DecisionKind
from ...core.periods import Period
from ...core.permissions import Permission
from ...services import ad_views, ads, moderation, moderation_audit
from ...services.moderation_kpi import moderation_figures
from ..app_context import AppContext
from ..workspace import hidden_unless
from .dialogs import AppealDialog


def _table(columns: list[str], name: str) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setAccessibleName(name)
    t.setHorizontalHeaderLabels(columns)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().hide()
    for col in range(len(columns) - 1):
        t.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setSectionResizeMode(len(columns) - 1, QHeaderView.ResizeMode.Stretch)
    return t


def _fill(table: QTableWidget, rows: list[list[str]], keys: list[Any]) -> None:
    table.setRowCount(len(rows))
    for n, (cells, key) in enumerate(zip(rows, keys, strict=True)):
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            table.setItem(n, col, item)


def _pct(value: float | None) -> str:
    return "no data" if value is None else f"{100 * value:.1f}%"


class _View(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app

    def _failed(self, exc: Exception) -> None:
        QMessageBox.warning(self, "Not done", str(exc))

    def _key(self, table: QTableWidget) -> Any:
        row = table.currentRow()
        item = table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None


class AppealsView(_View):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.table = _table(["Received", "Kind", "Ad", "Decision", "Moderator", "Outcome", "Text"], "Appeals")
        self.upheld = QPushButton("&Uphold")
        self.overturned = QPushButton("&Overturn")
        self.upheld.clicked.connect(lambda: self.decide(AppealOutcome.UPHELD))
        self.overturned.clicked.connect(lambda: self.decide(AppealOutcome.OVERTURNED))
        self.record = QPushButton("Record an appeal…")
        self.record.setToolTip("An appeal or a complaint against a decision that came by phone, email or inquiry")
        self.record.clicked.connect(self.add)
        hidden_unless(app.can(Permission.DECIDE_APPEALS), self.upheld, self.overturned)
        bar = QHBoxLayout()
        bar.addWidget(self.record)
        bar.addWidget(QLabel("Decided by someone other than the moderator who made the decision."))
        bar.addStretch(1)
        bar.addWidget(self.upheld)
        bar.addWidget(self.overturned)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(bar)

    def refresh(self) -> None:
        self.app.read(lambda ctx: ad_views.appeal_rows(ctx), self._show, self._failed)

    def _show(self, rows: list[ad_views.AppealRow]) -> None:
        _fill(self.table, [[f"{r.received_at:%d/%m/%Y}", r.kind, r.ad, r.decision, r.moderator, r.outcome, r.text]
                           for r in rows], [r.id for r in rows])

    def add(self) -> None:
        dialog = AppealDialog(self)
        if dialog.exec() != AppealDialog.DialogCode.Accepted:
            return
        ref, kind, text = dialog.ad_ref(), dialog.chosen_kind(), dialog.text()

        def work(ctx: Any) -> list[str]:
            return [moderation.add_appeal(ctx, ads.get_ad(ctx, ref), text, kind=kind).id]

        self.app.write(work, "appeal", lambda _: self.refresh(), self._failed)

    def decide(self, outcome: AppealOutcome) -> None:
        appeal_id = self._key(self.table)
        if appeal_id is None:
            return
        note, ok = QInputDialog.getText(self, f"{outcome.value}", "Note (what was checked):")
        if not ok:
            return

        def work(ctx: Any) -> list[str]:
            moderation.decide_appeal(ctx, moderation.get_appeal(ctx, appeal_id), outcome, note)
            return [appeal_id]

        self.app.write(work, "appeal", lambda _: self.refresh(), self._failed)


class AuditView(_View):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.week = QComboBox()
        self.week.setAccessibleName("Week")
        today = app.clock().astimezone(app.settings.calendar().tz).date()
        for back in range(1, 13):
            year, number, _ = date.fromordinal(today.toordinal() - 7 * back).isocalendar()
            self.week.addItem(f"{year}-W{number:02d}")
        self.week.currentIndexChanged.connect(lambda _: self.refresh())
        self.draw_button = QPushButton("&Draw this week's 10%")
        self.draw_button.clicked.connect(self.draw)
        self.correct = QPushButton("Mark &correct")
        self.wrong = QPushButton("Mark &wrong…")
        self.correct.clicked.connect(lambda: self.mark(AuditVerdict.CORRECT))
        self.wrong.clicked.connect(lambda: self.mark(AuditVerdict.WRONG))
        self.summary = QLabel()
        self.table = _table(["Ad", "Decision", "Reasons", "Moderator", "Verdict", "Note"], "Audit sample")
        top = QHBoxLayout()
        top.addWidget(QLabel("Week:"))
        top.addWidget(self.week)
        top.addWidget(self.draw_button)
        top.addStretch(1)
        top.addWidget(self.summary)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.correct)
        bar.addWidget(self.wrong)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addLayout(bar)

    def refresh(self) -> None:
        week = self.week.currentText()
        self.app.read(lambda ctx: ad_views.audit_rows(ctx, week), self._show, self._failed)

    def _show(self, result: tuple[str, list[ad_views.AuditRow]]) -> None:
        week, rows = result
        if week != self.week.currentText():
            return
        _fill(self.table, [[r.ad, r.decision, ", ".join(r.reasons), r.moderator + (" (you)" if r.own else ""),
                            r.verdict or "to mark", r.note or ""] for r in rows], [r.audit_id for r in rows])
        marked = sum(1 for r in rows if r.verdict)
        self.summary.setText(f"{len(rows)} drawn, {marked} marked, accuracy {_pct(ad_views.week_accuracy(rows))} "
                             "(target 98%)")

    def draw(self) -> None:
        week = self.week.currentText()
        self.app.write(lambda ctx: ([], moderation_audit.draw(ctx, week)), "moderation_audit",
                       lambda d: (self.refresh(), QMessageBox.information(
                           self, "Audit drawn", f"Week {d.week}: {d.decisions} decision(s); {len(d.drawn)} drawn "
                                                f"now, {d.already} before (seed {d.seed}).")), self._failed)

    def mark(self, verdict: AuditVerdict) -> None:
        audit_id = self._key(self.table)
        if audit_id is None:
            return
        note = None
        if verdict is AuditVerdict.WRONG:
            note, ok = QInputDialog.getText(self, "Wrong decision", "What was wrong with it?")
            if not ok:
                return

        def work(ctx: Any) -> list[str]:
            from ...models import ModerationAudit

            moderation_audit.mark(ctx, ctx.session.get(ModerationAudit, audit_id), verdict, note)
            return [audit_id]

        self.app.write(work, "moderation_audit", lambda _: self.refresh(), self._failed)


class ConflictsView(_View):
    """Decisions that met another on one ad (two moderators offline): a Supervisor decides which stands."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.table = _table(["Ad", "Kept aside", "By", "Stands", "By"], "Decision conflicts")
        self.keep = QPushButton("Keep the standing &decision")
        self.take = QPushButton("&Take the one kept aside")
        self.keep.clicked.connect(lambda: self.settle(False))
        self.take.clicked.connect(lambda: self.settle(True))
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.keep)
        bar.addWidget(self.take)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(bar)
        self._pairs: dict[str, tuple[str, list[str], str, list[str]]] = {}

    def refresh(self) -> None:
        def read(ctx: Any) -> list[tuple[str, str, str, str, str, str, list[str], str, list[str]]]:
            from ...models import Ad, StaffUser

            names = {u.id: u.display_name for u in ctx.session.query(StaffUser)}
            out = []
            for aside, stands in moderation.conflicts(ctx):
                ad = ctx.session.get(Ad, aside.ad_id)
                out.append((aside.id, ad.display_id if ad else "?", aside.decision.value,
                            names.get(aside.moderator_id, "?"), stands.decision.value if stands else "-",
                            names.get(stands.moderator_id, "?") if stands else "", list(aside.reasons or []),
                            stands.decision.value if stands else "", list(stands.reasons or []) if stands else []))
            return out

        self.app.read(read, self._show, self._failed)

    def _show(self, rows: list[tuple[Any, ...]]) -> None:
        _fill(self.table, [list(r[1:6]) for r in rows], [r[0] for r in rows])
        self._pairs = {r[0]: (r[2], r[6], r[7], r[8]) for r in rows}

    def settle(self, take_aside: bool) -> None:
        aside_id = self._key(self.table)
        if aside_id is None:
            return
        aside_kind, aside_reasons, stands_kind, stands_reasons = self._pairs[aside_id]
        kind, reasons = (aside_kind, aside_reasons) if take_aside or not stands_kind else (stands_kind, stands_reasons)

        def work(ctx: Any) -> list[str]:
            from ...models import AdDecision

            moderation.settle(ctx, ctx.session.get(AdDecision, aside_id), DecisionKind(kind), reasons)
            return [aside_id]

        self.app.write(work, "ad", lambda _: self.refresh(), self._failed)


class ScoresView(_View):
    """Each moderator's month against the targets (Supervisors)."""

    COLUMNS = ("Moderator", "Decisions", "Median h", "Within 12 h", "Within 24 h", "Audited", "Audit accuracy",
               "Appeals", "Overturned", "Complaint rate")

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.month = QComboBox()
        self.month.setAccessibleName("Month")
        today = app.clock().astimezone(app.settings.calendar().tz).date()
        y, m = today.year, today.month
        for _ in range(12):
            self.month.addItem(date(y, m, 1).strftime("%B %Y"), f"{y}-{m:02d}")
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        self.month.currentIndexChanged.connect(lambda _: self.refresh())
        self.office = QLabel()
        self.office.setWordWrap(True)
        self.table = _table(list(self.COLUMNS), "Moderator scores")
        top = QHBoxLayout()
        top.addWidget(QLabel("Month:"))
        top.addWidget(self.month)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.office)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        period = Period.month(self.month.currentData())
        self.app.read(lambda ctx: moderation_figures(ctx.session, period, ctx.calendar.tz, ctx.now()), self._show,
                      self._failed)

    def _show(self, f: Any) -> None:
        self.office.setText(
            f"<b>{f.period}</b>: {f.ads_reviewed} ad(s) reviewed of {f.ads_submitted} submitted; approved "
            f"{_pct(f.approval_rate)}, rejected {_pct(f.rejection_rate)}; decided within 24 h {_pct(f.within_24h)} "
            f"(target 100%); audit accuracy {_pct(f.audit_accuracy)} (target 98%); complaint rate "
            f"{_pct(f.complaint_rate)} (target under 2%); {f.conflicts} conflict(s).")
        rows = [[m.moderator, str(m.decisions),
                 "" if m.median_hours_to_decision is None else f"{m.median_hours_to_decision:.1f}",
                 _pct(m.within_12h), _pct(m.within_24h), str(m.audited), _pct(m.audit_accuracy), str(m.appeals),
                 str(m.overturned), _pct(m.complaint_rate)] for m in f.moderators]
        _fill(self.table, rows, [m.moderator for m in f.moderators])
