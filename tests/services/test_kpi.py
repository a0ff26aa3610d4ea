"""KPIs on a hand-made dataset whose every figure is worked out by hand in the comments."""

from datetime import UTC, datetime, timedelta

import pytest

from saypro_desktop.core.kpi import against_targets
from saypro_desktop.core.periods import Period
from saypro_desktop.core.vocab import ActionKind
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.kpi import kpi_dataset
from tests.conftest import draft

T0 = datetime(2025, 1, 14, 8, 0, tzinfo=UTC)  # Tuesday 10:00 in Johannesburg


def at(clock, **kw):
    clock.t = T0 + timedelta(**kw)


@pytest.fixture
def january(ctx, clock):
    # A: High (payment), ack +30 min, resolved +2 h on first contact, closed, CSAT 5.
    at(clock)
    a = svc.create_inquiry(ctx, draft(subject="Charged twice", category="Payment/Billing", mode="Phone",
                                      user_type="Registered User", classified_category="Jobs"))
    at(clock, minutes=30)
    svc.acknowledge(ctx, a)
    at(clock, hours=2)
    svc.change_status(ctx, a, "Resolved", resolution="Duplicate charge refunded.")
    svc.change_status(ctx, a, "Closed", user_confirmation="Yes")
    svc.record_feedback(ctx, a, 5)
    # B: Normal, ack +90 min (late: due +60 min), a follow-up contact, resolved +30 h, CSAT 3.
    at(clock)
    b = svc.create_inquiry(ctx, draft(subject="Images look blurry", category="Technical Issue", mode="Email",
                                      classified_category="Real Estate"))
    at(clock, minutes=90)
    svc.acknowledge(ctx, b)
    svc.add_action_step(ctx, b, "Asked the user for a screenshot", ActionKind.USER_CONTACT)
    at(clock, hours=30)
    svc.change_status(ctx, b, "Resolved", resolution="Image compression setting corrected.")
    svc.record_feedback(ctx, b, 3)
    # C: Low, ack +10 min, escalated to Tier 3, resolved +50 h, reopened, resolved again +60 h.
    at(clock)
    c = svc.create_inquiry(ctx, draft(subject="Images look blurry", category="Feature Request", mode="Live Chat",
                                      user_type="General Public"))
    at(clock, minutes=10)
    svc.acknowledge(ctx, c)
    at(clock, minutes=20)
    svc.change_status(ctx, c, "Escalated", tier="Tier 3", reason="Needs the product team")
    at(clock, hours=50)
    svc.change_status(ctx, c, "Resolved", resolution="Added to the product backlog.")
    at(clock, hours=55)
    svc.change_status(ctx, c, "Reopened")
    at(clock, hours=60)
    svc.change_status(ctx, c, "Resolved", resolution="Feature request confirmed with a reference.")
    # D: Normal, never acknowledged, still open.
    at(clock)
    svc.create_inquiry(ctx, draft(subject="Error 500 on dashboard", category="Technical Issue"))
    # E: logged in February: outside the period.
    clock.t = datetime(2025, 2, 3, 8, 0, tzinfo=UTC)
    svc.create_inquiry(ctx, draft(subject="Charged twice", category="Payment/Billing"))
    ctx.session.flush()
    return kpi_dataset(ctx.session, Period.month("2025-01"), datetime(2025, 2, 10, tzinfo=UTC), ctx.calendar)


def test_volumes_and_states(january):
    d = january
    assert (d.logged, d.open, d.resolved) == (4, 1, 3)
    assert d.by_status == {"New": 1, "In Progress": 0, "Escalated": 0, "Resolved": 2, "Closed": 1, "Reopened": 0}
    assert d.by_channel == {"Email": 2, "Phone": 1, "Live Chat": 1, "Support Portal": 0, "Social Media": 0,
                            "In-person": 0}
    assert d.by_user_type["Advertiser"] == 2 and d.by_user_type["Registered User"] == 1
    assert d.by_classified_category["Jobs"] == 1 and d.by_classified_category["Real Estate"] == 1
    assert d.by_priority == {"Critical": 0, "High": 1, "Normal": 2, "Low": 1}
    assert d.top_subjects[:2] == [("Images look blurry", 2), ("Charged twice", 1)]
    assert d.top_categories[0] == ("Technical Issue", 2)


def test_response_and_resolution_figures(january):
    d = january
    assert (d.ack_within_target_pct, d.ack_measured) == (50.0, 4)  # A, C on time; B late; D never
    # All three inside Tuesday's opening hours: business time equals wall-clock time here.
    assert d.avg_first_response_business_minutes == pytest.approx(130 / 3)  # (30 + 90 + 10) / 3, unrounded
    assert d.median_first_response_business_minutes == pytest.approx(30.0)
    assert d.resolved_within_24h_pct == 25.0  # A of 4
    assert d.resolved_within_48h_pct == 50.0  # A, B of 4
    assert d.high_priority_within_24h_pct == 100.0
    assert d.resolution_target_met_pct == 50.0  # A, B met; C late; D overdue
    assert d.same_day_pct == 25.0
    assert d.first_contact_resolution_pct == pytest.approx(100 / 3)  # A of A, B, C; unrounded


def test_escalation_reopen_and_feedback_figures(january):
    d = january
    assert d.escalated == 1 and d.escalations_by_tier == {"Tier 2": 0, "Tier 3": 1, "Tier 4": 0}
    assert d.reopened == 1 and d.reopen_rate_pct == pytest.approx(100 / 3)
    assert d.closed_without_reopen_pct == pytest.approx(200 / 3)
    assert (d.csat_average, d.csat_responses) == (4.0, 2)


def test_against_targets(january, ctx):
    checks = {c.key: c for c in against_targets(january, ctx.settings.targets)}
    assert checks["csat_average"].met is False and checks["csat_average"].target == 4.5
    assert checks["ack_within_target_pct"].verdict == "missed"
    assert all(c.met is False for c in checks.values())


def test_an_empty_month_has_no_data_rather_than_zero(ctx):
    d = kpi_dataset(ctx.session, Period.month("2024-06"), datetime(2025, 1, 1, tzinfo=UTC), ctx.calendar)
    assert d.logged == 0 and d.ack_within_target_pct is None and d.csat_average is None
    assert {c.verdict for c in against_targets(d, ctx.settings.targets)} == {"no data"}


def test_quarter_includes_its_months(january, ctx):
    q = kpi_dataset(ctx.session, Period.quarter("2025Q1"), datetime(2025, 4, 10, tzinfo=UTC), ctx.calendar)
    assert q.logged == 5 and q.period == "Q1 2025"


def test_first_response_is_counted_in_business_time(ctx, clock):
    # Logged Friday 17:30 in Johannesburg (15:30 UTC), acknowledged Monday 09:30: 30 + 30 business minutes, not
    # the 64 hours of the wall clock. A second one, inside Monday's hours, takes 10 minutes.
    clock.t = datetime(2025, 1, 17, 15, 30, tzinfo=UTC)
    late = svc.create_inquiry(ctx, draft(subject="Weekend question"))
    clock.t = datetime(2025, 1, 20, 7, 30, tzinfo=UTC)
    svc.acknowledge(ctx, late)
    quick = svc.create_inquiry(ctx, draft(subject="Monday question"))
    clock.t += timedelta(minutes=10)
    svc.acknowledge(ctx, quick)
    ctx.session.flush()
    d = kpi_dataset(ctx.session, Period.month("2025-01"), datetime(2025, 2, 1, tzinfo=UTC), ctx.calendar)
    assert d.avg_first_response_business_minutes == pytest.approx(35.0)  # (60 + 10) / 2
    assert d.median_first_response_business_minutes == pytest.approx(35.0)
    assert d.ack_within_target_pct == 100.0  # both within 1 business hour


def test_cancelled_inquiries_are_left_out_and_counted_by_reason(january, ctx, clock):
    from saypro_desktop.services.cancellation import cancel_inquiry

    clock.t = T0
    spam = svc.create_inquiry(ctx, draft(subject="Cheap watches"))
    kept = svc.get_inquiry(ctx, "SCMR-2501-0001")
    twice = svc.create_inquiry(ctx, draft(subject="Charged twice", category="Payment/Billing"))
    clock.t = T0 + timedelta(days=3)  # never acknowledged: would count as a late first response
    cancel_inquiry(ctx, spam, "spam")
    cancel_inquiry(ctx, twice, "Duplicate", duplicate_of=kept)
    ctx.session.flush()
    d = kpi_dataset(ctx.session, Period.month("2025-01"), datetime(2025, 2, 10, tzinfo=UTC), ctx.calendar)
    assert (d.logged, d.open, d.resolved) == (january.logged, january.open, january.resolved)
    assert d.ack_within_target_pct == january.ack_within_target_pct
    assert d.resolved_within_24h_pct == january.resolved_within_24h_pct
    assert d.top_subjects == january.top_subjects
    assert "Cancelled" not in d.by_status and sum(d.by_status.values()) == d.logged
    assert d.cancelled == 2
    assert d.cancelled_by_reason == {"Spam": 1, "Duplicate": 1, "Test": 0, "Other": 0}


def test_a_user_contact_before_the_acknowledgement_is_the_first_response(ctx, clock):
    clock.t = T0
    i = svc.create_inquiry(ctx, draft())
    clock.t = T0 + timedelta(minutes=50)
    svc.acknowledge(ctx, i)
    svc.add_action_step(ctx, i, "Phoned the user back", ActionKind.USER_CONTACT, at=T0 + timedelta(minutes=20))
    assert i.acknowledged_at == T0 + timedelta(minutes=20)
    ctx.session.flush()
    d = kpi_dataset(ctx.session, Period.month("2025-01"), datetime(2025, 2, 1, tzinfo=UTC), ctx.calendar)
    assert d.avg_first_response_business_minutes == pytest.approx(20.0)
