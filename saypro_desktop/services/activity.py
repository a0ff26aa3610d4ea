"""The work of a day or a week in SQL over the local store (``core.activity`` says what each figure counts).

A period's moments are the office's: ``Period.instants`` gives the UTC start and end of its calendar days in
the office time zone. The end of the backlog is the period's end, or ``as_of`` when that comes first (a report
of today, printed at noon, shows the backlog at noon), and a due time counts only once it has passed.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.activity import AgentActivity, PeriodActivity
from ..core.periods import Period
from ..models.base import db_time

UNASSIGNED = "Unassigned"
_DONE = "status IN ('Resolved', 'Closed')"


def _open_at(moment: str) -> str:
    """Logged before ``moment`` and not resolved before it (as far as the stored times tell)."""
    return f"(logged_at < {moment} AND NOT ({_DONE} AND coalesce(resolved_at < {moment}, 0)))"


def _within(column: str) -> str:
    return f"({column} >= :start AND {column} < :end)"


_DUE = f"({_within('resolution_due_at')} AND resolution_due_at <= :as_of)"
_MEASURES = {
    "logged": "logged_date BETWEEN :first AND :last",
    "acknowledged": _within("acknowledged_at"),
    "acknowledged_on_time": f"{_within('acknowledged_at')} AND acknowledged_at <= ack_due_at",
    "resolved": f"{_DONE} AND {_within('resolved_at')}",
    "resolved_by_due": f"{_DONE} AND {_within('resolved_at')} AND resolved_at <= resolution_due_at",
    "escalated": f"escalated AND {_within('escalated_at')}",
    "open_at_start": _open_at(":start"),
    "open_at_end": _open_at(":cut"),
    "overdue_at_end": f"{_open_at(':cut')} AND resolution_due_at <= :cut",
    "due": _DUE,
    "breached": f"{_DUE} AND NOT ({_DONE} AND coalesce(resolved_at <= resolution_due_at, 0))",
}
_AGENTS = (
    "SELECT coalesce(nullif(s.display_name, ''), s.username) AS agent, "
    + ", ".join(f"coalesce(sum({sql}), 0) AS {name}" for name, sql in _MEASURES.items())
    + " FROM inquiry i LEFT JOIN staff_user s ON s.id = i.assigned_to_id"
    " WHERE +i.deleted = 0 AND i.status <> 'Cancelled' AND i.logged_at < :end"
    " GROUP BY i.assigned_to_id"
)
_CANCELLED = ("SELECT count(*) FROM inquiry WHERE +deleted = 0 AND status = 'Cancelled' "
              "AND logged_date BETWEEN :first AND :last")


def period_activity(session: Session, period: Period, as_of: datetime, tz: tzinfo) -> PeriodActivity:
    """The work of ``period`` (in the office time zone ``tz``) as of ``as_of``, in total and by agent."""
    start, end = period.instants(tz)
    cut = min(end, as_of.astimezone(UTC))
    params = {"first": period.first.isoformat(), "last": period.last.isoformat(), "start": db_time(start),
              "end": db_time(end), "cut": db_time(cut), "as_of": db_time(as_of)}
    names = list(_MEASURES)
    agents = []
    for row in session.execute(text(_AGENTS), params).mappings():
        figures = {k: int(row[k]) for k in names}
        if any(figures.values()):
            agents.append(AgentActivity(row["agent"] or UNASSIGNED, **figures))
    agents.sort(key=lambda a: (a.agent == UNASSIGNED, a.agent.casefold()))
    totals = {k: sum(getattr(a, k) for a in agents) for k in names}
    return PeriodActivity(
        period=period.label, first_day=period.first.isoformat(), last_day=period.last.isoformat(),
        as_of=as_of.astimezone(UTC).isoformat(timespec="seconds"), period_over=end <= as_of,
        cancelled=session.scalar(text(_CANCELLED), params) or 0, agents=agents, **totals)
