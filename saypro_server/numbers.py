"""Inquiry ID numbers: per-month counters, blocks leased to devices, numbers for provisional inquiries.

``number_counter.next`` is the lowest number of the month that was never leased nor issued. Every
change runs in a feed-locked write transaction, so two devices can never be handed the same block.

Nothing an ordinary account sends can move a counter: a month has 99,999 numbers and one account must not be
able to use them up. A pushed Inquiry ID is kept only when it lies in a block leased to that device or user
(``lease_holding``), and a user holds at most ``MAX_UNUSED_PER_USER`` leased numbers of a month that no pushed
inquiry uses yet; past that a lease is refused and the desktop issues provisional references, which the
server numbers when they arrive. Only roles trusted to bring in work done elsewhere (Supervisor, Admin:
connecting a desktop used on its own, imports) keep IDs issued outside any lease, and the counter moves
past them (``skip_past``).

A database restored from a backup has forgotten the blocks it leased after that backup, and the desktops
still hold them. ``rotate-epoch`` therefore moves every counter up by a gap (``skip_after_restore``), a month
the restored database has not seen yet starts above the gap too (up to the month after the restore), and
each desktop claims the blocks it holds (``claim``) before it issues more. Only numbers inside those gaps
(``number_gap``) can be claimed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from saypro_desktop.core.inquiry_ids import MAX_SEQUENCE, month_key_of

from .store.db import get_meta, set_meta
from .store.schema import number_counter, number_gap, number_lease

MONTH_RE = re.compile(r"^\d{2}(0[1-9]|1[0-2])\Z")
MAX_LEASE = 1000
MAX_GAP = 20_000
DEFAULT_RESTORE_GAP = 1000  # numbers skipped per month after a restore: more than the office leases in a day
FLOOR_KEY = "number_floor"  # server_meta: {"gap": N, "until": "YYMM"} set by skip_after_restore
MAX_UNUSED_PER_USER = 2000  # leased numbers of one month a user may hold that no pushed inquiry uses yet
MAX_GIVEN_PER_USER = 2000  # numbers of one month the server gives one user's provisional or renumbered inquiries


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
    are never leased again (and the desktops' claims settle the rest exactly). The skipped numbers are
    recorded as gaps: the only numbers a desktop may claim."""
    if not 0 <= gap <= MAX_GAP:
        raise ValueError(f"the number gap must be 0 to {MAX_GAP}")
    seen = set()
    for month, value in conn.execute(select(number_counter.c.month, number_counter.c.next)).all():
        seen.add(month)
        top = min(value + gap, MAX_SEQUENCE + 1)
        conn.execute(update(number_counter).where(number_counter.c.month == month).values(next=top))
        if top > value:
            conn.execute(insert(number_gap).values(month=month, first=value, last=top - 1, created_at=now))
    # Desktops lease this month's and next month's numbers ahead; months after those are new to everyone.
    next_month = (now.date().replace(day=28) + timedelta(days=4)).replace(day=1)
    until = month_key_of(next_month)
    set_meta(conn, FLOOR_KEY, json.dumps({"gap": gap, "until": until}))
    if gap:  # a month this database never saw: its first ``gap`` numbers may be held by desktops
        conn.execute(insert(number_gap).values(month=f"*{until}", first=1, last=gap, created_at=now))


def unused_by_user(conn: Connection, month: str, user_id: str) -> int:
    """Numbers of ``month`` leased to ``user_id`` that no pushed inquiry uses yet."""
    lease = number_lease.c
    return conn.execute(select(func.coalesce(func.sum(lease.last - lease.first + 1 - lease.used), 0))
                        .where(lease.month == month, lease.user_id == user_id, lease.device_id.is_not(None))
                        ).scalar_one()


def given_to_user(conn: Connection, month: str, user_id: str) -> int:
    """Numbers of ``month`` the server gave to inquiries of ``user_id`` itself (provisional or renumbered)."""
    lease = number_lease.c
    return conn.execute(select(func.coalesce(func.sum(lease.last - lease.first + 1), 0))
                        .where(lease.month == month, lease.user_id == user_id, lease.device_id.is_(None))
                        ).scalar_one()


def counter(conn: Connection, month: str) -> int:
    """The lowest number of ``month`` never leased nor issued."""
    return _next(conn, month)


def take(conn: Connection, month: str, count: int, *, device_id: str | None, user_id: str | None,
         now: datetime, max_unused: int | None = None, max_given: int | None = None,
         request_id: str | None = None) -> Block:
    """A new block. With ``max_unused`` (a desktop's lease), a user who already holds that many unused
    numbers of the month is refused; with ``max_given`` (a number the server gives an inquiry itself), a user
    whose inquiries got that many: neither leases nor pushed inquiries can exhaust a month."""
    if not MONTH_RE.match(month):
        raise LeaseRefused(f"{month!r} is not a month; send YYMM such as 2501")
    if not 1 <= count <= MAX_LEASE:
        raise LeaseRefused(f"count must be 1 to {MAX_LEASE}")
    if request_id is not None and device_id is not None:  # asked again after a lost answer: the same block
        lease = number_lease.c
        again = conn.execute(select(lease.month, lease.first, lease.last).where(
            lease.device_id == device_id, lease.request_id == request_id).limit(1)).first()
        if again is not None:
            return Block(again.month, again.first, again.last)
    if max_unused is not None and user_id is not None:
        held = unused_by_user(conn, month, user_id)
        if held + count > max_unused:
            raise LeaseRefused(f"you already hold {held} unused inquiry numbers of month {month}; more are leased "
                               "once inquiries use them (until then new inquiries get provisional references)")
    if max_given is not None and user_id is not None and given_to_user(conn, month, user_id) + count > max_given:
        raise LeaseRefused(f"the server has given {max_given} numbers of month {month} to inquiries of this user "
                           "already")
    first = _next(conn, month)
    if first > MAX_SEQUENCE:
        raise LeaseRefused(f"every inquiry number of month {month} has been given out")
    last = min(first + count - 1, MAX_SEQUENCE)
    conn.execute(update(number_counter).where(number_counter.c.month == month).values(next=last + 1))
    conn.execute(insert(number_lease).values(month=month, first=first, last=last, device_id=device_id,
                                             user_id=user_id, created_at=now, request_id=request_id))
    return Block(month, first, last)


def lease_holding(conn: Connection, month: str, number: int, *, device_id: str, user_id: str) -> int | None:
    """The id of the lease of this device or this user that holds ``number`` (None: not theirs to use)."""
    lease = number_lease.c
    return conn.execute(select(lease.id).where(
        lease.month == month, lease.first <= number, lease.last >= number,
        or_(lease.device_id == device_id, lease.user_id == user_id)).limit(1)).scalar_one_or_none()


def lease_of(conn: Connection, month: str, number: int) -> int | None:
    """The id of any lease that holds ``number`` (None: nobody's)."""
    lease = number_lease.c
    return conn.execute(select(lease.id).where(lease.month == month, lease.first <= number, lease.last >= number)
                        .limit(1)).scalar_one_or_none()


def in_restore_gap(conn: Connection, month: str, number: int) -> bool:
    """A number ``rotate-epoch`` skipped that nobody holds now: one the server gave out before it was restored
    (to a desktop's block, or to a provisional inquiry), that a desktop sends back with its inquiry."""
    if lease_of(conn, month, number) is not None:
        return False
    return _in_gap(conn, Block(month, number, number))


def skip_past(conn: Connection, month: str, number: int) -> None:
    """A number issued outside any lease (a standalone desktop's, sent by a role trusted to bring such work):
    never lease it, or anything below it, again."""
    if _next(conn, month) <= number:
        conn.execute(update(number_counter).where(number_counter.c.month == month).values(next=number + 1))


def claim_number(conn: Connection, month: str, number: int, user_id: str, now: datetime) -> None:
    """Record a number from a restore gap as issued (used), so nobody can claim it again."""
    conn.execute(insert(number_lease).values(month=month, first=number, last=number, device_id=None,
                                             user_id=user_id, created_at=now, used=1))


def note_used(conn: Connection, lease_id: int) -> None:
    """A pushed inquiry took a number of this lease (the user's unused numbers shrink)."""
    conn.execute(update(number_lease).where(number_lease.c.id == lease_id).values(used=number_lease.c.used + 1))


def _in_gap(conn: Connection, block: Block) -> bool:
    """Whether the block lies inside numbers ``rotate-epoch`` skipped (the only ones a restore forgot): a gap
    recorded for its month, or, for a month the restored database had not seen, the first numbers that
    every such month skips (rows named ``*YYMM``: months up to YYMM)."""
    gap = number_gap.c
    inside = and_(gap.first <= block.first, gap.last >= block.last)
    if conn.execute(select(gap.id).where(gap.month == block.month).limit(1)).first() is not None:
        return conn.execute(select(gap.id).where(gap.month == block.month, inside).limit(1)).first() is not None
    return conn.execute(select(gap.id).where(gap.month.like("*%"), gap.month >= f"*{block.month}", inside)
                        .limit(1)).first() is not None


@dataclass(frozen=True)
class ClaimResult:
    claimed: list[Block]
    refused: list[tuple[Block, str]]


def claim(conn: Connection, blocks: list[Block], *, device_id: str, user_id: str, now: datetime) -> ClaimResult:
    """A desktop's blocks, reported after a restore: each is the device's again, and never leased elsewhere,
    unless (part of) it was leased to another device since, or it lies outside the numbers the restore
    skipped (nothing else can have been forgotten); such a block is refused with the reason."""
    claimed: list[Block] = []
    refused: list[tuple[Block, str]] = []
    for b in blocks:
        if not MONTH_RE.match(b.month) or not 1 <= b.first <= b.last <= MAX_SEQUENCE:
            raise LeaseRefused(f"{b.month} {b.first}-{b.last} is not a block of inquiry numbers")
        lease = number_lease.c
        if conn.execute(select(lease.id).where(lease.month == b.month, lease.device_id == device_id,
                                               lease.first <= b.first, lease.last >= b.last).limit(1)).first():
            claimed.append(b)  # the restored database still knows it as this device's
            continue
        overlaps = and_(lease.month == b.month, lease.first <= b.last, lease.last >= b.first)
        other = conn.execute(select(lease.first, lease.last).where(
            overlaps, or_(lease.device_id.is_(None), lease.device_id != device_id)).limit(1)).first()
        if other is not None:
            refused.append((b, f"numbers {other.first}-{other.last} of month {b.month} were given to another "
                               "desktop after the server was restored; the unused rest of this block is dropped"))
            continue
        if not _in_gap(conn, b):
            refused.append((b, f"numbers {b.first}-{b.last} of month {b.month} were not skipped by the server's "
                               "restore, so it cannot have forgotten them; the unused rest of this block is dropped"))
            continue
        conn.execute(insert(number_lease).values(month=b.month, first=b.first, last=b.last, device_id=device_id,
                                                 user_id=user_id, created_at=now))
        claimed.append(b)
    return ClaimResult(claimed, refused)
