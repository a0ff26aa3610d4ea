"""The Dashboard workspace: today's figures, the last 30 days, this month against targets, what is at risk,
and a notice when one of the signed-in user's inquiries falls due within the hour.

All data is read on the worker pool (services/dashboard.load_dashboard) and arrives by signal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QSystemTrayIcon,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ...core.kpi import KpiCheck, shown
from ...services.dashboard import AtRiskItem, DashboardData, DueSoon, TodayFigures, load_dashboard
from ..app_context import AppContext
from ..theme import BAD, WARN
from ..workspace import Workspace
from .chart import DailyChart
from .tiles import KpiGrid, Tile, section_title, verdict

ID_ROLE = Qt.ItemDataRole.UserRole


def due_in(due: datetime, now: datetime) -> str:
    """'in 45 min', 'in 3 h 05 min', 'in 2 d 4 h'; 'now' once it is due."""
    minutes = int((due - now) / timedelta(minutes=1))
    if minutes <= 0:
        return "now"
    if minutes < 60:
        return f"in {minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"in {hours} h {minutes:02d} min"
    return f"in {hours // 24} d {hours % 24} h"


class _ContentTree(QTreeWidget):
    """A list as tall as its rows (3 to 12 of them): a short list leaves the height to the chart."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        row = self.sizeHintForRow(0) if self.topLevelItemCount() else self.fontMetrics().height() + 4
        rows = min(max(self.topLevelItemCount(), 3), 12)
        return QSize(hint.width(), self.header().sizeHint().height() + row * rows + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class DashboardWorkspace(Workspace):
    title = "Dashboard"
    REFRESH_MS = 60_000
    DEBOUNCE_MS = 300

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.data: DashboardData | None = None
        self.notified: set[tuple[str, str]] = set()  # (inquiry id, clock) already announced
        self._notices: list[DueSoon] = []
        self._loading = self._again = False
        self._tray: QSystemTrayIcon | None = None
        self._build()
        self._debounce = QTimer(self, singleShot=True, interval=self.DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self._tick = QTimer(self, interval=self.REFRESH_MS)  # due times and "today" move without any change
        self._tick.timeout.connect(self.refresh)
        self._tick.start()
        app.bus.changed.connect(self._on_changed)
        self.refresh()

    # building -----------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        em = self.fontMetrics().height()
        content = QWidget()
        page = QVBoxLayout(content)
        page.setContentsMargins(em, em, em, em)
        page.setSpacing(em)
        page.addWidget(self._build_banner())
        page.addLayout(self._build_header())

        tiles = QHBoxLayout()
        tiles.setSpacing(em * 2 // 3)
        self.tiles = {key: Tile(title) for key, title in (
            ("new", "New today"), ("open", "Open"), ("ack", "Acknowledged within 1 h"), ("at_risk", "At risk"),
            ("breached", "Breached"), ("escalated", "Escalated"))}
        for tile in self.tiles.values():
            tiles.addWidget(tile, 1)
        page.addLayout(tiles)

        self.middle = middle = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        middle.setSpacing(em * 2)
        chart_col = QVBoxLayout()
        chart_col.setSpacing(em // 2)
        chart_col.addWidget(section_title("Last 30 days"))
        self.chart = DailyChart()
        chart_col.addWidget(self.chart, 1)
        middle.addLayout(chart_col, 3)
        kpi_col = QVBoxLayout()
        kpi_col.setSpacing(em // 3)
        self.kpi_title = section_title("This month against targets")
        self.kpi_caption = QLabel("")
        self.kpi_caption.setProperty("role", "tileTitle")
        self.kpis = KpiGrid()
        kpi_col.addWidget(self.kpi_title)
        kpi_col.addWidget(self.kpi_caption)
        kpi_col.addWidget(self.kpis)
        kpi_col.addStretch(1)
        middle.addLayout(kpi_col, 2)
        page.addLayout(middle, 1)  # the chart takes the height the at-risk list does not need

        risk_head = QHBoxLayout()
        risk_head.addWidget(section_title("At risk of missing the resolution time"))
        risk_head.addStretch(1)
        self.at_risk_caption = QLabel("")
        self.at_risk_caption.setProperty("role", "tileTitle")
        risk_head.addWidget(self.at_risk_caption)
        page.addLayout(risk_head)
        self.at_risk = self._build_at_risk()
        page.addWidget(self.at_risk)
        self.at_risk_empty = QLabel("Nothing is at risk right now.")
        self.at_risk_empty.setProperty("role", "tileTitle")
        self.at_risk_empty.hide()
        page.addWidget(self.at_risk_empty)

        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName("Dashboard")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _build_banner(self) -> QFrame:
        self.banner = QFrame()
        self.banner.setObjectName("dueBanner")
        self.banner.setStyleSheet(f"#dueBanner {{ border: 1px solid {WARN}; border-radius: 6px; }}")
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.banner_text.setTextFormat(Qt.TextFormat.RichText)
        self.banner_text.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                                 | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.banner_text.setAccessibleName("Due soon notice")
        self.banner_text.linkActivated.connect(self.open_inquiry.emit)
        dismiss = QPushButton("&Dismiss")
        dismiss.setAccessibleName("Dismiss the due soon notice")
        dismiss.setToolTip("Hide this notice (Alt+D)")
        dismiss.clicked.connect(self.dismiss_notices)
        row = QHBoxLayout(self.banner)
        row.addWidget(self.banner_text, 1)
        row.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.banner.hide()
        return self.banner

    def _build_header(self) -> QHBoxLayout:
        self.heading = section_title("Today")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.updated = QLabel("Loading…")
        self.updated.setProperty("role", "tileTitle")
        self.updated.setAccessibleName("Last updated")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setShortcut(QKeySequence("Ctrl+R"))  # F5 is Sync now
        self.refresh_button.setToolTip("Reload the dashboard (Ctrl+R); it also refreshes itself every minute")
        self.refresh_button.setAccessibleName("Refresh the dashboard")
        self.refresh_button.clicked.connect(self.refresh)
        row = QHBoxLayout()
        row.addWidget(self.heading)
        row.addStretch(1)
        row.addWidget(self.updated)
        row.addWidget(self.refresh_button)
        return row

    def _build_at_risk(self) -> QTreeWidget:
        tree = _ContentTree()
        tree.setAccessibleName("Inquiries at risk")
        tree.setAccessibleDescription("Press Enter or double-click to open an inquiry")
        tree.setToolTip("Open an inquiry with Enter or a double-click")
        tree.setHeaderLabels(["Inquiry", "Subject", "Assigned to", "Resolution due"])
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        em = self.fontMetrics().horizontalAdvance("M")
        header = tree.header()
        header.setStretchLastSection(False)
        for col, width in ((0, 11), (2, 12), (3, 16)):
            tree.setColumnWidth(col, width * em)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        tree.itemActivated.connect(lambda item, _col: self.open_inquiry.emit(item.data(0, ID_ROLE)))
        return tree

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Narrow window: the KPIs go below the chart instead of squeezing it.
        wide = self.width() >= self.fontMetrics().horizontalAdvance("M") * 90
        self.middle.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        super().resizeEvent(event)

    # loading ------------------------------------------------------------------------------------------------------
    def activated(self) -> None:
        self.refresh()

    def _on_changed(self, entity: str, ids: list[str]) -> None:  # any change may move a figure
        self._debounce.start()

    def refresh(self) -> None:
        if self._loading:  # one load at a time; a request meanwhile runs once it is back
            self._again = True
            return
        self._loading = True
        staff = self.app.user.id
        self.app.read(lambda ctx: load_dashboard(ctx, staff), self._loaded, self._failed)

    def _finish_load(self) -> bool:
        if not isValid(self):  # closed while the worker was reading
            return False
        self._loading = False
        if self._again:
            self._again = False
            QTimer.singleShot(0, self.refresh)
        return True

    def _failed(self, exc: Exception) -> None:
        if self._finish_load():
            self.updated.setText(f"Could not load the dashboard: {exc}")

    def _loaded(self, data: DashboardData) -> None:
        if not self._finish_load():
            return
        self.data = data
        tz = ZoneInfo(self.app.settings.timezone)
        local = data.as_of.astimezone(tz)
        self.heading.setText(f"Today, {local:%A} {local.day} {local:%B %Y}")
        self.heading.setAccessibleName(self.heading.text())
        self.updated.setText(f"Updated {local:%H:%M}")
        self._show_today(data.today)
        self.chart.set_points(data.series)
        self._show_kpis(data)
        self._show_at_risk(data.at_risk, data.today.at_risk, data.as_of, tz)
        self._notify(data.due_soon, data.as_of, tz)

    # showing ------------------------------------------------------------------------------------------------------
    def _show_today(self, t: TodayFigures) -> None:
        ack_hours = self.app.settings.sla.ack_business_hours
        target = self.app.settings.targets.ack_within_target * 100
        check = KpiCheck("ack", "", t.ack_within_target_pct, target, "%")
        self.tiles["ack"].set_title(f"Acknowledged within {ack_hours:g} h")
        self.tiles["new"].set(str(t.new), "logged today")
        self.tiles["open"].set(str(t.open), "all open inquiries")
        if t.ack_within_target_pct is None:
            self.tiles["ack"].set("–", "none due yet today")
        else:
            text, color = verdict(check)
            shown_pct = shown(t.ack_within_target_pct, 0, target)  # 99.6% missing 100% is "99%", never "100%"
            self.tiles["ack"].set(f"{shown_pct}%", f"of {t.ack_measured} due · target {target:g}%, "
                                  f"{text.lower()}", color)
        self.tiles["at_risk"].set(str(t.at_risk), "resolution due soon", WARN if t.at_risk else None)
        self.tiles["breached"].set(str(t.breached), "past a due time", BAD if t.breached else None)
        self.tiles["escalated"].set(str(t.escalated), "open and escalated")

    def _show_kpis(self, data: DashboardData) -> None:
        if data.kpis is None:
            self.kpi_title.setText("This month against targets")
            self.kpi_caption.setText("Your role does not include KPIs and reports.")
            self.kpis.hide()
            return
        k = data.kpis
        self.kpi_title.setText(f"{k.period.label} against targets")
        self.kpi_title.setAccessibleName(self.kpi_title.text())
        self.kpi_caption.setText(f"So far this month: {k.data.logged:,} logged, {k.data.resolved:,} resolved")
        self.kpis.set_checks(k.checks)
        self.kpis.show()

    def _show_at_risk(self, items: list[AtRiskItem], total: int, now: datetime, tz: ZoneInfo) -> None:
        self.at_risk.clear()
        for item in items:
            due = item.due_at.astimezone(tz)
            when = f"{due:%H:%M}" if due.date() == now.astimezone(tz).date() else f"{due:%a %H:%M}"
            row = QTreeWidgetItem([item.ref, item.subject, item.assignee or "Unassigned",
                                   f"{when} ({due_in(item.due_at, now)})"])
            row.setData(0, ID_ROLE, item.id)
            row.setToolTip(1, item.subject)
            self.at_risk.addTopLevelItem(row)
        self.at_risk.updateGeometry()
        self.at_risk.setVisible(bool(items))
        self.at_risk_empty.setVisible(not items)
        self.at_risk_caption.setText(f"{len(items)} of {total}, soonest due first" if total > len(items)
                                     else f"{total} inquir{'y' if total == 1 else 'ies'}")

    # notices ------------------------------------------------------------------------------------------------------
    def _notify(self, due: list[DueSoon], now: datetime, tz: ZoneInfo) -> None:
        fresh = [d for d in due if d.key not in self.notified]
        if not fresh:
            return
        self.notified.update(d.key for d in fresh)

        def when(d: DueSoon) -> str:
            return f"{d.clock} due {d.due_at.astimezone(tz):%H:%M} ({due_in(d.due_at, now)})"

        if QSystemTrayIcon.isSystemTrayAvailable():
            self._tray_icon().showMessage("Due within the hour", "\n".join(f"{d.ref} {d.subject}: {when(d)}"
                                                                           for d in fresh),
                                          QSystemTrayIcon.MessageIcon.Warning, 15_000)
            return
        self._notices += fresh
        link = self.palette().color(QPalette.ColorRole.Link)
        if self.palette().color(QPalette.ColorRole.Window).lightness() < 128:
            link = link.lighter(220)  # the dark palette keeps Qt's dark-blue link colour
        parts = [f'<a href="{escape(d.id)}" style="color: {link.name()}">{escape(d.ref)}</a> '
                 f"{escape(d.subject)}: {when(d)}" for d in self._notices]
        self.banner_text.setText("<b>Due within the hour:</b><br>" + "<br>".join(parts))
        self.banner.show()

    def _tray_icon(self) -> QSystemTrayIcon:
        if self._tray is None:
            icon = self.window().windowIcon()
            if icon.isNull():
                icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setToolTip("SayPro Desk")
            self._tray.messageClicked.connect(self._open_first_notice)
            self._tray.show()
        return self._tray

    def _open_first_notice(self) -> None:
        if self.data and self.data.due_soon:
            self.open_inquiry.emit(self.data.due_soon[0].id)

    def dismiss_notices(self) -> None:
        self._notices.clear()
        self.banner.hide()
