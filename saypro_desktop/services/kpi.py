"""The KPI dataset of a month or quarter, computed in SQL over the local store.

Every figure counts inquiries *logged* in the period (the month of their Inquiry ID), except those
Cancelled (spam, duplicates, tests), which are counted apart by reason. Times are measured from the moment
logged: first response to ``acknowledged_at`` in business time (the office calendar, as the 1-business-hour
target), resolution to ``resolved_at`` in calendar hours (the 24 h and 48 h targets). Percentages and averages
are kept unrounded: only the display rounds (``core.kpi.shown``). docs/USER_GUIDE.md has the table of each
figure's denominator and time basis.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.business_calendar import BusinessCalendar
from ..core.kpi import KpiDataset, pct
from ..core.periods import Period
from ..core.vocab import CancelReason, Category, ClassifiedCategory, EscalationTier, Mode, Priority, Status, UserType
from ..models.base import UtcDateTime, db_time

# "+deleted" keeps the planner off the (deleted, logged_at) index, which matches nearly every row;
# the month's rows are found through ix_inquiry_logged_date instead.
_PERIOD = "+deleted = 0 AND logged_date BETWEEN :first AND :last"
_SCOPE = f"{_PERIOD} AND status <> 'Cancelled'"  # cancelled inquiries are left out of every KPI
_DONE = "status IN ('Resolved', 'Closed')"
_HOURS = "(julianday(resolved_at) - julianday(logged_at)) * 24.0"

_TOTALS = f"""
SELECT
  count(*) AS logged,
  sum(status IN ('New', 'In Progress', 'Escalated', 'Reopened')) AS open,
  sum({_DONE}) AS resolved,
  sum(acknowledged_at IS NOT NULL AND acknowledged_at <= ack_due_at) AS ack_on_time,
  sum(acknowledged_at IS NOT NULL OR ack_due_at <= :as_of) AS ack_measured,
  sum({_DONE} AND {_HOURS} <= 24.0) AS within_24h,
  sum({_DONE} AND {_HOURS} <= 48.0) AS within_48h,
  sum(priority IN ('Critical', 'High')) AS high,
  sum(priority IN ('Critical', 'High') AND {_DONE} AND {_HOURS} <= 24.0) AS high_within_24h,
  sum({_DONE} AND resolved_at <= resolution_due_at) AS due_met,
  sum({_DONE} OR resolution_due_at <= :as_of) AS due_measured,
  sum({_DONE} AND resolved_date = logged_date) AS same_day,
  sum({_DONE} AND resolved_on_first_contact) AS first_contact,
  sum(escalated) AS escalated,
  sum(auto_escalated) AS auto_escalated,
  sum(reopen_count > 0) AS reopened,
  sum({_DONE} OR reopen_count > 0) AS ever_resolved,
  sum({_DONE} AND reopen_count = 0) AS done_first_time,
  avg(feedback_rating) AS csat,
  count(feedback_rating) AS csat_n
FROM inquiry WHERE {_SCOPE}
"""

_RESPONSES = f"SELECT logged_at, acknowledged_at FROM inquiry WHERE {_SCOPE} AND acknowledged_at IS NOT NULL"
_CANCELLED = f"SELECT cancel_reason, count(*) FROM inquiry WHERE {_PERIOD} AND status = 'Cancelled' " \
             "GROUP BY cancel_reason"


def _grouped(session: Session, column: str, params: dict[str, Any], vocab: Any, extra: str = "") -> dict[str, int]:
    rows = session.execute(text(f"SELECT {column}, count(*) FROM inquiry WHERE {_SCOPE} {extra} GROUP BY {column}"),
                           params).all()
    counts = {k: n for k, n in rows if k is not None}
    out = {v.value: counts.pop(v.value, 0) for v in vocab}  # template order, zeros included
    out.update(sorted(counts.items()))  # values of a newer vocabulary, if any
    return out


def _top(session: Session, group: str, params: dict[str, Any], shown: str | None = None,
         limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent values of ``group``, shown as ``shown`` (one spelling of the group)."""
    rows = session.execute(text(
        f"SELECT {shown or group} AS k, count(*) AS n FROM inquiry WHERE {_SCOPE} GROUP BY {group} "
        f"ORDER BY n DESC, k LIMIT {limit}"), params).all()
    return [(k, n) for k, n in rows]


def _first_responses(session: Session, params: dict[str, Any], calendar: BusinessCalendar) -> list[float]:
    """Business minutes from logged to the first response of each acknowledged inquiry, in ascending order."""
    query = text(_RESPONSES).columns(logged_at=UtcDateTime(), acknowledged_at=UtcDateTime())
    rows = session.execute(query, params).all()
    return sorted(60.0 * calendar.business_hours_between(logged, ack) for logged, ack in rows)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def _cancelled(session: Session, params: dict[str, Any]) -> dict[str, int]:
    counts = {k or "": n for k, n in session.execute(text(_CANCELLED), params).all()}
    out = {r.value: counts.pop(r.value, 0) for r in CancelReason}
    out.update(sorted(counts.items()))  # a reason of a newer vocabulary, or none recorded
    return out


def kpi_dataset(session: Session, period: Period, as_of: datetime, calendar: BusinessCalendar) -> KpiDataset:
    """The figures of ``period`` as of ``as_of``; ``calendar`` (the office's) measures first responses."""
    params = {"first": period.first.isoformat(), "last": period.last.isoformat(), "as_of": db_time(as_of)}
    t = session.execute(text(_TOTALS), params).mappings().one()
    n = {k: (v or 0) for k, v in t.items() if k != "csat"}
    responses = _first_responses(session, params, calendar)
    cancelled = _cancelled(session, params)
    by_status = _grouped(session, "status", params, Status)
    by_status.pop(Status.CANCELLED.value, None)  # counted apart, as the KPIs leave them out
    tiers = _grouped(session, "escalation_tier", params, EscalationTier, "AND escalated = 1")
    return KpiDataset(
        period=period.label, first_day=period.first.isoformat(), last_day=period.last.isoformat(),
        as_of=as_of.astimezone(UTC).isoformat(timespec="seconds"),
        logged=n["logged"], open=n["open"], resolved=n["resolved"],
        cancelled=sum(cancelled.values()), cancelled_by_reason=cancelled,
        by_status=by_status,
        ack_within_target_pct=pct(n["ack_on_time"], n["ack_measured"]), ack_measured=n["ack_measured"],
        avg_first_response_business_minutes=sum(responses) / len(responses) if responses else None,
        median_first_response_business_minutes=_median(responses),
        resolved_within_24h_pct=pct(n["within_24h"], n["logged"]),
        resolved_within_48h_pct=pct(n["within_48h"], n["logged"]),
        high_priority_within_24h_pct=pct(n["high_within_24h"], n["high"]),
        resolution_target_met_pct=pct(n["due_met"], n["due_measured"]),
        same_day_pct=pct(n["same_day"], n["logged"]),
        first_contact_resolution_pct=pct(n["first_contact"], n["resolved"]),
        escalated=n["escalated"], escalations_by_tier=tiers, auto_escalated=n["auto_escalated"],
        reopened=n["reopened"], reopen_rate_pct=pct(n["reopened"], n["ever_resolved"]),
        closed_without_reopen_pct=pct(n["done_first_time"], n["ever_resolved"]),
        csat_average=t["csat"], csat_responses=n["csat_n"],
        by_channel=_grouped(session, "mode", params, Mode),
        by_category=_grouped(session, "category", params, Category),
        by_user_type=_grouped(session, "user_type", params, UserType),
        by_classified_category=_grouped(session, "classified_category", params, ClassifiedCategory),
        by_priority=_grouped(session, "priority", params, Priority),
        top_subjects=_top(session, "lower(trim(subject))", params, "min(trim(subject))"),
        top_categories=_top(session, "CASE WHEN category = 'Other' THEN 'Other: ' || coalesce(category_other, '') "
                                     "ELSE category END", params),
    )
