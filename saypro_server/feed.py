"""The change feed: every accepted row change gets the next server sequence number; pull reads it back.

Writers append only inside ``Database.write()`` (feed-locked), so committed sequence numbers form a
prefix: whatever a reader sees at or below the highest visible number is everything there will ever be
there. (A rolled-back writer can leave a hole in PostgreSQL's sequence; holes are never filled later.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from saypro_desktop.core.permissions import Role

from .rules import filter_for_role
from .store.db import get_meta
from .store.schema import change_feed

MIN_PAGE_BYTES = 4 * 1024
MAX_PAGE_BYTES = 4 * 1024 * 1024
_SCAN = 500


def append(conn: Connection, table: str, row_id: str, fields: dict[str, Any], versions: dict[str, str],
           now: datetime) -> int:
    if not conn.info.get("feed_lock"):
        raise RuntimeError("the change feed is only written inside a feed-locked transaction")
    return conn.execute(insert(change_feed).values(table_name=table, row_id=row_id, fields=fields,
                                                   versions=versions, created_at=now)
                        .returning(change_feed.c.seq)).scalar_one()


def append_many(conn: Connection, entries: list[tuple[str, str, dict[str, Any], dict[str, str]]],
                now: datetime) -> None:
    """Several changes at once, in this order: (table, row_id, fields, versions) each (one statement)."""
    if not conn.info.get("feed_lock"):
        raise RuntimeError("the change feed is only written inside a feed-locked transaction")
    if entries:  # one statement, its rows sent in order (their sequence numbers follow it)
        conn.execute(insert(change_feed), [{"table_name": t, "row_id": r, "fields": f, "versions": v,
                                            "created_at": now} for t, r, f, v in entries])


def high_water(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(change_feed.c.seq), 0))).scalar_one()


@dataclass
class Page:
    epoch: str
    reset: bool
    changes: list[dict[str, Any]]
    next_seq: int
    more: bool
    high_water: int

    def as_json(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "reset": self.reset, "changes": self.changes,
                "next": {"epoch": self.epoch, "seq": self.next_seq}, "more": self.more,
                "high_water": self.high_water}


def read_page(conn: Connection, role: Role, cursor: tuple[str | None, int] | None, max_bytes: int,
              tables: list[str] | None) -> Page:
    epoch = get_meta(conn, "epoch") or ""
    high = high_water(conn)
    if cursor is not None and cursor[0] is None and cursor[1] == 0:
        cursor = None  # a desktop that has never pulled and does not know the epoch yet
    if cursor is not None and (cursor[0] != epoch or cursor[1] > high):
        # Another epoch, or a cursor the server never reached: a restored backup. Start again from 0.
        return Page(epoch, True, [], 0, high > 0, high)
    after = cursor[1] if cursor else 0
    budget = min(max(max_bytes, MIN_PAGE_BYTES), MAX_PAGE_BYTES)
    changes: list[dict[str, Any]] = []
    used = 0
    scanned = after
    full = False
    while not full:
        q = (select(change_feed.c.seq, change_feed.c.table_name, change_feed.c.row_id, change_feed.c.fields,
                    change_feed.c.versions)
             .where(change_feed.c.seq > scanned, change_feed.c.seq <= high).order_by(change_feed.c.seq).limit(_SCAN))
        if tables is not None:
            q = q.where(change_feed.c.table_name.in_(tables))
        rows = conn.execute(q).all()
        for seq, table, row_id, fields, versions in rows:
            fields, versions = filter_for_role(role, table, fields, versions)
            if fields:
                change = {"seq": seq, "table": table, "row_id": row_id, "fields": fields, "versions": versions}
                size = len(json.dumps(change, separators=(",", ":"), ensure_ascii=False))
                if changes and used + size > budget:
                    full = True
                    break
                changes.append(change)
                used += size
            scanned = seq
        if len(rows) < _SCAN:
            break
    more = full
    if not full:
        scanned = high  # nothing else of interest up to the high-water mark
    return Page(epoch, False, changes, scanned, more, high)
