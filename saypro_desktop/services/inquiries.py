"""Use cases of the inquiry lifecycle: log, edit, assign, acknowledge, note, move through the workflow.

Each function takes a ServiceContext, checks the actor's permission, changes rows in the context's
session (the change-log hook writes the outbox and the audit trail in the same transaction) and
leaves committing to the caller's unit of work.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from ..core import sla
from ..core.feedback import SurveyState
from ..core.permissions import Permission, can
from ..core.text_checks import check_objectivity, objectivity_summary
from ..core.validation import (
    FieldError,
    InquiryDraft,
    ValidationError,
    check_rating,
    normalise_draft,
    status_requirements,
)
from ..core.vocab import ActionKind, Confirmation, EscalationTier, Priority, Quarter, Status
from ..core.workflow import DONE_STATUSES, check_transition, suggest_priority
from ..models import ActionStep, Inquiry, StaffUser
from .context import NotFound, ServiceContext
from .inquiry_numbers import next_reference
from .withholding import kept_edits

# Steps a person writes while working an inquiry: the writer takes an unassigned inquiry on.
WORK_STEPS = frozenset({ActionKind.NOTE, ActionKind.USER_CONTACT})

_AUTO_STEP_NAMESPACE = uuid.UUID("5d6f1c2e-8f5a-4c4e-9a57-3b1f2e7c9d10")

EDITABLE = ("subject", "category", "category_other", "mode", "user_type", "user_full_name", "user_email",
            "user_phone", "user_account_id", "user_location", "description", "classified_category")


def get_inquiry(ctx: ServiceContext, reference: str) -> Inquiry:
    """By Inquiry ID, provisional reference (still found after mapping) or row id."""
    ref = reference.strip()
    inquiry = ctx.session.scalar(select(Inquiry).where(
        or_(Inquiry.inquiry_ref == ref.upper(), Inquiry.provisional_ref == ref.upper(), Inquiry.id == ref),
        Inquiry.deleted.is_(False)))
    if inquiry is None:
        raise NotFound(f"no inquiry {reference!r}; IDs look like SCMR-2501-0147")
    return inquiry


def create_inquiry(ctx: ServiceContext, draft: InquiryDraft, *, received_by: StaffUser | None = None) -> Inquiry:
    ctx.require(Permission.CREATE_INQUIRY)
    clean, errors = normalise_draft(draft)
    if errors:
        raise ValidationError(errors)
    logged_at = clean.logged_at or ctx.now()
    if logged_at > ctx.now():
        raise ValidationError([FieldError("logged_at", "the time logged cannot be in the future")])
    logged_date = ctx.calendar.local_date(logged_at)
    ref, provisional = next_reference(ctx.session, logged_date)
    priority = clean.priority or suggest_priority(clean.category, clean.subject, clean.description)
    inquiry = Inquiry(
        inquiry_ref=ref, provisional_ref=provisional, logged_at=logged_at, logged_date=logged_date,
        received_by_id=(received_by or ctx.actor).id, status=Status.NEW,
        priority=priority, priority_overridden=clean.priority is not None,
        ack_due_at=sla.ack_due(ctx.calendar, ctx.settings.sla, logged_at),
        resolution_due_at=sla.resolution_due(ctx.calendar, ctx.settings.sla, logged_at, priority),
        quarter=Quarter.of_month(logged_date.month), escalated=False, auto_escalated=False, reopen_count=0,
        resolved_on_first_contact=False, in_monthly_report=False, in_quarterly_file=False,
        **{name: getattr(clean, name) for name in EDITABLE},
    )
    ctx.session.add(inquiry)
    ctx.session.flush()
    return inquiry


def update_inquiry(ctx: ServiceContext, inquiry: Inquiry, **changes: Any) -> list[str]:
    """Edit sections 1-3 and 6; returns the names of the fields that changed."""
    ctx.require(Permission.EDIT_INQUIRY)
    # A form that showed withheld details sends them back as the placeholder: kept as they are, never saved.
    changes = kept_edits(ctx.actor.role, "inquiry", changes, ctx.actor.username)
    unknown = set(changes) - set(EDITABLE) - {"priority", "in_monthly_report", "in_quarterly_file"}
    if unknown:
        raise ValueError(f"these fields cannot be edited here: {', '.join(sorted(unknown))}")
    current = InquiryDraft(**{name: getattr(inquiry, name) for name in EDITABLE}, priority=inquiry.priority)
    for name, value in changes.items():
        if hasattr(current, name):
            setattr(current, name, value)
    clean, errors = normalise_draft(current)
    if errors:
        raise ValidationError(errors)
    changed = []
    for name in EDITABLE:
        if name in changes and getattr(inquiry, name) != getattr(clean, name):
            setattr(inquiry, name, getattr(clean, name))
            changed.append(name)
    for flag in ("in_monthly_report", "in_quarterly_file"):
        if flag in changes and getattr(inquiry, flag) != bool(changes[flag]):
            setattr(inquiry, flag, bool(changes[flag]))
            changed.append(flag)
    if "priority" in changes and clean.priority is not None and clean.priority != inquiry.priority:
        set_priority(ctx, inquiry, clean.priority)
        changed.append("priority")
    return changed


def set_priority(ctx: ServiceContext, inquiry: Inquiry, priority: Priority) -> None:
    """Override the suggested priority; the resolution due time follows it."""
    ctx.require(Permission.EDIT_INQUIRY)
    inquiry.priority = priority
    inquiry.priority_overridden = True
    inquiry.resolution_due_at = sla.resolution_due(ctx.calendar, ctx.settings.sla, inquiry.logged_at, priority)


def auto_escalation_step_id(inquiry_id: str, tier: EscalationTier) -> str:
    """The same on every desktop: the server stores an automatic escalation's step once (a second desktop's
    insert of it is a duplicate), however many desktops escalated the inquiry while offline."""
    return str(uuid.uuid5(_AUTO_STEP_NAMESPACE, f"{inquiry_id}/{tier.value}"))


def add_action_step(ctx: ServiceContext, inquiry: Inquiry, text: str, kind: ActionKind = ActionKind.NOTE,
                    at: datetime | None = None, *, step_id: str | None = None) -> ActionStep:
    ctx.require(Permission.ADD_NOTE)
    text = text.strip()
    if not text:
        raise ValidationError([FieldError("action_step", "an action step needs a description of what was done")])
    step = ActionStep(inquiry_id=inquiry.id, at=at or ctx.now(), author_id=ctx.actor.id, kind=kind, text=text)
    if step_id is not None:
        step.id = step_id
    ctx.session.add(step)
    if kind == ActionKind.USER_CONTACT and (inquiry.acknowledged_at is None or step.at < inquiry.acknowledged_at):
        inquiry.acknowledged_at = step.at  # the first contact with the user is the first response (the KPIs')
    if kind in WORK_STEPS:
        _start_work(ctx, inquiry, contact=kind == ActionKind.USER_CONTACT, why=f"wrote a {kind.value.lower()} step")
    return step


def _start_work(ctx: ServiceContext, inquiry: Inquiry, *, contact: bool, why: str) -> None:
    """Whoever works an unassigned inquiry takes it on (if their role may hold inquiries); the first contact
    with the user moves a New inquiry to In Progress (if their role may change its status)."""
    if inquiry.assigned_to_id is None and can(ctx.actor.role, Permission.ASSIGN_INQUIRY) and ctx.actor.active:
        assign(ctx, inquiry, ctx.actor, why=why)
    if contact and inquiry.status == Status.NEW and can(ctx.actor.role, Permission.CHANGE_STATUS):
        change_status(ctx, inquiry, Status.IN_PROGRESS, note="First contact with the user")


def assign(ctx: ServiceContext, inquiry: Inquiry, assignee: StaffUser | None, *, why: str | None = None) -> None:
    ctx.require(Permission.ASSIGN_INQUIRY)
    if assignee is not None and not assignee.active:
        raise ValueError(f"{assignee.username} is deactivated and cannot take inquiries")
    if inquiry.assigned_to_id == (assignee.id if assignee else None):
        return
    inquiry.assigned_to_id = assignee.id if assignee else None
    inquiry.assigned_at = ctx.now() if assignee else None
    text = f"Assigned to {assignee}" if assignee else "Unassigned"
    add_action_step(ctx, inquiry, f"{text} ({why})" if why else text, ActionKind.ASSIGNMENT)


def acknowledge(ctx: ServiceContext, inquiry: Inquiry, note: str | None = None) -> None:
    """The first response to the user; it stops the acknowledgement clock, gives an unassigned inquiry to the
    one who acknowledged it and moves a New inquiry to In Progress."""
    ctx.require(Permission.CHANGE_STATUS)
    if inquiry.acknowledged_at is not None:
        raise ValueError(f"{inquiry.display_id} was already acknowledged")
    inquiry.acknowledged_at = ctx.now()
    add_action_step(ctx, inquiry, note or "Receipt acknowledged to the user with the reference number",
                    ActionKind.ACKNOWLEDGEMENT)
    _start_work(ctx, inquiry, contact=True, why="acknowledged it")


def change_status(ctx: ServiceContext, inquiry: Inquiry, target: Status | str, *, note: str | None = None,
                  resolution: str | None = None, resolved_at: datetime | None = None,
                  user_confirmation: Confirmation | str | None = None, tier: EscalationTier | str | None = None,
                  reason: str | None = None, first_contact: bool | None = None, allow_subjective: bool = False,
                  automatic: bool = False, handled_by: StaffUser | None = None) -> None:
    """Move the inquiry along the workflow, refusing what the workflow or the template does not allow.

    Resolving or closing an unassigned inquiry needs ``handled_by`` (who handled it; it becomes the assignee);
    moving an unassigned inquiry to In Progress gives it to the one who did it."""
    ctx.require(Permission.CHANGE_STATUS)
    target = Status.parse(target) if isinstance(target, str) else target
    check_transition(inquiry.status, target)
    if target == Status.CANCELLED:  # set aside with its reason ("spam", "duplicate", ...): cancellation.py
        from .cancellation import cancel_inquiry  # it builds on this module
        cancel_inquiry(ctx, inquiry, reason, note=note)
        return
    now = ctx.now()
    confirmation = Confirmation.parse(user_confirmation) if isinstance(user_confirmation, str) \
        else user_confirmation or inquiry.user_confirmation
    tier_value = EscalationTier.parse(tier) if isinstance(tier, str) else tier
    resolution_text = resolution.strip() if resolution is not None else inquiry.resolution
    resolved_time = resolved_at or (now if target == Status.RESOLVED else inquiry.resolved_at)
    errors = status_requirements(target, resolution=resolution_text, resolved_at=resolved_time,
                                 user_confirmation=confirmation, escalation_tier=tier_value,
                                 escalation_reason=reason)
    if target == Status.RESOLVED and resolution_text and not allow_subjective:
        findings = check_objectivity(resolution_text)
        if findings:
            errors.append(FieldError("resolution", "keep the resolution objective (use instruction 3); "
                                                   + objectivity_summary(findings)))
    if resolved_time is not None and resolved_time < inquiry.logged_at:
        errors.append(FieldError("resolved_at", "the date resolved is before the inquiry was logged"))
    if target in (Status.RESOLVED, Status.CLOSED) and inquiry.assigned_to_id is None and handled_by is None:
        errors.append(FieldError("handled_by", f"{inquiry.display_id} is not assigned to anyone: say who handled it "
                                               "before it is marked " + target.value))
    if handled_by is not None and not handled_by.active:
        errors.append(FieldError("handled_by", f"{handled_by.username} is deactivated"))
    if errors:
        raise ValidationError(errors)
    if handled_by is not None and inquiry.assigned_to_id != handled_by.id:
        assign(ctx, inquiry, handled_by, why=f"handled it; named when the inquiry was marked {target.value}")
    elif target == Status.IN_PROGRESS and not automatic:
        _start_work(ctx, inquiry, contact=False, why="started work")

    previous = inquiry.status
    if previous == Status.CANCELLED:  # taken back into work: no longer set aside
        inquiry.cancel_reason = inquiry.cancelled_at = inquiry.duplicate_of_id = None
    if target != Status.REOPENED and inquiry.acknowledged_at is None and not automatic:
        inquiry.acknowledged_at = now
    if target == Status.ESCALATED:
        inquiry.escalated = True
        inquiry.escalation_tier = tier_value
        inquiry.escalation_reason = reason.strip() if reason else None
        inquiry.escalated_at = now
        inquiry.auto_escalated = automatic
    elif target == Status.RESOLVED:
        inquiry.resolution = resolution_text
        inquiry.resolved_at = resolved_time
        inquiry.resolved_date = ctx.calendar.local_date(resolved_time)
        inquiry.user_confirmation = confirmation
        inquiry.resolved_on_first_contact = first_contact if first_contact is not None else _first_contact(ctx, inquiry)
    elif target == Status.CLOSED:
        inquiry.user_confirmation = confirmation
        inquiry.closed_at = now
    elif target == Status.REOPENED:
        inquiry.reopen_count += 1
        inquiry.resolved_at = None
        inquiry.resolved_date = None
        inquiry.closed_at = None
        inquiry.resolved_on_first_contact = False
    inquiry.status = target
    kind = {Status.ESCALATED: ActionKind.ESCALATION, Status.RESOLVED: ActionKind.RESOLUTION}.get(
        target, ActionKind.STATUS_CHANGE)
    if automatic and target == Status.ESCALATED:
        # The same words on every desktop (not the status it left, which two desktops may see differently).
        add_action_step(ctx, inquiry, f"Automatic escalation to {tier_value.value}: {inquiry.escalation_reason}",
                        kind, step_id=auto_escalation_step_id(inquiry.id, tier_value))
        return
    text = f"Status {previous.value} → {target.value}"
    if target == Status.ESCALATED:
        text += f" ({tier_value.value}: {reason.strip() if reason else ''})"
    if note:
        text += f". {note.strip()}"
    add_action_step(ctx, inquiry, text, kind)


def _first_contact(ctx: ServiceContext, inquiry: Inquiry) -> bool:
    """Resolved at the first contact: never escalated or reopened, no follow-up contact with the user."""
    if inquiry.escalated or inquiry.reopen_count:
        return False
    contacts = ctx.session.scalar(select(ActionStep.id).where(
        ActionStep.inquiry_id == inquiry.id, ActionStep.kind == ActionKind.USER_CONTACT).limit(1))
    return contacts is None


def record_feedback(ctx: ServiceContext, inquiry: Inquiry, rating: int | None, comment: str | None = None) -> None:
    ctx.require(Permission.EDIT_INQUIRY)
    errors = check_rating(rating)
    if inquiry.status not in DONE_STATUSES:
        errors.append(FieldError("feedback_rating", "feedback is collected once the inquiry is resolved"))
    if errors:
        raise ValidationError(errors)
    inquiry.feedback_rating = rating
    inquiry.feedback_comment = comment.strip() if comment else None
    inquiry.survey_state, inquiry.survey_at = SurveyState.ANSWERED, ctx.now()
    add_action_step(ctx, inquiry, f"User feedback: {rating}/5" + (f" – {comment.strip()}" if comment else ""),
                    ActionKind.FEEDBACK)
