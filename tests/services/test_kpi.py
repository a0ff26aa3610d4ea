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
    return kpi_dataset(ctx.session, Period.month("2025-01"), datetime(2025, 2, 10, tzinfo=UTC))


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
    assert d.avg_first_response_minutes == pytest.approx(43.3, abs=0.05)  # (30 + 90 + 10) / 3
    assert d.median_first_response_minutes == pytest.approx(30.0, abs=0.01)
    assert d.resolved_within_24h_pct == 25.0  # A of 4
    assert d.resolved_within_48h_pct == 50.0  # A, B of 4
    assert d.high_priority_within_24h_pct == 100.0
    assert d.resolution_target_met_pct == 50.0  # A, B met; C late; D overdue
    assert d.same_day_pct == 25.0
    assert d.first_contact_resolution_pct == 33.33  # A of A, B, C


def test_escalation_reopen_and_feedback_figures(january):
    d = january
    assert d.escalated == 1 and d.escalations_by_tier == {"Tier 2": 0, "Tier 3": 1, "Tier 4": 0}
    assert d.reopened == 1 and d.reopen_rate_pct == 33.33
    assert d.closed_without_reopen_pct == 66.67
    assert (d.csat_average, d.csat_responses) == (4.0, 2)


def test_against_targets(january, ctx):
    checks = {c.key: c for c in against_targets(january, ctx.settings.targets)}
    assert checks["csat_average"].met is False and checks["csat_average"].target == 4.5
    assert checks["ack_within_target_pct"].verdict == "missed"
    assert all(c.met is False for c in checks.values())


def test_an_empty_month_has_no_data_rather_than_zero(ctx):
    d = kpi_dataset(ctx.session, Period.month("2024-06"), datetime(2025, 1, 1, tzinfo=UTC))
    assert d.logged == 0 and d.ack_within_target_pct is None and d.csat_average is None
    assert {c.verdict for c in against_targets(d, ctx.settings.targets)} == {"no data"}


def test_quarter_includes_its_months(january, ctx):
    q = kpi_dataset(ctx.session, Period.quarter("2025Q1"), datetime(2025, 4, 10, tzinfo=UTC))
    assert q.logged == 5 and q.period == "Q1 2025"
