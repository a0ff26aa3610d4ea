"""Sign-in lock-out: five failed sign-ins for one user name within the window lock it for the window.

The attempt is reserved *before* its password is checked, in one short transaction serialised per user
name (on PostgreSQL an advisory lock keyed by the folded name; on SQLite the writer transaction is
``BEGIN IMMEDIATE``): it counts the recent failures plus the attempts still being checked, and refuses
at the limit. Checking first and counting afterwards would let 30 concurrent guesses all through, since
each would count the failures before any of the others had finished its (slow) scrypt.

An attempt is an ``auth_event`` row ``login_attempt``; once the password is checked the row becomes
``login_failed``, ``login_ok`` or the refusal (``login_refused``, ``device_key_mismatch``), under the same
per-name lock: otherwise, on PostgreSQL, a reservation's two counting queries (each with its own snapshot)
could both miss an attempt turning into a failure between them. A row still ``login_attempt`` after
``INFLIGHT_S`` belongs to a request that died and no longer counts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select, text, true, update

from .accounts import audit
from .config import ServerSettings
from .store.db import Database
from .store.schema import auth_event

INFLIGHT_S = 60
BUSY_RETRY_S = 5
# pg_advisory_xact_lock(int, int): the two-key form is a key space of its own, apart from the one-key
# feed and migration locks of store.db; the first key says "sign-in lock-out", the second is the name's.
_PG_LOCK_SPACE = 0x5350


class Locked(Exception):
    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail, self.retry_after = detail, retry_after


def lock_name(username: str) -> str:
    """The lock-out key: the user name folded to lower case (as ``auth_event.username`` holds it)."""
    return username.casefold()[:64]


def serialise(conn: Connection, db: Database, username: str) -> None:
    """Hold the user name's lock-out lock until the transaction ends (SQLite: its writer lock already does)."""
    name = lock_name(username)
    if db.is_postgres:
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), CAST(:key AS integer))"),
                     {"space": _PG_LOCK_SPACE, "key": key})


def _wait(conn: Connection, name: str, now: datetime, settings: ServerSettings) -> tuple[int, bool] | None:
    """(seconds to wait, whether the name is locked rather than busy), or None when an attempt may start."""
    mine = auth_event.c.username == name
    last_ok = conn.execute(select(func.max(auth_event.c.id)).where(mine, auth_event.c.event == "login_ok")).scalar()
    since = auth_event.c.id > last_ok if last_ok is not None else true()
    failures = conn.execute(select(auth_event.c.at).where(mine, since, auth_event.c.event == "login_failed")
                            .order_by(auth_event.c.id.desc()).limit(settings.lock_failures)).scalars().all()
    window = timedelta(seconds=settings.lock_window_s)
    # Locked: the last `lock_failures` failures fell within one window; the lock lasts a window from the last.
    if len(failures) >= settings.lock_failures and failures[0] - failures[-1] <= window:
        remaining = (failures[0] + window - now).total_seconds()
        if remaining > 0:
            return int(remaining) + 1, True
    # Busy: failures in the window plus attempts being checked would reach the limit if all failed.
    recent = sum(1 for at in failures if at > now - window)
    checking = conn.execute(select(func.count()).select_from(auth_event).where(
        mine, since, auth_event.c.event == "login_attempt",
        auth_event.c.at > now - timedelta(seconds=INFLIGHT_S))).scalar_one()
    if recent + checking >= settings.lock_failures:
        return BUSY_RETRY_S, False
    return None


def reserve(db: Database, settings: ServerSettings, username: str, device_id: str, ip: str | None,
            now: datetime) -> int:
    """The id of a new ``login_attempt`` row; ``Locked`` (audited as ``login_locked``) at the limit."""
    name = lock_name(username)
    with db.write(feed_lock=False) as conn:
        serialise(conn, db, username)
        wait = _wait(conn, name, now, settings)
        if wait is None:
            return conn.execute(insert(auth_event).values(at=now, username=name, device_id=device_id,
                                                          event="login_attempt", ip=ip)).inserted_primary_key[0]
        seconds, locked = wait
        detail = (f"too many failed sign-ins for {username!r}; try again in {seconds // 60 + 1} minutes" if locked
                  else f"too many sign-ins for {username!r} at once; try again in a few seconds")
        audit(conn, now, "login_locked", username, device_id=device_id, ip=ip, detail=detail)
    raise Locked(detail, seconds)


def resolve(conn: Connection, attempt_id: int, event: str, now: datetime, *, user_id: str | None,
            detail: str | None = None) -> None:
    """Turn the reserved attempt into its outcome (``login_ok``, ``login_failed``, a refusal); the
    transaction must hold ``serialise`` for the attempt's user name."""
    conn.execute(update(auth_event).where(auth_event.c.id == attempt_id)
                 .values(event=event, at=now, user_id=user_id, detail=detail))
