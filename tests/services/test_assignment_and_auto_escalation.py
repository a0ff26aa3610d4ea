"""Who holds an inquiry (taken on by whoever acknowledges or works it; named when it is resolved unassigned) and
the automatic escalation of inquiries past their due time, with their audit trail and outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saypro_desktop.core.permissions import Role
from saypro_desktop.core.validation import ValidationError
from saypro_desktop.core.vocab import ActionKind, EscalationTier, Status
from saypro_desktop.models import ActionStep, AuditEntry, ChangeLogEntry
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.context import bind
from saypro_desktop.services.sla_watch import run_auto_escalation
from saypro_desktop.services.staff import create_staff_user
from tests.conftest import draft


def _steps(ctx, inquiry) -> list[tuple[ActionKind, str]]:
    ctx.session.flush()
    return [(s.kind, s.text) for s in ctx.session.scalars(
        select(ActionStep).where(ActionStep.inquiry_id == inquiry.id).order_by(ActionStep.created_at))]


def _outbox_fields(ctx, inquiry) -> set[str]:
    ctx.session.flush()
    rows = ctx.session.scalars(select(ChangeLogEntry).where(ChangeLogEntry.row_id == inquiry.id)).all()
    return {f for r in rows for f in r.fields}


def test_acknowledging_takes_the_inquiry_on_and_starts_work(ctx, clock):
    agent = create_staff_user(ctx, "lerato", "Lerato Mokoena", Role.SUPPORT_AGENT)
    inquiry = svc.create_inquiry(ctx, draft())
    as_agent = bind(ctx.session, agent, clock)
    clock.advance(minutes=12)
    svc.acknowledge(as_agent, inquiry)
    assert (inquiry.assigned_to_id, inquiry.assigned_at, inquiry.status) == (agent.id, clock.t, Status.IN_PROGRESS)
    assert inquiry.acknowledged_at == clock.t
    kinds = [k for k, _ in _steps(ctx, inquiry)]
    assert kinds == [ActionKind.ACKNOWLEDGEMENT, ActionKind.ASSIGNMENT, ActionKind.STATUS_CHANGE]
    assert "Assigned to Lerato Mokoena (acknowledged it)" in [t for _, t in _steps(ctx, inquiry)]
    # the outbox carries the assignment and the status, and the audit trail names the agent
    assert {"assigned_to_id", "assigned_at", "status", "acknowledged_at"} <= _outbox_fields(ctx, inquiry)
    audit = ctx.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == inquiry.id,
                                                         AuditEntry.action == "update")).all()
    assert any(a.actor_id == agent.id and a.changes.get("assigned_to_id") == [None, agent.id] for a in audit)


def test_an_assigned_inquiry_stays_with_its_assignee(ctx, clock):
    agent = create_staff_user(ctx, "lerato", "Lerato Mokoena", Role.SUPPORT_AGENT)
    other = create_staff_user(ctx, "sipho", "Sipho Dlamini", Role.SUPPORT_AGENT)
    inquiry = svc.create_inquiry(ctx, draft())
    svc.assign(ctx, inquiry, other)
    svc.acknowledge(bind(ctx.session, agent, clock), inquiry)
    assert inquiry.assigned_to_id == other.id and inquiry.status == Status.IN_PROGRESS


def test_a_note_takes_it_on_and_a_user_contact_also_starts_work(ctx, clock):
    agent = create_staff_user(ctx, "lerato", "Lerato Mokoena", Role.SUPPORT_AGENT)
    as_agent = bind(ctx.session, agent, clock)
    noted, contacted = svc.create_inquiry(ctx, draft()), svc.create_inquiry(ctx, draft())
    svc.add_action_step(as_agent, noted, "Looked the ad up: pending in the Jobs queue")
    assert noted.assigned_to_id == agent.id and noted.status == Status.NEW and noted.acknowledged_at is None
    svc.add_action_step(as_agent, contacted, "Phoned the user", ActionKind.USER_CONTACT)
    assert (contacted.assigned_to_id, contacted.status) == (agent.id, Status.IN_PROGRESS)
    assert contacted.acknowledged_at == clock.t


def test_a_moderator_note_neither_assigns_nor_moves_the_status(ctx, clock):
    moderator = create_staff_user(ctx, "thabo", "Thabo Nel", Role.MODERATOR)
    inquiry = svc.create_inquiry(ctx, draft())
    svc.add_action_step(bind(ctx.session, moderator, clock), inquiry, "Told the user the ad is live",
                        ActionKind.USER_CONTACT)
    assert inquiry.assigned_to_id is None and inquiry.status == Status.NEW
    assert inquiry.acknowledged_at == clock.t  # the contact still stops the acknowledgement clock


def test_starting_work_assigns_and_resolving_unassigned_asks_who_handled_it(ctx, clock):
    agent = create_staff_user(ctx, "lerato", "Lerato Mokoena", Role.SUPPORT_AGENT)
    started, answered = svc.create_inquiry(ctx, draft()), svc.create_inquiry(ctx, draft())
    svc.change_status(bind(ctx.session, agent, clock), started, "In Progress")
    assert started.assigned_to_id == agent.id
    with pytest.raises(ValidationError) as err:
        svc.change_status(ctx, answered, "Resolved", resolution="The ad was approved after review.")
    assert [e.field for e in err.value.errors] == ["handled_by"]
    assert "not assigned to anyone: say who handled it" in str(err.value)
    assert answered.status == Status.NEW and answered.assigned_to_id is None
    svc.change_status(ctx, answered, "Resolved", resolution="The ad was approved after review.", handled_by=agent)
    assert (answered.status, answered.assigned_to_id) == (Status.RESOLVED, agent.id)
    assert (ActionKind.ASSIGNMENT, "Assigned to Lerato Mokoena (handled it; named when the inquiry was marked "
                                   "Resolved)") in _steps(ctx, answered)


def test_auto_escalation_is_recorded_as_automatic_and_happens_once(ctx, clock):
    inquiry = svc.create_inquiry(ctx, draft(category="Payment/Billing", subject="Charged twice"))
    manual = svc.create_inquiry(ctx, draft())
    svc.change_status(ctx, manual, "Escalated", tier="Tier 3", reason="Needs the developers")
    svc.change_status(ctx, manual, "In Progress")  # back from the developers, still open
    ctx.session.flush()
    clock.advance(hours=49)
    assert run_auto_escalation(ctx) == [inquiry]  # never escalated twice: the manual one keeps its Tier 3
    ctx.session.flush()
    assert (inquiry.status, inquiry.escalation_tier, inquiry.auto_escalated) == (
        Status.ESCALATED, EscalationTier.TIER_2, True)
    assert manual.escalation_tier == EscalationTier.TIER_3 and manual.status == Status.IN_PROGRESS
    step = ctx.session.get(ActionStep, svc.auto_escalation_step_id(inquiry.id, EscalationTier.TIER_2))
    assert step is not None and step.kind == ActionKind.ESCALATION and step.author_id == ctx.actor.id
    assert step.text == ("Automatic escalation to Tier 2: Unresolved past its due time of 15/01/2025 10:00 "
                         "(High priority; automatic escalation)")
    audit = ctx.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == inquiry.id,
                                                         AuditEntry.action == "update")).all()
    assert [(a.summary, a.actor_id, a.changes["status"]) for a in audit if "status" in a.changes] == [
        ("automatic escalation", ctx.actor.id, ["New", "Escalated"])]
    manual_audit = ctx.session.scalars(select(AuditEntry.summary).where(AuditEntry.entity_id == manual.id)).all()
    assert "automatic escalation" not in manual_audit
    # reopened later and overdue again: the escalation is a level, not a count
    svc.change_status(ctx, inquiry, "Resolved", resolution="Duplicate charge refunded.", handled_by=ctx.actor)
    svc.change_status(ctx, inquiry, "Reopened", note="Charged again")
    clock.advance(hours=49)
    assert run_auto_escalation(ctx) == []
