"""Service-level targets of an inquiry: acknowledgement and resolution due times, clock states.

Acknowledgement is always measured in business hours on a :class:`BusinessCalendar`; resolution
in elapsed clock hours by default, or in business hours when the policy says so. All datetimes
passed in must be timezone-aware; all datetimes returned are aware and in UTC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from saypro_desktop.core.business_calendar import BusinessCalendar
from saypro_desktop.core.vocab import Priority


class SlaState(StrEnum):
    """State of one SLA clock (acknowledgement or resolution)."""

    ON_TRACK = "On track"
    AT_RISK = "At risk"
    BREACHED = "Breached"
    MET = "Met"
    MISSED = "Missed"


@dataclass(frozen=True)
class SlaPolicy:
    """The office's SLA targets.

    High and Critical inquiries take ``resolution_hours_high``, Normal and Low
    ``resolution_hours_standard``. A clock is at risk once less than ``at_risk_fraction`` of its
    window remains. Standard inquiries still unresolved ``auto_escalate_after_hours`` elapsed hours
    after receipt escalate automatically.
    """

    ack_business_hours: float = 1.0
    resolution_hours_high: float = 24.0
    resolution_hours_standard: float = 48.0
    resolution_in_business_hours: bool = False
    at_risk_fraction: float = 0.25
    auto_escalate_after_hours: float = 48.0

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "resolution_in_business_hours":
                if not isinstance(value, bool):
                    raise ValueError(f"resolution_in_business_hours must be True or False, got {value!r}")
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{field.name} must be a finite number, got {value!r}")
            if field.name == "at_risk_fraction":
                if not 0 < value < 1:
                    raise ValueError(f"at_risk_fraction must be between 0 and 1 (exclusive), got {value!r}")
            elif value <= 0:
                raise ValueError(f"{field.name} must be a positive number of hours, got {value!r}")


def _utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive datetime {moment.isoformat()}")
    return moment.astimezone(UTC)


def ack_due(calendar: BusinessCalendar, policy: SlaPolicy, received_at: datetime) -> datetime:
    """When the inquiry must be acknowledged: ``ack_business_hours`` of business time after receipt."""
    return calendar.add_business_hours(_utc(received_at, "received_at"), policy.ack_business_hours)


def resolution_due(
    calendar: BusinessCalendar, policy: SlaPolicy, received_at: datetime, priority: Priority
) -> datetime:
    """When the inquiry must be resolved, by priority, in clock or business hours per the policy."""
    received = _utc(received_at, "received_at")
    hours = policy.resolution_hours_high if Priority(priority).is_high else policy.resolution_hours_standard
    if policy.resolution_in_business_hours:
        return calendar.add_business_hours(received, hours)
    return received + timedelta(hours=hours)


def clock_state(
    started_at: datetime, due_at: datetime, done_at: datetime | None, now: datetime, at_risk_fraction: float
) -> SlaState:
    """State of a clock that runs from ``started_at`` to ``due_at``.

    Done: MET if ``done_at <= due_at``, else MISSED. Open: BREACHED once ``now > due_at``; AT_RISK
    while less than ``at_risk_fraction`` of the window (``due_at - started_at``) remains; else ON_TRACK.
    """
    start, due, current = _utc(started_at, "started_at"), _utc(due_at, "due_at"), _utc(now, "now")
    if due < start:
        raise ValueError(f"due_at {due.isoformat()} is before started_at {start.isoformat()}")
    if isinstance(at_risk_fraction, bool) or not 0 <= at_risk_fraction <= 1:
        raise ValueError(f"at_risk_fraction must be between 0 and 1, got {at_risk_fraction!r}")
    if done_at is not None:
        return SlaState.MET if _utc(done_at, "done_at") <= due else SlaState.MISSED
    if current > due:
        return SlaState.BREACHED
    if due - current < (due - start) * at_risk_fraction:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


def business_clock_state(
    calendar: BusinessCalendar, started_at: datetime, due_at: datetime, done_at: datetime | None, now: datetime,
    at_risk_fraction: float,
) -> SlaState:
    """Like ``clock_state`` but the window and what remains are measured in business hours, so a
    clock that only runs in office hours is not "at risk" over a weekend it cannot move in."""
    if done_at is not None or _utc(now, "now") > _utc(due_at, "due_at"):
        return clock_state(started_at, due_at, done_at, now, at_risk_fraction)
    window = calendar.business_hours_between(started_at, due_at)
    left = calendar.business_hours_between(max(now, started_at), due_at)
    return SlaState.AT_RISK if left < window * at_risk_fraction else SlaState.ON_TRACK


def auto_escalation_due(policy: SlaPolicy, received_at: datetime, priority: Priority) -> datetime | None:
    """When an unresolved standard inquiry escalates automatically; ``None`` for High and Critical."""
    received = _utc(received_at, "received_at")
    if Priority(priority).is_high:
        return None
    return received + timedelta(hours=policy.auto_escalate_after_hours)


def remaining(due_at: datetime, now: datetime) -> timedelta:
    """Time left until ``due_at``; negative once overdue."""
    return _utc(due_at, "due_at") - _utc(now, "now")
