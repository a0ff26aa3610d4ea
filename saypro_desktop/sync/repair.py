"""After the server was restored from a backup: send it again what it lost that this desktop holds.

A desktop re-sends its own held changes after a restore (the outbox), but a row, or a field's value, can
outlive every outbox entry that made it: its author's desktop was itself restored to an older backup, or
dropped the entries after 30 days, and it lives on only as a copy other desktops pulled. Once a desktop has
pulled everything from a restored server, it asks for the server's field stamps of its rows (``POST
/sync/versions``) and queues, like any change, what the server lacks: a row it does not have at all (an
insert stamped with the row's creation stamp, then the fields changed later with their own stamps), and the
fields whose stamp here is newer than the server's (each with its own stamp). So a newer edit from
anywhere still wins field by field, and what only this desktop still knew goes back to everyone. Tables
this role may not write, and inquiries on a desktop that holds placeholders instead of the inquirer's
details, are left to desktops that can send them whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..core.permissions import Permission, Role, can
from ..core.uuids import UUID_RE, new_id
from ..models import SYNCED_MODELS, ChangeLogEntry, DeviceState, Setting
from ..models.base import Base, utcnow
from ..models.local import SYNC_USERNAME
from ..services.staff import find_staff
from ..store.changelog import synced_fields
from .protocol import AUTHOR_FIELDS, SPECS, encode

CHUNK = 1000  # ids per question to the server
_ORDER = [t.name for t in Base.metadata.sorted_tables if t.name in SYNCED_MODELS]  # referenced tables first


def enrolled_user(s: Session) -> tuple[Role, str] | None:
    """(role, id) of the server user this desktop is enrolled as; None when that user is not here."""
    name = s.get(Setting, SYNC_USERNAME)
    user = find_staff(s, str(name.value)) if name is not None and name.value else None
    return (user.role, user.id) if user is not None else None


def tables_for(role: Role) -> list[str]:
    """The synced tables whose lost rows this role may send again (what it may insert on the server); not a
    table with personal details this role does not see (its copy holds placeholders instead)."""
    return [name for name in _ORDER
            if any(can(role, p) for p in SPECS[name].insert)
            and not (SPECS[name].personal and not can(role, Permission.VIEW_PERSONAL_DETAILS))]


def local_ids(s: Session, table: str, after: str, limit: int = CHUNK) -> list[str]:
    model = SYNCED_MODELS[table]
    return list(s.scalars(select(model.id).where(model.id > after).order_by(model.id).limit(limit)))


def queue(s: Session, table: str, ids: list[str], server: dict[str, dict[str, str]] | None = None,
          only_by: str | None = None) -> int:
    """Outbox entries that give the server these rows as this desktop holds them: whole rows it lacks
    (``server`` has no stamps for them, or is None), else the fields whose stamp here is newer than the
    server's. Fields with a pending local edit are left out (that edit is on its way). With ``only_by`` (a
    role that cannot import: the server would record it as the author), a row the server lacks is sent only
    when that user wrote it. Returns how many rows needed something."""
    model = SYNCED_MODELS[table]
    state = s.get(DeviceState, 1)
    now = utcnow()
    pending = {f for (fields,) in s.execute(select(ChangeLogEntry.fields).where(
        ChangeLogEntry.state == "pending", ChangeLogEntry.table_name == table, ChangeLogEntry.row_id.in_(ids)))
        for f in fields}
    queued = 0
    for row in s.scalars(select(model).where(model.id.in_(ids))):
        versions: dict[str, str] = dict(row.field_versions or {})
        names = synced_fields(row)
        created = versions.get("*") or min(versions.values(), default=None)
        if created is None:
            continue  # a row that never had a stamp cannot be placed in time; nothing to send
        values = {f: encode(getattr(row, f)) for f in names}
        theirs = (server or {}).get(row.id)
        author = AUTHOR_FIELDS.get(table)
        if theirs is None and only_by is not None and author and getattr(row, author) != only_by:
            continue  # its author's desktop, or a Supervisor's or an Admin's, sends it with its author's name
        if theirs is None:
            s.add(_entry(state, table, row.id, "insert", {k: v for k, v in values.items() if v is not None},
                         created, now))
            newer = [f for f in names if f in versions and versions[f] != created]
        else:
            held = theirs.get("*", "")
            newer = [f for f in names if f not in pending
                     and versions.get(f, created) > theirs.get(f, held)]
            if not newer:
                continue
        later: dict[str, dict[str, Any]] = {}
        for f in newer:
            later.setdefault(versions.get(f, created), {})[f] = values[f]
        for stamp in sorted(later):
            s.add(_entry(state, table, row.id, "update", later[stamp], stamp, now))
        queued += 1
    return queued


def queue_before(s: Session, seq: int, table: str, row_id: str, role: Role) -> bool:
    """The server waits for a row it lost (``needs`` of a ``retry``) before it can take change ``seq``: when
    this desktop holds the row and may send it, its re-sending is queued and moved in front of ``seq`` (every
    entry from ``seq`` on is still pending, so renumbering them is safe). False: the desktop cannot help.
    (Whoever wrote the row: this desktop's own work waits on it. From a role that cannot import, the server
    records this desktop's user as its author.)"""
    if table not in tables_for(role) or not UUID_RE.match(row_id):
        return False
    if s.scalar(select(func.count()).select_from(ChangeLogEntry).where(ChangeLogEntry.seq >= seq,
                                                                      ChangeLogEntry.state != "pending")):
        return False
    top = s.scalar(select(func.max(ChangeLogEntry.seq))) or 0
    if not queue(s, table, [row_id]):
        return False
    s.flush()
    added = (s.scalar(select(func.max(ChangeLogEntry.seq))) or 0) - top
    # Negative numbers first, so that no two entries hold one number during the moves.
    s.execute(text("UPDATE change_log SET seq = -(seq + :k) WHERE seq >= :n AND seq <= :top"),
              {"k": added, "n": seq, "top": top})
    s.execute(text("UPDATE change_log SET seq = -(seq - :top - 1 + :n) WHERE seq > :top"), {"n": seq, "top": top})
    s.execute(text("UPDATE change_log SET seq = -seq WHERE seq < 0"))
    s.expire_all()
    return True


def _entry(state: DeviceState, table: str, row_id: str, op: str, fields: dict[str, Any], stamp: str,
           now: Any) -> ChangeLogEntry:
    return ChangeLogEntry(mutation_id=new_id(), device_id=state.device_id, table_name=table, row_id=row_id, op=op,
                          fields=fields, hlc=stamp, created_at=now, state="pending")


def repair(ask: Callable[[str, list[str]], dict[str, dict[str, str]]],
           db: Callable[[Callable[[Session], Any]], Any], role: Role, user_id: str) -> int:
    """Ask the server, table by table and a chunk at a time, for its stamps of the local rows; queue what it
    lacks. A role that cannot import sends lost rows only of its own user: the server would record it as
    the author of the others (their author's desktop, or a Supervisor's or an Admin's, sends them). Returns
    how many rows needed something."""
    only_by = None if can(role, Permission.IMPORT) else user_id
    queued = 0
    for table in tables_for(role):
        after = ""
        while True:
            ids = db(lambda s, t=table, a=after: local_ids(s, t, a))
            if not ids:
                break
            sendable = [i for i in ids if UUID_RE.match(i)]  # (anything else was never sent)
            server = ask(table, sendable) if sendable else {}
            queued += db(lambda s, t=table, i=sendable, v=server: queue(s, t, i, v, only_by))
            after = ids[-1]
    return queued
