"""The inquiries list: filtering and sorting in SQL, row ids first, rows fetched by page.

The UI's table model holds the ordered rowids of the whole result (cheap even at 100,000) and asks
for rows only when they scroll into view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.periods import Period
from ..core.personal_details import sees_personal_details
from ..models.base import db_time
from .context import ServiceContext
from .search import fts_query
from .withholding import shown

_OPEN = "i.status IN ('New', 'In Progress', 'Escalated', 'Reopened')"
_BREACHED = (f"({_OPEN} AND (i.resolution_due_at < :now OR "
             "(i.acknowledged_at IS NULL AND i.ack_due_at < :now)))")
_AT_RISK = (f"({_OPEN} AND NOT {_BREACHED} AND (julianday(i.resolution_due_at) - julianday(:now)) < "
            ":risk * (julianday(i.resolution_due_at) - julianday(i.logged_at)))")


class SavedView(StrEnum):
    ALL = "All inquiries"
    MY_OPEN = "My open"
    UNASSIGNED = "Unassigned"
    AT_RISK = "At risk"
    BREACHED = "Breached"
    ESCALATED = "Escalated"
    AWAITING_CONFIRMATION = "Resolved awaiting confirmation"


class SlaFilter(StrEnum):
    AT_RISK = "At risk"
    BREACHED = "Breached"


_VIEW_SQL = {
    SavedView.ALL: "1",
    SavedView.MY_OPEN: f"({_OPEN} AND i.assigned_to_id = :me)",
    SavedView.UNASSIGNED: f"({_OPEN} AND i.assigned_to_id IS NULL)",
    SavedView.AT_RISK: _AT_RISK,
    SavedView.BREACHED: _BREACHED,
    SavedView.ESCALATED: "i.status = 'Escalated'",
    SavedView.AWAITING_CONFIRMATION: "(i.status = 'Resolved' AND coalesce(i.user_confirmation, '') <> 'Yes')",
}

# column key -> SQL expression it sorts by
SORTS = {
    "ref": "coalesce(i.inquiry_ref, i.provisional_ref)", "logged_at": "i.logged_at", "status": "i.status",
    "priority": "CASE i.priority WHEN 'Critical' THEN 0 WHEN 'High' THEN 1 WHEN 'Normal' THEN 2 ELSE 3 END",
    "category": "i.category", "subject": "i.subject COLLATE NOCASE", "user": "i.user_full_name COLLATE NOCASE",
    "mode": "i.mode", "assignee": "coalesce(a.display_name, '')", "resolution_due_at": "i.resolution_due_at",
}
# Sorts by the inquirer's personal details: only for roles that may see them.
PERSONAL_SORTS = frozenset({"user"})


@dataclass
class TableQuery:
    view: SavedView = SavedView.ALL
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    mode: str | None = None
    assignee_id: str | None = None
    sla: SlaFilter | None = None
    month: Period | None = None
    text: str = ""
    sort: str = "logged_at"
    descending: bool = True
    me: str | None = None  # the signed-in staff user, for "My open"
    tz: tzinfo = UTC  # office time zone of month boundaries
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InquiryRow:
    rowid: int
    id: str
    ref: str
    logged_at: datetime
    status: str
    priority: str
    category: str
    subject: str
    user_name: str
    mode: str
    assignee: str
    ack_due_at: datetime
    acknowledged_at: datetime | None
    resolution_due_at: datetime
    resolved_at: datetime | None
    escalation_tier: str | None


def _where(q: TableQuery, now: datetime, risk: float, personal: bool) -> tuple[str, dict[str, Any]]:
    clauses = ["i.deleted = 0", _VIEW_SQL[q.view]]
    params: dict[str, Any] = {"now": db_time(now), "risk": risk, "me": q.me or ""}
    for column, value in (("status", q.status), ("priority", q.priority), ("category", q.category),
                          ("mode", q.mode), ("assigned_to_id", q.assignee_id)):
        if value:
            clauses.append(f"i.{column} = :{column}")
            params[column] = value
    if q.sla == SlaFilter.BREACHED:
        clauses.append(_BREACHED)
    elif q.sla == SlaFilter.AT_RISK:
        clauses.append(_AT_RISK)
    if q.month is not None:
        start, end = q.month.instants(q.tz)
        clauses.append("i.logged_at >= :start AND i.logged_at < :end")
        params.update(start=db_time(start), end=db_time(end))
    match = fts_query(q.text, personal=personal) if q.text.strip() else None
    if match:
        clauses.append("i.rowid IN (SELECT rowid FROM inquiry_fts WHERE inquiry_fts MATCH :match)")
        params["match"] = match
    return " AND ".join(clauses), params


def row_ids(ctx: ServiceContext, q: TableQuery, now: datetime, risk: float = 0.25) -> list[int]:
    """The ordered rowids of the list. A role that may not see the inquirer's details neither searches nor
    sorts by them (the order of names would tell them): it gets the list by the time logged instead."""
    personal = sees_personal_details(ctx.actor.role)
    where, params = _where(q, now, risk, personal)
    sort = q.sort if personal or q.sort not in PERSONAL_SORTS else "logged_at"
    order = SORTS.get(sort, SORTS["logged_at"])
    direction = "DESC" if q.descending else "ASC"
    join = "LEFT JOIN staff_user a ON a.id = i.assigned_to_id" if sort == "assignee" else ""
    sql = f"SELECT i.rowid FROM inquiry i {join} WHERE {where} ORDER BY {order} {direction}, i.rowid {direction}"
    # Straight through the driver: 100,000 one-column rows cost half as much without result processing.
    cursor = ctx.session.connection().connection.dbapi_connection.execute(sql, params)
    return [r[0] for r in cursor.fetchall()]


_ROW_SQL = """
SELECT i.rowid, i.id, coalesce(i.inquiry_ref, i.provisional_ref), i.logged_at, i.status, i.priority, i.category,
       i.subject, i.user_full_name, i.mode, coalesce(a.display_name, ''), i.ack_due_at, i.acknowledged_at,
       i.resolution_due_at, i.resolved_at, i.escalation_tier
FROM inquiry i LEFT JOIN staff_user a ON a.id = i.assigned_to_id
WHERE i.rowid IN ({marks})
"""


def _aware(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def fetch_rows(ctx: ServiceContext, rowids: list[int]) -> dict[int, InquiryRow]:
    """The rows of one page, the inquirer's name withheld from a role that may not see it."""
    if not rowids:
        return {}
    role = ctx.actor.role
    marks = ",".join(str(int(r)) for r in rowids)  # ints only: safe to inline, and one statement per page
    out = {}
    for r in ctx.session.execute(text(_ROW_SQL.format(marks=marks))):
        out[r[0]] = InquiryRow(r[0], r[1], r[2], _aware(r[3]), r[4], r[5], r[6], r[7], shown(role, r[8]), r[9],
                               r[10], _aware(r[11]), _aware(r[12]), _aware(r[13]), _aware(r[14]), r[15])
    return out


def rowid_of(session: Session, inquiry_id: str) -> int | None:
    return session.execute(text("SELECT rowid FROM inquiry WHERE id = :id"), {"id": inquiry_id}).scalar()
