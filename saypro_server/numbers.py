"""Inquiry ID numbers: per-month counters, blocks leased to devices, numbers for provisional inquiries.

``number_counter.next`` is the lowest number of the month that was never leased nor issued. Every
change runs in a feed-locked write transaction, so two devices can never be handed the same block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from saypro_desktop.core.inquiry_ids import MAX_SEQUENCE

from .store.schema import number_counter, number_lease

MONTH_RE = re.compile(r"^\d{2}(0[1-9]|1[0-2])$")
MAX_LEASE = 1000


class LeaseRefused(ValueError):
    pass


@dataclass(frozen=True)
class Block:
    month: str
    first: int
    last: int


def _next(conn: Connection, month: str) -> int:
    value = conn.execute(select(number_counter.c.next).where(number_counter.c.month == month)).scalar_one_or_none()
    if value is None:
        conn.execute(insert(number_counter).values(month=month, next=1))
        return 1
    return value


def take(conn: Connection, month: str, count: int, *, device_id: str | None, user_id: str | None,
         now: datetime) -> Block:
    if not MONTH_RE.match(month):
        raise LeaseRefused(f"{month!r} is not a month; send YYMM such as 2501")
    if not 1 <= count <= MAX_LEASE:
        raise LeaseRefused(f"count must be 1 to {MAX_LEASE}")
    first = _next(conn, month)
    if first > MAX_SEQUENCE:
        raise LeaseRefused(f"every inquiry number of month {month} has been given out")
    last = min(first + count - 1, MAX_SEQUENCE)
    conn.execute(update(number_counter).where(number_counter.c.month == month).values(next=last + 1))
    conn.execute(insert(number_lease).values(month=month, first=first, last=last, device_id=device_id,
                                             user_id=user_id, created_at=now))
    return Block(month, first, last)


def note_used(conn: Connection, month: str, number: int) -> None:
    """A pushed inquiry already carries this number: never lease it (or anything below it) again."""
    if _next(conn, month) <= number:
        conn.execute(update(number_counter).where(number_counter.c.month == month).values(next=number + 1))
