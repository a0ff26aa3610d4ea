"""SLA states of inquiries and the automatic escalation of inquiries unresolved past their due time.

The app runs ``run_auto_escalation`` at start and on a timer (on its writer thread); the command line runs it
with ``saypro inquiry escalate-overdue``. An escalation is a level, not a count: an inquiry escalated once
(automatically or by hand) is never escalated again by the job, and the step it writes has an id made from
the inquiry's, so two desktops that escalate the same inquiry offline store one step after they sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from ..core import sla
from ..core.business_calendar import BusinessCalendar
from ..core.office_settings import OfficeSettings
from ..core.vocab import EscalationTier, Status
from ..core.workflow import DONE_STATUSES
from ..models import Inquiry
from .context import ServiceContext
from .inquiries import change_status

AUTOMATIC = "automatic escalation"  # the words the audit entry and the action step carry


@dataclass(frozen=True)
class SlaView:
    ack: sla.SlaState
    resolution: sla.SlaState
    ack_due_at: datetime
    resolution_due_at: datetime


def sla_view(inquiry: Inquiry, now: datetime, settings: OfficeSettings, calendar: BusinessCalendar) -> SlaView:
    """Acknowledgement runs on business hours; resolution on clock or business hours as configured."""
    policy = settings.sla
    done_at = inquiry.resolved_at if inquiry.status in DONE_STATUSES else None
    ack = sla.business_clock_state(calendar, inquiry.logged_at, inquiry.ack_due_at, inquiry.acknowledged_at, now,
                                   policy.at_risk_fraction)
    if policy.resolution_in_business_hours:
        resolution = sla.business_clock_state(calendar, inquiry.logged_at, inquiry.resolution_due_at, done_at, now,
                                              policy.at_risk_fraction)
    else:
        resolution = sla.clock_state(inquiry.logged_at, inquiry.resolution_due_at, done_at, now,
                                     policy.at_risk_fraction)
    return SlaView(
        ack=ack, resolution=resolution,
        ack_due_at=inquiry.ack_due_at, resolution_due_at=inquiry.resolution_due_at,
    )


def overdue_for_escalation(ctx: ServiceContext) -> list[Inquiry]:
    """Open inquiries never escalated and past their resolution due time (24 h High and Critical, 48 h Normal
    and Low by default) or ``auto_escalate_after_hours`` after logging, whichever comes first."""
    now = ctx.now()
    cutoff = now - timedelta(hours=ctx.settings.sla.auto_escalate_after_hours)
    return list(ctx.session.scalars(select(Inquiry).where(
        Inquiry.deleted.is_(False), Inquiry.escalated.is_(False),
        Inquiry.status.in_([Status.NEW, Status.IN_PROGRESS, Status.REOPENED]),
        or_(Inquiry.resolution_due_at <= now, Inquiry.logged_at <= cutoff)).order_by(Inquiry.logged_at)))


def run_auto_escalation(ctx: ServiceContext) -> list[Inquiry]:
    """Escalate to Tier 2 every inquiry ``overdue_for_escalation``, as the acting user's desktop: the audit
    entries say "automatic escalation", and so does the action step."""
    due = overdue_for_escalation(ctx)
    if not due:
        return []
    tz = ctx.calendar.tz
    session = ctx.session
    session.flush()  # earlier changes of this unit of work keep their own audit entries
    session.info["audit_summary"] = AUTOMATIC
    try:
        for inquiry in due:
            cutoff = inquiry.logged_at + timedelta(hours=ctx.settings.sla.auto_escalate_after_hours)
            when = min(inquiry.resolution_due_at, cutoff).astimezone(tz).strftime("%d/%m/%Y %H:%M")
            change_status(ctx, inquiry, Status.ESCALATED, tier=EscalationTier.TIER_2, automatic=True,
                          reason=f"Unresolved past its due time of {when} ({inquiry.priority.value} priority; "
                                 f"{AUTOMATIC})")
        session.flush()
    finally:
        session.info.pop("audit_summary", None)
    return due
