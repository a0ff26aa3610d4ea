"""The KPI dataset of a month or quarter, computed in SQL over the local store.

Every figure counts inquiries *logged* in the period (the month of their Inquiry ID). Times are
measured from the moment logged: first response to ``acknowledged_at``, resolution to ``resolved_at``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.kpi import KpiDataset, pct
from ..core.periods import Period
from ..core.vocab import Category, ClassifiedCategory, EscalationTier, Mode, Priority, Status, UserType
from ..models.base import db_time

# "+deleted" keeps the planner off the (deleted, logged_at) index, which matches nearly every row;
# the month's rows are found through ix_inquiry_logged_date instead.
_SCOPE = "+deleted = 0 AND logged_date BETWEEN :first AND :last"
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
  count(feedback_rating) AS csat_n,
  avg(CASE WHEN acknowledged_at IS NOT NULL
      THEN (julianday(acknowledged_at) - julianday(logged_at)) * 1440.0 END) AS avg_response
FROM inquiry WHERE {_SCOPE}
"""

_MEDIAN_RESPONSE = f"""
WITH r AS (SELECT (julianday(acknowledged_at) - julianday(logged_at)) * 1440.0 AS m
           FROM inquiry WHERE {_SCOPE} AND acknowledged_at IS NOT NULL)
SELECT avg(m) FROM (SELECT m FROM r ORDER BY m
                    LIMIT 2 - (SELECT count(*) FROM r) % 2 OFFSET ((SELECT count(*) FROM r) - 1) / 2)
"""


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


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def kpi_dataset(session: Session, period: Period, as_of: datetime) -> KpiDataset:
    params = {"first": period.first.isoformat(), "last": period.last.isoformat(), "as_of": db_time(as_of)}
    t = session.execute(text(_TOTALS), params).mappings().one()
    n = {k: (v or 0) for k, v in t.items() if k not in ("csat", "avg_response")}
    median = session.execute(text(_MEDIAN_RESPONSE), params).scalar()
    tiers = _grouped(session, "escalation_tier", params, EscalationTier, "AND escalated = 1")
    return KpiDataset(
        period=period.label, first_day=period.first.isoformat(), last_day=period.last.isoformat(),
        as_of=as_of.astimezone(UTC).isoformat(timespec="seconds"),
        logged=n["logged"], open=n["open"], resolved=n["resolved"],
        by_status=_grouped(session, "status", params, Status),
        ack_within_target_pct=pct(n["ack_on_time"], n["ack_measured"]), ack_measured=n["ack_measured"],
        avg_first_response_minutes=_round(t["avg_response"]), median_first_response_minutes=_round(median),
        resolved_within_24h_pct=pct(n["within_24h"], n["logged"]),
        resolved_within_48h_pct=pct(n["within_48h"], n["logged"]),
        high_priority_within_24h_pct=pct(n["high_within_24h"], n["high"]),
        resolution_target_met_pct=pct(n["due_met"], n["due_measured"]),
        same_day_pct=pct(n["same_day"], n["logged"]),
        first_contact_resolution_pct=pct(n["first_contact"], n["resolved"]),
        escalated=n["escalated"], escalations_by_tier=tiers, auto_escalated=n["auto_escalated"],
        reopened=n["reopened"], reopen_rate_pct=pct(n["reopened"], n["ever_resolved"]),
        closed_without_reopen_pct=pct(n["done_first_time"], n["ever_resolved"]),
        csat_average=_round(t["csat"], 2), csat_responses=n["csat_n"],
        by_channel=_grouped(session, "mode", params, Mode),
        by_category=_grouped(session, "category", params, Category),
        by_user_type=_grouped(session, "user_type", params, UserType),
        by_classified_category=_grouped(session, "classified_category", params, ClassifiedCategory),
        by_priority=_grouped(session, "priority", params, Priority),
        top_subjects=_top(session, "lower(trim(subject))", params, "min(trim(subject))"),
        top_categories=_top(session, "CASE WHEN category = 'Other' THEN 'Other: ' || coalesce(category_other, '') "
                                     "ELSE category END", params),
    )
