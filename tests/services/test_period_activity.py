"""The work of a day and a week on the known week of tests/week_data.py (every figure worked out there)."""

from datetime import UTC, date, datetime

import pytest

from saypro_desktop.core.kpi import against_targets
from saypro_desktop.core.periods import Period
from saypro_desktop.services.activity import period_activity
from saypro_desktop.services.kpi import kpi_dataset
from saypro_desktop.services.report_data import breached_inquiries, daily_report, weekly_report
from tests.week_data import AS_OF, WEEK, build_week


@pytest.fixture
def week(ctx, clock):
    return build_week(ctx, clock)


def _activity(ctx, period):
    return period_activity(ctx.session, period, AS_OF, ctx.calendar.tz)


def test_the_week_across_the_month_boundary(ctx, week):
    a = _activity(ctx, Period.week(WEEK))
    assert (a.first_day, a.last_day, a.period_over) == ("2025-01-27", "2025-02-02", True)
    assert (a.logged, a.cancelled) == (5, 1)
    assert (a.acknowledged, a.acknowledged_on_time, a.acknowledged_on_time_pct) == (5, 4, 80.0)
    assert (a.resolved, a.resolved_by_due) == (3, 2) and a.resolved_by_due_pct == pytest.approx(200 / 3)
    assert a.escalated == 1
    assert (a.open_at_start, a.open_at_end, a.overdue_at_end) == (1, 3, 1)
    assert (a.due, a.breached) == (3, 1) and a.due_met_pct == pytest.approx(200 / 3)


def test_the_week_by_agent(ctx, week):
    agents = {x.agent: x for x in _activity(ctx, Period.week(WEEK)).agents}
    assert list(agents) == ["Ann Agent", "Ben Agent", "Unassigned"]
    ann, ben, nobody = agents.values()
    assert (ann.logged, ann.acknowledged, ann.resolved, ann.escalated, ann.open_at_end, ann.breached) \
        == (2, 3, 1, 1, 2, 1)
    assert (ben.logged, ben.acknowledged, ben.resolved, ben.escalated, ben.open_at_end, ben.breached) \
        == (2, 2, 2, 0, 0, 0)
    assert (nobody.logged, nobody.acknowledged, nobody.open_at_end) == (1, 0, 1)


def test_a_day_is_the_office_day_not_the_utc_day(ctx, week):
    monday, tuesday = _activity(ctx, Period.day("2025-01-27")), _activity(ctx, Period.day("2025-01-28"))
    # A was logged on Monday 22:30 UTC, which is Tuesday 00:30 in Johannesburg: a Tuesday inquiry.
    assert (monday.logged, monday.acknowledged, monday.acknowledged_on_time) == (0, 1, 0)  # P, late
    assert (monday.open_at_start, monday.open_at_end, monday.overdue_at_end) == (1, 1, 1)
    assert (tuesday.logged, tuesday.acknowledged, tuesday.acknowledged_on_time) == (2, 2, 2)
    assert (tuesday.resolved, tuesday.resolved_by_due) == (2, 1)  # P late, A on time
    assert (tuesday.open_at_start, tuesday.open_at_end, tuesday.due) == (1, 1, 0)
    # A's due time, Tuesday 22:30 UTC, is Wednesday 00:30 in the office.
    wednesday = _activity(ctx, Period.day("2025-01-29"))
    assert (wednesday.due, wednesday.breached, wednesday.cancelled) == (1, 0, 1)
    thursday = _activity(ctx, Period.day("2025-01-30"))
    assert (thursday.due, thursday.breached) == (1, 1)
    sunday = _activity(ctx, Period.day("2025-02-02"))  # D at 23:30 in the office is Sunday's; E at 00:30 is not
    assert (sunday.logged, sunday.acknowledged, sunday.escalated, sunday.open_at_end) == (1, 1, 1, 3)
    kpi = kpi_dataset(ctx.session, Period.day("2025-01-27"), AS_OF, ctx.calendar)
    assert kpi.logged == 0
    assert kpi_dataset(ctx.session, Period.day("2025-01-28"), AS_OF, ctx.calendar).logged == 2


def test_a_day_not_over_counts_the_backlog_now(ctx, week):
    noon = datetime(2025, 2, 2, 10, 30, tzinfo=UTC)  # Sunday 12:30 in the office: C escalated, D not yet logged
    a = period_activity(ctx.session, Period.day("2025-02-02"), noon, ctx.calendar.tz)
    assert not a.period_over and (a.open_at_end, a.escalated) == (2, 1)


def test_the_weeks_kpis_and_breaches(ctx, week):
    kpi = kpi_dataset(ctx.session, Period.week(WEEK), AS_OF, ctx.calendar)
    assert (kpi.logged, kpi.open, kpi.resolved, kpi.cancelled, kpi.escalated) == (5, 3, 2, 1, 1)
    assert kpi.ack_within_target_pct == 80.0  # A G B C on time; D's due time passed unanswered
    rows, total = breached_inquiries(ctx.session, Period.week(WEEK), AS_OF, due_in=ctx.calendar.tz)
    assert total == 1 and [r.inquiry_id for r in rows] == [week.g.display_id]
    # By logged date (the monthly rule), P's missed due time is January's, and G's too.
    _, january = breached_inquiries(ctx.session, Period.month("2025-01"), AS_OF)
    assert january == 2


def test_the_report_data_of_a_day_and_a_week(ctx, week):
    day = daily_report(ctx.session, Period.day("2025-01-30"), AS_OF, ctx.settings)
    assert day.breaches_total == 1 and day.breaches[0].inquiry_id == week.g.display_id
    weekly = weekly_report(ctx.session, Period.week(WEEK), AS_OF, ctx.settings)
    assert [d.data.first_day for d in weekly.days] == ["2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30",
                                                       "2025-01-31", "2025-02-01", "2025-02-02"]
    assert [d.data.logged for d in weekly.days] == [0, 2, 0, 0, 1, 1, 1]
    assert [d.activity.resolved for d in weekly.days] == [0, 2, 0, 0, 1, 0, 0]
    assert sum(d.data.logged for d in weekly.days) == weekly.data.logged == 5
    assert [c.key for c in weekly.checks] == [c.key for c in against_targets(weekly.data, ctx.settings.targets)]
    analysis = weekly.feedback_analysis  # the week's, in the office's days
    assert analysis is not None
    assert (analysis.start.date(), analysis.end.date()) == (date(2025, 1, 27), date(2025, 2, 3))
    assert sum(q.count for q in analysis.top_queries) == weekly.data.logged, "the inquiries the KPIs count"
