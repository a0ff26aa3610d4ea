"""The site's feed: what the classified site learns of the office's moderation, as events in order.

Events: a decision that now stands on an ad (``decision``), a standing decision undone by its moderator
(``decision_withdrawn``), a sanction of an advertiser or a change of its terms (``sanction``), its lifting
(``sanction_lifted``) and a renewal reminder for an approved ad about to expire (``renewal_reminder``, once
per ad). Each event has a cursor (``site_event.seq``) that only grows and is kept in the database, so a site
that reads "after N" after a restart of either side misses nothing and sees nothing twice.

Events are appended only inside a feed-locked write transaction (``Database.write()``), like the change
feed: writers commit in the order of their cursors, so a reader never sees 12 before 11 is visible.
Reminders are made when the site reads (and nobody else needs them): the approved ads expiring within the
server's ``reminder_days`` that have had none yet, checked again under the lock so each gets one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, true

from saypro_desktop.core.moderation import AdStatus
from saypro_desktop.sync.protocol import encode

from .store.db import Database, get_meta
from .store.schema import SYNCED, site_event

DECISION = "decision"
WITHDRAWN = "decision_withdrawn"
SANCTION = "sanction"
SANCTION_LIFTED = "sanction_lifted"
REMINDER = "renewal_reminder"
KINDS = (DECISION, WITHDRAWN, SANCTION, SANCTION_LIFTED, REMINDER)
MAX_LIMIT = 1000
_REMINDERS_AT_ONCE = 1000  # reminders made per read (the rest at the next one)

ad = SYNCED["ad"]


def append(conn: Connection, kind: str, payload: dict[str, Any], now: datetime, *, ad_id: str | None = None,
           subject_id: str | None = None) -> None:
    if not conn.info.get("feed_lock"):
        raise RuntimeError("the site's feed is only written inside a feed-locked transaction")
    conn.execute(insert(site_event).values(kind=kind, ad_id=ad_id, subject_id=subject_id,
                                           payload={k: encode(v) for k, v in payload.items()}, created_at=now))


def ad_ref(row: Any) -> dict[str, Any]:
    """How an event names an ad: the site's id and version (and the server's row id)."""
    return {"ad_id": row["id"], "external_id": row["external_id"], "version": row["version"]}


def decision_event(conn: Connection, ad_row: Any, decision: Any, now: datetime) -> None:
    status = ad_row["status"]
    append(conn, DECISION, {**ad_ref(ad_row), "decision_id": decision["id"], "decision": decision["decision"],
                            "status": status, "reasons": list(decision["reasons"] or []),
                            "message": decision["message"], "decided_at": decision["decided_at"]},
           now, ad_id=ad_row["id"], subject_id=decision["id"])


def withdrawn_event(conn: Connection, ad_row: Any, decision_id: str, now: datetime) -> None:
    """The decision no longer stands; ``status`` and ``standing_decision_id`` say what the ad is now (a
    ``decision`` event follows when an earlier decision stands again)."""
    append(conn, WITHDRAWN, {**ad_ref(ad_row), "decision_id": decision_id, "status": ad_row["status"],
                             "standing_decision_id": ad_row["decision_id"]},
           now, ad_id=ad_row["id"], subject_id=decision_id)


def sanction_event(conn: Connection, row: Any, now: datetime, *, lifted: bool = False) -> None:
    payload: dict[str, Any] = {"sanction_id": row["id"], "advertiser_id": row["advertiser_id"], "kind": row["kind"]}
    if lifted:
        payload |= {"lifted_at": row["lifted_at"], "lift_reason": row["lift_reason"]}
    else:
        payload |= {"reasons": list(row["reasons"] or []), "message": row["message"], "issued_at": row["issued_at"],
                    "ends_at": row["ends_at"]}
        if row["ad_id"] is not None:
            named = conn.execute(select(ad.c.id, ad.c.external_id, ad.c.version).where(ad.c.id == row["ad_id"])
                                 ).mappings().first()
            if named is not None:
                payload["ad"] = ad_ref(named)
    append(conn, SANCTION_LIFTED if lifted else SANCTION, payload, now, subject_id=row["id"])


# -- renewal reminders -------------------------------------------------------------------------------------------

def _due_reminders(now: datetime, within: timedelta) -> Any:
    reminded = select(site_event.c.seq).where(site_event.c.ad_id == ad.c.id, site_event.c.kind == REMINDER).exists()
    return (select(ad.c.id, ad.c.external_id, ad.c.version, ad.c.advertiser_id, ad.c.title, ad.c.expires_at)
            .where(ad.c.status == AdStatus.APPROVED, ad.c.expires_at > now, ad.c.expires_at <= now + within,
                   ad.c.deleted.is_not(true()), ~reminded)
            .order_by(ad.c.expires_at, ad.c.id).limit(_REMINDERS_AT_ONCE))


def add_reminders(db: Database, now: datetime, within: timedelta) -> int:
    """A reminder for each approved ad expiring within ``within`` that has had none; returns how many."""
    with db.read() as conn:  # usually none are due: no write transaction for that
        if conn.execute(_due_reminders(now, within).limit(1)).first() is None:
            return 0
    with db.write() as conn:
        due = conn.execute(_due_reminders(now, within)).mappings().all()  # again, under the lock: once each
        for row in due:
            append(conn, REMINDER, {**ad_ref(row), "advertiser_id": row["advertiser_id"], "title": row["title"],
                                    "expires_at": row["expires_at"]}, now, ad_id=row["id"])
    return len(due)


# -- reading -----------------------------------------------------------------------------------------------------

def read(conn: Connection, after: int, limit: int) -> dict[str, Any]:
    """Events after the cursor, oldest first. A cursor past every event (the server was restored from a
    backup) is answered ``reset``: read again from 0 (applying an event twice is harmless: each names what it
    is about)."""
    epoch = get_meta(conn, "epoch") or ""
    high = conn.execute(select(func.coalesce(func.max(site_event.c.seq), 0))).scalar_one()
    if after > high:
        return {"epoch": epoch, "reset": True, "events": [], "next": 0, "more": high > 0}
    rows = conn.execute(select(site_event).where(and_(site_event.c.seq > after, site_event.c.seq <= high))
                        .order_by(site_event.c.seq).limit(limit + 1)).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    events = [{"cursor": r["seq"], "type": r["kind"], "at": r["created_at"].isoformat(), **r["payload"]} for r in rows]
    # Without more to read, everything up to the high-water mark was seen (holes of rolled-back writers too).
    return {"epoch": epoch, "reset": False, "events": events, "next": rows[-1]["seq"] if more else high,
            "more": more}
