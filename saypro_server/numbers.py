"""Inquiry ID numbers: per-month counters, blocks leased to devices, numbers for provisional inquiries.

``number_counter.next`` is the lowest number of the month that was never leased nor issued. Every
change runs in a feed-locked write transaction, so two devices can never be handed the same block.

A database restored from a backup has forgotten the blocks it leased after that backup, and the desktops
still hold them. ``rotate-epoch`` therefore moves every counter up by a gap (``skip_after_restore``), a month
the restored database has not seen yet starts above the gap too (up to the month after the restore), and
each desktop claims the blocks it holds (``claim``) before it issues more.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, insert, or_, select, update

from saypro_desktop.core.inquiry_ids import MAX_SEQUENCE, month_key_of

from .store.db import get_meta, set_meta
from .store.schema import number_counter, number_lease

MONTH_RE = re.compile(r"^\d{2}(0[1-9]|1[0-2])$")
MAX_LEASE = 1000
MAX_GAP = 20_000
DEFAULT_RESTORE_GAP = 1000  # numbers skipped per month after a restore: more than the office leases in a day
FLOOR_KEY = "number_floor"  # server_meta: {"gap": N, "until": "YYMM"} set by skip_after_restore


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
        value = 1
        floor = get_meta(conn, FLOOR_KEY)
        if floor:
            floor_ = json.loads(floor)
            if month <= floor_["until"]:  # YYMM strings order as months do
                value = floor_["gap"] + 1
        conn.execute(insert(number_counter).values(month=month, next=value))
    return value


def skip_after_restore(conn: Connection, gap: int, now: datetime) -> None:
    """Move every month's counter up by ``gap``: the numbers leased between the backup and the restore
    are never leased again (and the desktops' claims settle the rest exactly)."""
    if not 0 <= gap <= MAX_GAP:
        raise ValueError(f"the number gap must be 0 to {MAX_GAP}")
    for month, value in conn.execute(select(number_counter.c.month, number_counter.c.next)).all():
        conn.execute(update(number_counter).where(number_counter.c.month == month)
                     .values(next=min(value + gap, MAX_SEQUENCE + 1)))
    # Desktops lease this month's and next month's numbers ahead; months after those are new to everyone.
    next_month = (now.date().replace(day=28) + timedelta(days=4)).replace(day=1)
    set_meta(conn, FLOOR_KEY, json.dumps({"gap": gap, "until": month_key_of(next_month)}))


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


@dataclass(frozen=True)
class ClaimResult:
    claimed: list[Block]
    refused: list[tuple[Block, str]]


def claim(conn: Connection, blocks: list[Block], *, device_id: str, user_id: str, now: datetime) -> ClaimResult:
    """A desktop's blocks, reported after a restore: each is the device's again, and never leased elsewhere,
    unless (part of) it was leased to another device since; that block is refused with the reason."""
    claimed: list[Block] = []
    refused: list[tuple[Block, str]] = []
    for b in blocks:
        if not MONTH_RE.match(b.month) or not 1 <= b.first <= b.last <= MAX_SEQUENCE:
            raise LeaseRefused(f"{b.month} {b.first}-{b.last} is not a block of inquiry numbers")
        lease = number_lease.c
        overlaps = and_(lease.month == b.month, lease.first <= b.last, lease.last >= b.first)
        other = conn.execute(select(lease.first, lease.last).where(
            overlaps, or_(lease.device_id.is_(None), lease.device_id != device_id)).limit(1)).first()
        if other is not None:
            refused.append((b, f"numbers {other.first}-{other.last} of month {b.month} were given to another "
                               "desktop after the server was restored; the unused rest of this block is dropped"))
            continue
        if conn.execute(select(lease.id).where(overlaps, lease.device_id == device_id,
                                               lease.first == b.first, lease.last == b.last)).first() is None:
            conn.execute(insert(number_lease).values(month=b.month, first=b.first, last=b.last, device_id=device_id,
                                                     user_id=user_id, created_at=now))
        note_used(conn, b.month, b.last)
        claimed.append(b)
    return ClaimResult(claimed, refused)
