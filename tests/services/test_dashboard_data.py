"""Dashboard figures on a hand-made week whose every number is worked out in the comments.

Office: Africa/Johannesburg (UTC+2), Mon-Fri 09:00-18:00, acknowledgement 1 business hour, resolution
24 h (High) / 48 h (Normal), at risk when less than 25 % of the window is left. All times below are UTC.
"Now" is Wednesday 15 January 2025 10:00 (12:00 in the office).
"""

from datetime import UTC, date, datetime

import pytest

from saypro_desktop.core.permissions import PermissionDenied, Role
from saypro_desktop.core.sla import SlaState
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.dashboard import (
    DayPoint,
    at_risk_list,
    daily_series,
    due_soon_for,
    load_dashboard,
    month_kpis,
    today_figures,
)
from saypro_desktop.services.staff import create_staff_user
from tests.conftest import draft

NOW = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 1, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def week(ctx, clock):
    """Creates the inquiries; returns them by letter."""
    me = ctx.actor
    other = create_staff_user(ctx, "pieter.vanwyk", "Pieter van Wyk", Role.SUPPORT_AGENT)
    made = {}

    def log(letter: str, when: datetime, priority: str = "Normal", assignee=None, ack: datetime | None = None):
        clock.t = when
        made[letter] = inquiry = svc.create_inquiry(ctx, draft(subject=f"Inquiry {letter}", priority=priority))
        if assignee is not None:
            svc.assign(ctx, inquiry, assignee)
        if ack is not None:
            clock.t = ack
            svc.acknowledge(ctx, inquiry)
        return inquiry

    def resolve(letter: str, when: datetime) -> None:
        clock.t = when
        svc.change_status(ctx, made[letter], "Resolved", resolution="Done as asked.")

    # Monday 13
    log("J", t(13, 7), assignee=me, ack=t(13, 7, 30))  # due Wed 07:00: breached now, and escalated
    log("A", t(13, 8), "High", ack=t(13, 8, 10))  # due Tue 08:00
    resolve("A", t(13, 10))  # on time, resolved the 13th
    log("B", t(13, 9), ack=t(13, 9, 20))  # due Wed 09:00
    log("H", t(13, 20), assignee=me, ack=t(14, 7, 30))  # after hours; due Wed 20:00: 10 h of 48 left, at risk
    # Tuesday 14
    log("C", t(14, 7), ack=t(14, 7, 5))
    resolve("C", t(14, 12))  # on time, resolved the 14th
    log("K", t(14, 10, 45), "High", assignee=me, ack=t(14, 11))  # due Wed 10:45: at risk, due within the hour
    log("I", t(14, 14), "High", assignee=other, ack=t(14, 14, 5))  # due Wed 14:00: 4 h of 24 left, at risk
    clock.t = t(15, 7, 45)
    svc.change_status(ctx, made["J"], "Escalated", tier="Tier 2", reason="Needs billing access")
    # Wednesday 15 (today): D, E, F, G, L are new today
    log("D", t(15, 8), ack=t(15, 8, 30))  # ack due 09:00: on time
    log("E", t(15, 8), assignee=me)  # ack due 09:00, never acknowledged: breached
    log("G", t(15, 8, 15), ack=t(15, 9, 30))  # ack due 09:15: late
    resolve("D", t(15, 9))  # on time, resolved the 15th
    resolve("B", t(15, 9, 30))  # due 09:00: late, resolved the 15th
    log("F", t(15, 9, 30), assignee=me)  # ack due 10:30: not yet measured; due within the hour
    log("L", t(15, 9, 45), assignee=other)  # ack due 10:45, but someone else's
    clock.t = NOW
    ctx.session.flush()
    return made


def test_today_figures(ctx, week):
    f = today_figures(ctx)
    assert f.day == date(2025, 1, 15)
    assert f.new == 5  # D E F G L
    assert f.open == 8  # E F G H I J K L (A B C D are resolved)
    assert f.ack_measured == 3  # D E G; F and L are not yet due
    assert f.ack_within_target_pct == pytest.approx(100 / 3)  # only D (unrounded: the display rounds once)
    assert f.at_risk == 3  # K I H
    assert f.breached == 2  # J (resolution), E (acknowledgement)
    assert f.escalated == 1  # J


def test_today_uses_the_office_date_not_utc(ctx, week, clock):
    clock.t = datetime(2025, 1, 15, 22, 30, tzinfo=UTC)  # already Thursday 00:30 in Johannesburg
    f = today_figures(ctx)
    assert (f.day, f.new, f.ack_within_target_pct) == (date(2025, 1, 16), 0, None)


def test_daily_series(ctx, week):
    assert daily_series(ctx, days=4) == [
        DayPoint(date(2025, 1, 12), 0, 0, None),
        DayPoint(date(2025, 1, 13), 4, 1, 100.0),  # J A B, and H at 22:00 local; A resolved on time
        DayPoint(date(2025, 1, 14), 3, 1, 100.0),  # C K I; C on time
        DayPoint(date(2025, 1, 15), 5, 2, 50.0),  # D on time, B late
    ]
    assert len(daily_series(ctx)) == 30 and daily_series(ctx)[-1].day == date(2025, 1, 15)
    with pytest.raises(ValueError):
        daily_series(ctx, days=0)


def test_at_risk_list_soonest_first(ctx, week):
    items = at_risk_list(ctx)
    assert [(i.ref, i.subject, i.assignee) for i in items] == [
        (week["K"].display_id, "Inquiry K", "Administrator"),
        (week["I"].display_id, "Inquiry I", "Pieter van Wyk"),
        (week["H"].display_id, "Inquiry H", "Administrator"),
    ]
    assert [i.id for i in items] == [week["K"].id, week["I"].id, week["H"].id]
    assert items[0].due_at == t(15, 10, 45) and {i.state for i in items} == {SlaState.AT_RISK}
    assert [i.ref for i in at_risk_list(ctx, limit=2)] == [week["K"].display_id, week["I"].display_id]


def test_due_soon_only_mine_and_not_yet_breached(ctx, week):
    soon = due_soon_for(ctx, ctx.actor.id, within_minutes=60)
    # F's acknowledgement (10:30) and K's resolution (10:45); E and J are breached, L and I are Pieter's,
    # H is due at 20:00.
    assert [(d.ref, d.clock, d.due_at) for d in soon] == [
        (week["F"].display_id, "acknowledgement", t(15, 10, 30)),
        (week["K"].display_id, "resolution", t(15, 10, 45)),
    ]
    assert soon[0].key == (week["F"].id, "acknowledgement")
    assert [d.ref for d in due_soon_for(ctx, ctx.actor.id, within_minutes=40)] == [week["F"].display_id]
    other = week["L"].assigned_to_id
    assert [(d.ref, d.clock) for d in due_soon_for(ctx, other)] == [(week["L"].display_id, "acknowledgement")]


def test_month_kpis_against_targets(ctx, week):
    m = month_kpis(ctx)
    assert m.period.label == "January 2025" and m.data.logged == 12
    checks = {c.key: c for c in m.checks}
    # Resolved within 24 h: A (2 h), C (5 h), D (1 h) of 12 logged.
    assert (checks["resolved_within_24h_pct"].value, checks["resolved_within_24h_pct"].verdict) == (25.0, "missed")
    assert checks["resolved_within_24h_pct"].target == 95.0
    assert checks["csat_average"].verdict == "no data"


def test_kpis_need_the_kpi_permission(ctx, week):
    viewer = create_staff_user(ctx, "viv", "Viv Viewer", Role.VIEWER)
    ctx.act_as(viewer)
    with pytest.raises(PermissionDenied):
        month_kpis(ctx)
    data = load_dashboard(ctx, viewer.id)
    assert data.kpis is None and data.today.new == 5 and data.due_soon == []


def test_load_dashboard_bundles_everything(ctx, week):
    data = load_dashboard(ctx, ctx.actor.id, days=7, at_risk_limit=1)
    assert data.as_of == NOW
    assert len(data.series) == 7 and data.series[-1].logged == 5
    assert [i.ref for i in data.at_risk] == [week["K"].display_id]
    assert data.kpis is not None and data.kpis.data.logged == 12
    assert [d.clock for d in data.due_soon] == ["acknowledgement", "resolution"]
