"""Use cases of the inquiry lifecycle: log, edit, assign, acknowledge, note, move through the workflow.

Each function takes a ServiceContext, checks the actor's permission, changes rows in the context's
session (the change-log hook writes the outbox and the audit trail in the same transaction) and
leaves committing to the caller's unit of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from ..core import sla
from ..core.permissions import Permission
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


def add_action_step(ctx: ServiceContext, inquiry: Inquiry, text: str, kind: ActionKind = ActionKind.NOTE,
                    at: datetime | None = None) -> ActionStep:
    ctx.require(Permission.ADD_NOTE)
    text = text.strip()
    if not text:
        raise ValidationError([FieldError("action_step", "an action step needs a description of what was done")])
    step = ActionStep(inquiry_id=inquiry.id, at=at or ctx.now(), author_id=ctx.actor.id, kind=kind, text=text)
    ctx.session.add(step)
    if kind == ActionKind.USER_CONTACT and inquiry.acknowledged_at is None:
        inquiry.acknowledged_at = step.at
    return step


def assign(ctx: ServiceContext, inquiry: Inquiry, assignee: StaffUser | None) -> None:
    ctx.require(Permission.ASSIGN_INQUIRY)
    if assignee is not None and not assignee.active:
        raise ValueError(f"{assignee.username} is deactivated and cannot take inquiries")
    if inquiry.assigned_to_id == (assignee.id if assignee else None):
        return
    inquiry.assigned_to_id = assignee.id if assignee else None
    inquiry.assigned_at = ctx.now() if assignee else None
    add_action_step(ctx, inquiry, f"Assigned to {assignee}" if assignee else "Unassigned", ActionKind.ASSIGNMENT)


def acknowledge(ctx: ServiceContext, inquiry: Inquiry, note: str | None = None) -> None:
    """The first response to the user; it stops the acknowledgement clock."""
    ctx.require(Permission.CHANGE_STATUS)
    if inquiry.acknowledged_at is not None:
        raise ValueError(f"{inquiry.display_id} was already acknowledged")
    inquiry.acknowledged_at = ctx.now()
    add_action_step(ctx, inquiry, note or "Receipt acknowledged to the user with the reference number",
                    ActionKind.ACKNOWLEDGEMENT)


def change_status(ctx: ServiceContext, inquiry: Inquiry, target: Status | str, *, note: str | None = None,
                  resolution: str | None = None, resolved_at: datetime | None = None,
                  user_confirmation: Confirmation | str | None = None, tier: EscalationTier | str | None = None,
                  reason: str | None = None, first_contact: bool | None = None, allow_subjective: bool = False,
                  automatic: bool = False) -> None:
    """Move the inquiry along the workflow, refusing what the workflow or the template does not allow."""
    ctx.require(Permission.CHANGE_STATUS)
    target = Status.parse(target) if isinstance(target, str) else target
    check_transition(inquiry.status, target)
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
    if errors:
        raise ValidationError(errors)

    previous = inquiry.status
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
    add_action_step(ctx, inquiry, f"User feedback: {rating}/5" + (f" – {comment.strip()}" if comment else ""),
                    ActionKind.FEEDBACK)
