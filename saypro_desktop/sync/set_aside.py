"""Pulled changes this desktop could not apply, kept instead of stopping the feed.

A change from the server that breaks a rule here (a value this version cannot hold, a row that clashes
with a local one) must never wedge the desktop: it is set aside with its reason, the rest of the feed
applies, the sync status shows it, and it is tried again once the app or its schema changes (an upgrade
that understands it); applied then, it is dropped from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import SetAsideChange
from ..models.base import utcnow


@dataclass(frozen=True)
class SetAsideView:
    table: str
    row_id: str
    reason: str
    first_seen: datetime
    attempts: int

    def __str__(self) -> str:
        return f"{self.table} {self.row_id}: {self.reason}"


def describe(change: dict[str, Any], reason: str) -> str:
    return f"{change.get('table')} {change.get('row_id')}: {reason}"


def keep(session: Session, change: dict[str, Any], reason: str, build: str) -> None:
    """Record a change that could not be applied (once per server sequence number)."""
    now = utcnow()
    seq = change.get("seq") if isinstance(change.get("seq"), int) else 0
    row = session.scalar(select(SetAsideChange).where(SetAsideChange.server_seq == seq)) if seq else None
    if row is None:
        session.add(SetAsideChange(server_seq=seq, table_name=str(change.get("table"))[:64],
                                   row_id=str(change.get("row_id"))[:64], change=change, reason=reason[:2000],
                                   build=build[:40], first_seen=now, last_tried=now, attempts=1))
    else:
        row.reason, row.build, row.last_tried, row.attempts = reason[:2000], build[:40], now, row.attempts + 1


def to_retry(session: Session, build: str) -> list[SetAsideChange]:
    """Set-aside changes last tried by another build of the app, oldest first."""
    return list(session.scalars(select(SetAsideChange).where(SetAsideChange.build != build[:40])
                                .order_by(SetAsideChange.server_seq, SetAsideChange.id)))


def listed(session: Session, limit: int = 200) -> list[SetAsideView]:
    rows = session.scalars(select(SetAsideChange).order_by(SetAsideChange.id).limit(limit))
    return [SetAsideView(r.table_name, r.row_id, r.reason, r.first_seen, r.attempts) for r in rows]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SetAsideChange)) or 0
