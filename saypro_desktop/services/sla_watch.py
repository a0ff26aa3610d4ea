"""SLA states of inquiries and the automatic escalation of standard inquiries unresolved at 48 h."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..core import sla
from ..core.business_calendar import BusinessCalendar
from ..core.office_settings import OfficeSettings
from ..core.vocab import EscalationTier, Priority, Status
from ..core.workflow import DONE_STATUSES
from ..models import Inquiry
from .context import ServiceContext
from .inquiries import change_status


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


def run_auto_escalation(ctx: ServiceContext) -> list[Inquiry]:
    """Escalate (to Tier 2) every standard inquiry still unresolved ``auto_escalate_after_hours`` after logging."""
    policy = ctx.settings.sla
    cutoff = ctx.now() - timedelta(hours=policy.auto_escalate_after_hours)
    due = ctx.session.scalars(select(Inquiry).where(
        Inquiry.deleted.is_(False), Inquiry.priority.in_([Priority.NORMAL, Priority.LOW]),
        Inquiry.status.in_([Status.NEW, Status.IN_PROGRESS, Status.REOPENED]),
        Inquiry.logged_at <= cutoff).order_by(Inquiry.logged_at)).all()
    for inquiry in due:
        change_status(ctx, inquiry, Status.ESCALATED, tier=EscalationTier.TIER_2, automatic=True,
                      reason=f"Unresolved {policy.auto_escalate_after_hours:g} hours after it was logged "
                             "(automatic escalation)")
    return list(due)
