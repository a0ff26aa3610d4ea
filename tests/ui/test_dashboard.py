"""The Dashboard workspace over a real store: tiles, KPI grid, chart, at-risk list, refresh and notices.

"Now" is the clock fixture: Tuesday 14 January 2025 08:00 UTC (10:00 in Johannesburg). All times are UTC.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSystemTrayIcon

from saypro_desktop.core.kpi import KpiCheck
from saypro_desktop.core.permissions import Role
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.context import acting
from saypro_desktop.services.dashboard import DayPoint
from saypro_desktop.services.staff import create_staff_user
from saypro_desktop.ui.app_context import SignedIn
from saypro_desktop.ui.dashboard import chart as chart_module
from saypro_desktop.ui.dashboard.chart import DailyChart, nice_step, summary
from saypro_desktop.ui.dashboard.tiles import verdict
from saypro_desktop.ui.dashboard.workspace import DashboardWorkspace, due_in
from saypro_desktop.ui.theme import BAD, GOOD, WARN
from tests.conftest import draft
from tests.ui.conftest import wait_idle

NOW = datetime(2025, 1, 14, 8, 0, tzinfo=UTC)


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 1, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def known(app, clock):
    """Five inquiries; returns their ids and references by letter."""
    out = {}
    with acting(app.store, clock=clock) as ctx:
        def log(letter, when, priority="Normal", ack=None, assign=False):
            clock.t = when
            inquiry = svc.create_inquiry(ctx, draft(subject=f"Inquiry {letter}", priority=priority))
            if assign:
                svc.assign(ctx, inquiry, ctx.actor)
            if ack:
                clock.t = ack
                svc.acknowledge(ctx, inquiry)
            out[letter] = inquiry
            return inquiry

        w = log("W", t(12, 7), ack=t(13, 7, 30))  # Sunday; due Tue 07:00: breached now
        clock.t = t(13, 9)
        svc.change_status(ctx, w, "Escalated", tier="Tier 2", reason="Needs billing access")
        v = log("V", t(13, 8), ack=t(13, 8, 5))
        clock.t = t(13, 10)
        svc.change_status(ctx, v, "Resolved", resolution="Refund issued.")  # on time, first contact
        log("Z", t(13, 12), "High", ack=t(13, 12, 10))  # due Tue 12:00: 4 h of 24 left: at risk
        log("X", t(14, 7), assign=True, ack=t(14, 7, 30))  # today, acknowledged on time
        log("Y", t(14, 7, 15), assign=True)  # today; acknowledgement due 08:15: due within the hour
        ctx.session.flush()
        out = {k: (i.id, i.display_id) for k, i in out.items()}
    clock.t = NOW
    return out


@pytest.fixture
def no_tray(monkeypatch):
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: False))


@pytest.fixture
def dashboard(qtbot, app, known, no_tray):
    ws = DashboardWorkspace(app)
    qtbot.addWidget(ws)
    ws.resize(1100, 800)
    ws.show()
    qtbot.waitUntil(lambda: ws.data is not None, timeout=5000)
    wait_idle(qtbot, app)
    return ws


def _tile_values(ws) -> dict[str, str]:
    return {k: tile.value.text() for k, tile in ws.tiles.items()}


def test_tiles_show_todays_figures(dashboard):
    assert _tile_values(dashboard) == {"new": "2", "open": "4", "ack": "100%", "at_risk": "1", "breached": "1",
                                       "escalated": "1"}
    assert dashboard.heading.text() == "Today, Tuesday 14 January 2025"
    assert dashboard.tiles["ack"].caption.text() == "of 1 due · target 100%, met"
    assert dashboard.tiles["breached"].accessibleName() == "Breached: 1, past a due time"


def test_kpi_grid_says_met_missed_and_no_data(dashboard):
    grid = dashboard.kpis
    assert dashboard.kpi_title.text() == "January 2025 against targets"
    assert grid.result_text("first_contact_resolution_pct") == "Met"  # V, the only resolved one
    assert grid.result_text("resolved_within_24h_pct") == "Missed"  # 1 of 5 logged
    assert grid.result_text("csat_average") == "No data"
    name, value, target, _ = grid.rows["resolved_within_24h_pct"]
    assert (name.text(), value.text(), target.text()) == ("Resolved within 24 hours", "20.0%", "≥ 95%")


def test_verdict_colours_and_the_close_band():
    def check(value, target=95.0, unit="%"):
        return KpiCheck("k", "K", value, target, unit)

    assert verdict(check(95.0)) == ("Met", GOOD)
    assert verdict(check(90.0)) == ("Missed (close)", WARN)
    assert verdict(check(89.9)) == ("Missed", BAD)
    assert verdict(check(4.3, 4.5, "/5")) == ("Missed (close)", WARN)
    assert verdict(check(4.2, 4.5, "/5")) == ("Missed", BAD)
    assert verdict(check(None))[0] == "No data"


def test_activating_an_at_risk_inquiry_opens_it(qtbot, dashboard, known):
    tree = dashboard.at_risk
    assert tree.topLevelItemCount() == 1
    item = tree.topLevelItem(0)
    # acknowledging took it on: it is the acknowledging agent's
    assert [item.text(c) for c in range(3)] == [known["Z"][1], "Inquiry Z", "Administrator"]
    assert item.text(3) == "14:00 (in 4 h 00 min)"  # office time; 12:00 UTC
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click needs a press
    with qtbot.waitSignal(dashboard.open_inquiry, timeout=2000) as opened:
        qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [known["Z"][0]]
    tree.setCurrentItem(item)
    tree.setFocus()
    with qtbot.waitSignal(dashboard.open_inquiry, timeout=2000) as opened:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert opened.args == [known["Z"][0]]


def test_chart_gets_the_daily_points_and_paints(dashboard):
    points = dashboard.chart.points()
    assert len(points) == 30 and points[-1].day == date(2025, 1, 14)
    assert points[-3:] == [DayPoint(date(2025, 1, 12), 1, 0, None), DayPoint(date(2025, 1, 13), 2, 1, 100.0),
                           DayPoint(date(2025, 1, 14), 2, 0, None)]
    assert dashboard.chart.accessibleDescription().startswith(
        "30 days from 16 Dec to 14 Jan 2025: 5 logged, 1 resolved; 100% resolved on time.")
    image = dashboard.chart.grab().toImage()
    logged = QColor(chart_module._LIGHT["logged"]).rgb()
    bar_pixels = sum(image.pixel(x, y) == logged for x in range(0, image.width(), 2)
                     for y in range(0, image.height(), 2))
    assert bar_pixels > 20  # the bars were drawn, not only the axes


def test_chart_alone_paints_empty_and_full(qtbot):
    chart = DailyChart()
    qtbot.addWidget(chart)
    chart.resize(chart.sizeHint())
    blank = chart.grab().toImage()
    assert not blank.isNull()
    chart.set_points([DayPoint(date(2025, 1, d), d, d // 2, 50.0 if d % 2 else None) for d in range(1, 11)])
    assert chart.day_at(chart.width() - 1) is None  # the right axis is not a day
    full = chart.grab().toImage()
    assert full != blank
    assert nice_step(37) == 10 and nice_step(0) == 1 and nice_step(8) == 2
    assert summary([]) == "No data."


def test_a_change_refreshes_the_tiles(qtbot, app, clock, dashboard):
    with acting(app.store, clock=clock) as ctx:
        new = svc.create_inquiry(ctx, draft(subject="Charged twice"))
        new_id = new.id
    app.bus.announce("inquiry", [new_id])
    qtbot.waitUntil(lambda: dashboard.tiles["new"].value.text() == "3", timeout=3000)
    assert dashboard.tiles["open"].value.text() == "5"


def test_due_soon_notice_once_per_inquiry(qtbot, app, dashboard, known):
    assert dashboard.banner.isVisible()
    text = dashboard.banner_text.text()
    assert known["Y"][1] in text and "acknowledgement due 10:15 (in 15 min)" in text
    assert known["X"][1] not in text  # acknowledged; due in two days
    dashboard.refresh()
    wait_idle(qtbot, app)
    assert dashboard.banner_text.text().count(known["Y"][1]) == 1
    with qtbot.waitSignal(dashboard.open_inquiry, timeout=2000) as opened:
        dashboard.banner_text.linkActivated.emit(known["Y"][0])
    assert opened.args == [known["Y"][0]]
    dashboard.dismiss_notices()
    assert not dashboard.banner.isVisible()


def test_due_soon_goes_to_the_tray_when_there_is_one(qtbot, app, known, monkeypatch):
    shown = []

    class FakeTray:
        def showMessage(self, title, body, *args):
            shown.append((title, body))

    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(DashboardWorkspace, "_tray_icon", lambda self: FakeTray())
    ws = DashboardWorkspace(app)
    qtbot.addWidget(ws)
    qtbot.waitUntil(lambda: ws.data is not None, timeout=5000)
    wait_idle(qtbot, app)
    assert shown == [("Due within the hour", f"{known['Y'][1]} Inquiry Y: acknowledgement due 10:15 (in 15 min)")]
    assert ws.banner.isHidden()


def test_a_role_without_kpis_sees_no_grid(qtbot, app, known, no_tray):
    with acting(app.store) as ctx:
        viewer = create_staff_user(ctx, "viv", "Viv Viewer", Role.VIEWER)
        signed = SignedIn(viewer.id, viewer.username, viewer.display_name, viewer.role)
    ws = DashboardWorkspace(replace(app, user=signed))
    qtbot.addWidget(ws)
    ws.show()
    qtbot.waitUntil(lambda: ws.data is not None, timeout=5000)
    wait_idle(qtbot, app)
    assert ws.kpis.isHidden() and "does not include KPIs" in ws.kpi_caption.text()
    assert ws.tiles["new"].value.text() == "2" and ws.banner.isHidden()


def test_due_in_wording():
    assert due_in(t(14, 9), NOW) == "in 1 h 00 min"
    assert due_in(t(14, 8, 5), NOW) == "in 5 min"
    assert due_in(t(16, 10), NOW) == "in 2 d 2 h"
    assert due_in(t(14, 7), NOW) == "now"
