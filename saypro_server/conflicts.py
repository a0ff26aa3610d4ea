"""Conflicts: both sides changed a text field; the merge kept one value and stored the other here.

Listing shows them to every user who can see the rows; settling takes the kept value, the losing
value or a new text, writes it (with the server's clock stamp, through the feed) and marks it settled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from saypro_desktop.sync.protocol import ProtocolError, decode, encode

from . import feed
from .auth import Caller
from .checks import check_decoded, parse_stamp
from .rules import write_refusal
from .store.db import Database, ServerClock
from .store.schema import SYNCED, conflict, device


class ConflictError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def as_json(row: Any, people: dict[str, str] | None = None) -> dict[str, Any]:
    """``people``: a stamp's device part -> the display name of the device's user (each side's ``by``)."""
    people = people or {}
    return {"id": row["id"], "table": row["table_name"], "row_id": row["row_id"], "field": row["field"],
            "kept": {"value": row["kept_value"], "stamp": row["kept_stamp"], "device": row["kept_device"],
                     "by": people.get(row["kept_device"] or "")},
            "losing": {"value": row["losing_value"], "stamp": row["losing_stamp"], "device": row["losing_device"],
                       "by": people.get(row["losing_device"] or "")},
            "created_at": _iso(row["created_at"]), "settled": row["settled"], "settled_at": _iso(row["settled_at"]),
            "settled_by": row["settled_by"], "settled_value": row["settled_value"]}


def list_conflicts(db: Database, *, settled: bool | None, row_id: str | None, limit: int) -> list[dict[str, Any]]:
    q = select(conflict).order_by(conflict.c.id).limit(limit)
    if settled is not None:
        q = q.where(conflict.c.settled.is_(settled))
    if row_id is not None:
        q = q.where(conflict.c.row_id == row_id)
    with db.read() as conn:
        rows = conn.execute(q).mappings().all()
        people: dict[str, str] = {}
        if rows:  # a stamp names its device by the tail of the device's UUID (the desktop's clock_device)
            staff = SYNCED["staff_user"]
            for device_id, name in conn.execute(select(device.c.id, staff.c.display_name)
                                                .join(staff, staff.c.id == device.c.user_id)):
                people[device_id.replace("-", "")[-12:]] = name
        return [as_json(r, people) for r in rows]


def settle(db: Database, caller: Caller, conflict_id: int, choice: str, text: str | None,
           now: datetime) -> dict[str, Any]:
    with db.write() as conn:
        c = conn.execute(select(conflict).where(conflict.c.id == conflict_id)).mappings().first()
        if c is None:
            raise ConflictError(404, f"there is no conflict {conflict_id}")
        if c["settled"]:
            raise ConflictError(409, f"conflict {conflict_id} was already settled")
        table = SYNCED[c["table_name"]]
        name = c["field"]
        refusal = write_refusal(caller.role, c["table_name"], {name: None}, is_new=False)
        if refusal:
            raise ConflictError(403, refusal)
        row = conn.execute(select(table).where(table.c.id == c["row_id"])).mappings().first()
        if row is None:
            raise ConflictError(404, "the row of this conflict is gone")
        if choice == "text" and text is None:
            raise ConflictError(422, "send the text to keep when the choice is 'text'")
        chosen = {"kept": encode(row[name]), "losing": c["losing_value"], "text": text}[choice]
        try:
            value = decode(c["table_name"], name, chosen)
            check_decoded(c["table_name"], name, value)
        except ProtocolError as exc:
            raise ConflictError(422, str(exc)) from exc
        if encode(value) != encode(row[name]):
            versions = dict(row["field_versions"] or {})
            clock = ServerClock(conn, now)
            clock.observe(parse_stamp(versions.get(name, versions.get("*", "0" * 13 + "-00000-" + "0" * 12))))
            stamp = str(clock.tick())
            versions[name] = stamp
            conn.execute(update(table).where(table.c.id == c["row_id"])
                         .values({name: value, "field_versions": versions, "updated_at": now}))
            feed.append(conn, c["table_name"], c["row_id"], {name: encode(value)}, {name: stamp}, now)
            clock.save()
        conn.execute(update(conflict).where(conflict.c.id == conflict_id).values(
            settled=True, settled_at=now, settled_by=caller.user_id, settled_value=encode(value)))
        return as_json(conn.execute(select(conflict).where(conflict.c.id == conflict_id)).mappings().one())
