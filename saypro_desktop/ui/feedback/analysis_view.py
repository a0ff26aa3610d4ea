"""The Weekly analysis tab (VIEW_KPI): for an ISO week of the office's calendar (the last full week first), the
CSAT of the 8 weeks up to it against the target, the themes by count and priority, the top 10 queries and
complaints from inquiries and feedback together, and the users' own words per theme. Computed on the read pool
by ``services.feedback.analysis``; figures are rounded only here, for display."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from ...core.feedback import FeedbackAnalysis, TopItem
from ...core.periods import Period
from ...reports.formatting import fmt_target, fmt_value, verdict
from ...services import feedback, feedback_views
from ..app_context import AppContext
from .common import fill, table
from .csat_chart import CsatChart

TREND_WEEKS = 8
WEEKS_OFFERED = 52


def _panel(title: str, *widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    heading = QLabel(f"<b>{title}</b>")
    layout.addWidget(heading)
    for n, w in enumerate(widgets):
        layout.addWidget(w, 1 if n == len(widgets) - 1 else 0)
    return box


class AnalysisView(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.tz = app.settings.calendar().tz
        self.target = app.settings.targets.csat
        self.result: FeedbackAnalysis | None = None
        self.week = QComboBox()
        self.week.setAccessibleName("Week")
        self.week.setToolTip("ISO weeks, Monday to Sunday, in the office's calendar")
        today = app.clock().astimezone(self.tz).date()
        for period in feedback_views.weeks_back(today, WEEKS_OFFERED):
            self.week.addItem(f"{period.key}  ({period.label.partition('(')[2].rstrip(')')})", period.key)
        self.week.currentIndexChanged.connect(lambda _: self.refresh())
        week_label = QLabel("Wee&k")
        week_label.setBuddy(self.week)
        self.summary = QLabel("Reading…")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Summary of the week")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.chart = CsatChart()
        self.csat = table(["Week", "CSAT", "Ratings", "Target"], "CSAT by week", stretch=-1)
        self.csat.setFixedWidth(self.fontMetrics().horizontalAdvance("2026-W48 4.50 / 5 Ratings ✘ missed") + 48)
        self.themes = table(["Theme", "Items", "High", "Medium", "Low", "Negative"], "Themes by count and priority",
                            stretch=0)
        self.queries = table(["#", "Query", "Inquiries"], "Top 10 queries", stretch=1)
        self.complaints = table(["#", "Complaint (theme)", "Count", "From"], "Top 10 complaints", stretch=1)
        self.quotes = QTextBrowser()
        self.quotes.setAccessibleName("Comments per theme")
        self.quotes.setOpenLinks(False)

        head = QHBoxLayout()
        head.addWidget(week_label)
        head.addWidget(self.week)
        head.addSpacing(12)
        head.addWidget(self.summary, 1)
        csat_box = QWidget()
        csat_row = QHBoxLayout(csat_box)
        csat_row.setContentsMargins(0, 0, 0, 0)
        csat_row.addWidget(self.chart, 1)
        csat_row.addWidget(self.csat)
        top = QSplitter(Qt.Orientation.Horizontal)
        csat_panel = _panel("", csat_box)
        self.csat_heading: QLabel = csat_panel.findChild(QLabel)
        self.csat_heading.setText("<b>CSAT by week</b> (inquiries logged that week)")
        top.addWidget(csat_panel)
        top.addWidget(_panel("Themes by count and priority", self.themes))
        top.setSizes([620, 480])  # shares of the width at first; the user may drag
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(_panel("Top 10 queries (inquiries)", self.queries))
        bottom.addWidget(_panel("Top 10 complaints (inquiries and feedback)", self.complaints))
        bottom.addWidget(_panel("In their words, per theme (most urgent first)", self.quotes))
        bottom.setSizes([380, 340, 480])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(split, 1)

    def period(self) -> Period:
        return Period.week(self.week.currentData())

    def refresh(self) -> None:
        period = self.period()
        start, end = period.instants(self.tz)
        self.summary.setText(f"Reading {period.label}…")
        self.app.read(lambda ctx: (period.key, feedback.analysis(ctx, start, end, trend_weeks=TREND_WEEKS)),
                      lambda result: self._show(*result),
                      lambda exc: self.summary.setText(f"Could not compute the analysis: {exc}"))

    def _show(self, key: str, a: FeedbackAnalysis) -> None:
        if key != self.week.currentData():
            return  # the user chose another week meanwhile
        self.result = a
        self.target = self.app.settings.targets.csat  # the settings may have changed since
        self.csat_heading.setText(f"<b>CSAT by week</b> (inquiries logged that week; target "
                                  f"{fmt_target(self.target, '/5')})")
        period = self.period()
        week = a.csat_trend[-1] if a.csat_trend else None
        average = None if week is None else week.average
        met = None if average is None else average >= self.target
        self.summary.setText(
            f"{period.label}: CSAT {fmt_value(average, '/5', self.target)} {verdict(met)} "
            f"(target {fmt_target(self.target, '/5')}) from {a.ratings} rating(s); "
            f"{a.feedback_items} other feedback item(s).")
        self.chart.set_weeks(a.csat_trend, self.target)
        fill(self.csat, [[w.week, fmt_value(w.average, "/5", self.target), str(w.responses),
                          verdict(None if w.average is None else w.average >= self.target)]
                         for w in reversed(a.csat_trend)], right=(1, 2))
        fill(self.themes, [[t.theme, str(t.count), str(t.high), str(t.medium), str(t.low), str(t.negative)]
                           for t in a.themes], right=(1, 2, 3, 4, 5))
        if not a.themes:
            fill(self.themes, [["No feedback items this week", "", "", "", "", ""]])
        fill(self.queries, [[str(n), i.label, str(i.count)] for n, i in enumerate(a.top_queries, 1)],
             right=(0, 2))
        if not a.top_queries:
            fill(self.queries, [["", "No inquiries this week", ""]])
        self._top(self.complaints, a.top_complaints, "No complaints this week")
        self.quotes.setHtml("".join(
            f"<p style='margin:6px 0 2px 0'><b>{escape(theme)}</b> ({len(quotes)})</p>"
            + "".join(f"<p style='margin:0 0 3px 14px'>“{escape(q)}”</p>" for q in quotes)
            for theme, quotes in a.verbatims.items()) or "<p>No comments this week.</p>")

    @staticmethod
    def _top(t, items: list[TopItem], empty: str) -> None:
        fill(t, [[str(n), i.label, str(i.count), i.detail] for n, i in enumerate(items, 1)], right=(0, 2))
        if not items:
            fill(t, [["", empty, "", ""]])
