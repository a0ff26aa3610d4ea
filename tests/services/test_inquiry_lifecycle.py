from datetime import UTC, datetime

import pytest

from saypro_desktop.core.permissions import PermissionDenied, Role
from saypro_desktop.core.sla import SlaState
from saypro_desktop.core.validation import ValidationError
from saypro_desktop.core.vocab import ActionKind, Confirmation, EscalationTier, Priority, Status
from saypro_desktop.core.workflow import TRANSITIONS, TransitionError
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.context import bind
from saypro_desktop.services.sla_watch import run_auto_escalation, sla_view
from saypro_desktop.services.staff import create_staff_user
from tests.conftest import draft

# How to bring a new inquiry to each status through the workflow.
PATHS = {
    Status.NEW: [],
    Status.IN_PROGRESS: [Status.IN_PROGRESS],
    Status.ESCALATED: [Status.ESCALATED],
    Status.RESOLVED: [Status.RESOLVED],
    Status.CLOSED: [Status.RESOLVED, Status.CLOSED],
    Status.REOPENED: [Status.RESOLVED, Status.REOPENED],
    Status.CANCELLED: [Status.CANCELLED],
}
EXTRA = dict(resolution="Password reset link sent; access confirmed.", user_confirmation="Yes",
             tier="Tier 3", reason="Needs a developer")


def _extra(target):
    """The details a move needs; a cancellation's reason is one of its vocabulary."""
    return {**EXTRA, "reason": "spam"} if target == Status.CANCELLED else EXTRA


def _walk(ctx, inquiry, steps):
    for s in steps:
        svc.change_status(ctx, inquiry, s, **_extra(s), handled_by=ctx.actor)


@pytest.mark.parametrize("start", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_every_status_transition_through_the_service(ctx, start, target):
    inquiry = svc.create_inquiry(ctx, draft())
    _walk(ctx, inquiry, PATHS[start])
    assert inquiry.status == start
    if target in TRANSITIONS[start]:
        svc.change_status(ctx, inquiry, target, **_extra(target), handled_by=ctx.actor)
        assert inquiry.status == target
    else:
        with pytest.raises(TransitionError):
            svc.change_status(ctx, inquiry, target, **_extra(target), handled_by=ctx.actor)
        assert inquiry.status == start


def test_full_walk_records_timestamps_escalation_and_reopen(ctx, clock):
    inquiry = svc.create_inquiry(ctx, draft(category="Technical Issue", subject="Error 500 on dashboard"))
    assert inquiry.priority == Priority.NORMAL and inquiry.status == Status.NEW
    clock.advance(minutes=20)
    svc.change_status(ctx, inquiry, "In Progress")
    assert inquiry.acknowledged_at == clock.t
    svc.change_status(ctx, inquiry, "Escalated", tier="Tier 3", reason="Server error needs the developers")
    assert (inquiry.escalated, inquiry.escalation_tier) == (True, EscalationTier.TIER_3)
    clock.advance(hours=3)
    svc.change_status(ctx, inquiry, "Resolved", resolution="The dashboard fault was fixed in release 4.2.")
    assert inquiry.resolved_at == clock.t and inquiry.resolved_on_first_contact is False
    svc.change_status(ctx, inquiry, "Closed", user_confirmation="Yes")
    svc.change_status(ctx, inquiry, "Reopened", note="Error is back")
    assert inquiry.reopen_count == 1 and inquiry.resolved_at is None and inquiry.closed_at is None
    svc.change_status(ctx, inquiry, "Resolved", resolution="Cache cleared on the account.")
    kinds = [s.kind for s in ctx.session.merge(inquiry).action_steps]
    assert kinds.count(ActionKind.ESCALATION) == 1 and kinds.count(ActionKind.RESOLUTION) == 2


def test_resolved_needs_a_resolution_and_closed_needs_a_confirmation(ctx):
    inquiry = svc.create_inquiry(ctx, draft())
    with pytest.raises(ValidationError) as err:
        svc.change_status(ctx, inquiry, "Resolved", handled_by=ctx.actor)
    assert [e.field for e in err.value.errors] == ["resolution"]
    svc.change_status(ctx, inquiry, "Resolved", resolution="The ad was approved after review.", handled_by=ctx.actor)
    with pytest.raises(ValidationError) as err:
        svc.change_status(ctx, inquiry, "Closed")
    assert [e.field for e in err.value.errors] == ["user_confirmation"]
    svc.change_status(ctx, inquiry, "Closed", user_confirmation=Confirmation.NOT_APPLICABLE)
    assert inquiry.status == Status.CLOSED


def test_escalation_needs_tier_and_reason(ctx):
    inquiry = svc.create_inquiry(ctx, draft())
    with pytest.raises(ValidationError) as err:
        svc.change_status(ctx, inquiry, "Escalated")
    assert {e.field for e in err.value.errors} == {"escalation_tier", "escalation_reason"}


def test_subjective_resolution_is_refused_unless_accepted(ctx):
    inquiry = svc.create_inquiry(ctx, draft())
    with pytest.raises(ValidationError, match=r'first person "I".*emotive "unfortunately"'):
        svc.change_status(ctx, inquiry, "Resolved", resolution="I fixed it, unfortunately it took long.",
                          handled_by=ctx.actor)
    assert inquiry.status == Status.NEW and inquiry.resolution is None
    svc.change_status(ctx, inquiry, "Resolved", resolution="I fixed it.", allow_subjective=True, handled_by=ctx.actor)
    assert inquiry.status == Status.RESOLVED


def test_an_invalid_draft_lists_every_problem_and_saves_nothing(ctx):
    with pytest.raises(ValidationError) as err:
        svc.create_inquiry(ctx, draft(subject=" ", mode=None, category="Other", user_email="not-an-email",
                                      user_type="Alien"))
    fields = {e.field for e in err.value.errors}
    assert fields == {"subject", "mode", "category_other", "user_email", "user_type"}
    from saypro_desktop.models import Inquiry
    assert ctx.session.query(Inquiry).count() == 0


def test_priority_is_suggested_and_can_be_overridden(ctx):
    inquiry = svc.create_inquiry(ctx, draft(category="Payment/Billing", subject="Refund for unused subscription"))
    assert inquiry.priority == Priority.HIGH and not inquiry.priority_overridden
    due_high = inquiry.resolution_due_at
    svc.set_priority(ctx, inquiry, Priority.LOW)
    assert inquiry.priority_overridden and (inquiry.resolution_due_at - due_high).total_seconds() == 24 * 3600


def test_sla_due_times_and_states_follow_the_clock(ctx, clock):
    # Friday 17 January 2025, 17:30 in Johannesburg: ack due Monday 09:30.
    clock.t = datetime(2025, 1, 17, 15, 30, tzinfo=UTC)
    inquiry = svc.create_inquiry(ctx, draft())
    assert inquiry.ack_due_at == datetime(2025, 1, 20, 7, 30, tzinfo=UTC)
    assert inquiry.resolution_due_at == datetime(2025, 1, 19, 15, 30, tzinfo=UTC)  # Normal: 48 h
    def view():
        return sla_view(inquiry, clock.t, ctx.settings, ctx.calendar)

    assert view().resolution == SlaState.ON_TRACK
    clock.t = datetime(2025, 1, 19, 6, 0, tzinfo=UTC)  # under 25% of 48 h left
    assert view().resolution == SlaState.AT_RISK
    clock.t = datetime(2025, 1, 19, 16, 0, tzinfo=UTC)
    # Sunday evening: the acknowledgement clock has not moved since Friday 17:30.
    assert (view().resolution, view().ack) == (SlaState.BREACHED, SlaState.ON_TRACK)
    clock.t = datetime(2025, 1, 20, 7, 20, tzinfo=UTC)  # Monday 09:20, ten business minutes left
    assert view().ack == SlaState.AT_RISK
    clock.t = datetime(2025, 1, 20, 7, 31, tzinfo=UTC)
    assert view().ack == SlaState.BREACHED
    svc.acknowledge(ctx, inquiry)
    assert view().ack == SlaState.MISSED  # acknowledged one minute late


def test_inquiries_unresolved_past_their_due_time_escalate_automatically(ctx, clock):
    standard = svc.create_inquiry(ctx, draft(category="Technical Issue", subject="Images look blurry"))
    high = svc.create_inquiry(ctx, draft(category="Payment/Billing", subject="Invoice needed"))
    done = svc.create_inquiry(ctx, draft(category="Technical Issue", subject="Layout glitch"))
    svc.change_status(ctx, done, "Resolved", resolution="Browser cache cleared; layout correct.", handled_by=ctx.actor)
    clock.advance(hours=23)
    assert run_auto_escalation(ctx) == []
    clock.advance(hours=2)  # High is due at 24 h: it goes up first
    assert run_auto_escalation(ctx) == [high]
    assert high.status == Status.ESCALATED and high.auto_escalated and standard.status == Status.NEW
    clock.advance(hours=22)
    assert run_auto_escalation(ctx) == []
    clock.advance(hours=2)
    assert run_auto_escalation(ctx) == [standard]
    assert standard.status == Status.ESCALATED and standard.auto_escalated
    assert standard.escalation_tier == EscalationTier.TIER_2
    assert done.status == Status.RESOLVED
    assert run_auto_escalation(ctx) == []


def test_roles_are_enforced(ctx, clock):
    viewer = create_staff_user(ctx, "vuyo", "Vuyo Mthembu", Role.VIEWER)
    agent = create_staff_user(ctx, "lerato", "Lerato Mokoena", "Support Agent")
    inquiry = svc.create_inquiry(ctx, draft())
    as_viewer = bind(ctx.session, viewer, clock)
    with pytest.raises(PermissionDenied, match="vuyo \\(Viewer\\) may not log inquiries"):
        svc.create_inquiry(as_viewer, draft())
    with pytest.raises(PermissionDenied):
        svc.change_status(as_viewer, inquiry, "In Progress")
    as_agent = bind(ctx.session, agent, clock)
    with pytest.raises(PermissionDenied):
        create_staff_user(as_agent, "x1", "X", Role.ADMIN)
    svc.change_status(as_agent, inquiry, "In Progress")
    assert inquiry.status == Status.IN_PROGRESS


def test_feedback_only_after_resolution_and_in_range(ctx):
    inquiry = svc.create_inquiry(ctx, draft())
    with pytest.raises(ValidationError, match="once the inquiry is resolved"):
        svc.record_feedback(ctx, inquiry, 5)
    svc.change_status(ctx, inquiry, "Resolved", resolution="Approved after review.", handled_by=ctx.actor)
    with pytest.raises(ValidationError, match="1 to 5"):
        svc.record_feedback(ctx, inquiry, 6)
    svc.record_feedback(ctx, inquiry, 4, "Quick help")
    assert (inquiry.feedback_rating, inquiry.feedback_comment) == (4, "Quick help")


def test_office_settings_changes_are_permissioned_and_audited(ctx, clock):
    from dataclasses import replace

    from sqlalchemy import select

    from saypro_desktop.models import AuditEntry
    from saypro_desktop.services.settings import load_settings, update_office_settings

    new = replace(ctx.settings, timezone="Africa/Maseru")
    assert update_office_settings(ctx, new) == ["timezone"]
    assert load_settings(ctx.session).timezone == "Africa/Maseru"
    entry = ctx.session.scalars(select(AuditEntry).where(AuditEntry.entity == "setting")).one()
    assert entry.changes == {"timezone": ["Africa/Johannesburg", "Africa/Maseru"]}
    assert update_office_settings(ctx, new) == []
    agent = create_staff_user(ctx, "sipho", "Sipho", Role.SUPPORT_AGENT)
    with pytest.raises(PermissionDenied):
        update_office_settings(bind(ctx.session, agent, clock), replace(new, timezone="UTC"))
