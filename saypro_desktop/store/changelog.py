"""Turns every ORM change of a synced row into an outbox entry, in the same transaction.

Installed as a ``before_flush`` listener on the store's session factory, so no code path can
change a synced row without logging it: inserts and updates get a hybrid-logical-clock stamp
per mutation, recorded on the row's ``field_versions`` and in the ``change_log``. Hard deletes of
synced rows are refused (set ``deleted``). Audited entities also get audit-trail rows here,
attributed to ``session.info["actor_id"]``, and are chained by hash per device (``core/audit_chain.py``):
each gets the device's next sequence number, the previous entry's hash and its own, and the device's
newest link is kept in ``device_state``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..core.audit_chain import CONTENT_FIELDS, entry_hash
from ..core.hlc import HybridLogicalClock
from ..core.uuids import new_id
from ..models import AuditEntry, ChangeLogEntry, DeviceState, Synced
from ..models.base import SYNC_BOOKKEEPING, utcnow
from ..models.codec import encode


class TombstoneRequired(RuntimeError):
    pass


class ImmutableField(RuntimeError):
    pass


def synced_fields(obj: Synced) -> list[str]:
    mapper = inspect(type(obj))
    return [c.key for c in mapper.column_attrs if c.key not in SYNC_BOOKKEEPING]


def clock_device(device_id: str) -> str:
    """The device part of this desktop's clock stamps: the random tail of its UUIDv7 (48 bits)."""
    return device_id.replace("-", "")[-12:]


def install(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "before_flush", _before_flush)


def _now(session: Session) -> datetime:
    clock: Callable[[], datetime] | None = session.info.get("clock")
    return clock() if clock else utcnow()


def _before_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    if session.info.get("applying_remote"):
        return
    for obj in session.deleted:
        if isinstance(obj, Synced):
            raise TombstoneRequired(f"{type(obj).__tablename__} rows are never deleted; set deleted=True")
    new = [o for o in session.new if isinstance(o, Synced)]
    dirty = [o for o in session.dirty
             if isinstance(o, Synced) and session.is_modified(o, include_collections=False)]
    if not new and not dirty:
        return
    with session.no_autoflush:
        now = _now(session)
        changes = [(o, _changed_fields(o)) for o in dirty]
        changes = [(o, fields) for o, fields in changes if fields]
        audit = _audit_rows(session, new, changes, now)
        session.add_all(audit)
        state = session.get(DeviceState, 1)
        if state is None:
            raise RuntimeError("the store has no device identity; open it with saypro_desktop.store.open_store")
        hlc = HybridLogicalClock(clock_device(state.device_id), state.hlc_wall_ms, state.hlc_counter)
        for obj in [*new, *audit]:
            stamp = str(hlc.tick())
            obj.created_at = obj.created_at or now
            obj.updated_at = now
            obj.field_versions = {"*": stamp}
            if obj.id is None:
                obj.id = new_id()
            if isinstance(obj, AuditEntry):
                _chain(state, obj)
            # An insert lists only the fields that hold a value: absent means NULL (keeps the outbox small).
            values = {f: v for f in synced_fields(obj) if (v := encode(getattr(obj, f))) is not None}
            session.add(_entry(state, obj, "insert", values, stamp, now))
        for obj, fields in changes:
            stamp = str(hlc.tick())
            versions = dict(obj.field_versions or {})
            base = {f: versions[f] if f in versions else versions.get("*") for f in fields}
            versions.update(dict.fromkeys(fields, stamp))
            obj.field_versions = versions
            obj.updated_at = now
            op = "delete" if "deleted" in fields and obj.deleted else "update"
            entry = _entry(state, obj, op, {f: encode(getattr(obj, f)) for f in fields}, stamp, now)
            entry.base = {f: b for f, b in base.items() if b is not None} or None
            session.add(entry)
        state.hlc_wall_ms, state.hlc_counter = hlc.wall_ms, hlc.counter


def _chain(state: DeviceState, entry: AuditEntry) -> None:
    """The entry's place in this device's chain: the next sequence, the newest hash as its ``prev_hash``."""
    seq = (state.audit_seq or 0) + 1
    content = {name: encode(getattr(entry, name)) for name in CONTENT_FIELDS}
    entry.device_id, entry.chain_seq, entry.prev_hash = state.device_id, seq, state.audit_hash
    entry.entry_hash = entry_hash(content, state.device_id, seq, state.audit_hash)
    state.audit_seq, state.audit_hash = seq, entry.entry_hash


def rechain(session: Session) -> None:
    """Hash this device's audit chain again from its first entry, in its order. Only for a store whose entries no
    server has seen: enrolment re-points local users' audit rows to the server's users (and drops some) before the
    first push, which would otherwise read as tampering."""
    state = session.get(DeviceState, 1)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.device_id == state.device_id)
                              .order_by(AuditEntry.chain_seq, AuditEntry.at)).all()
    queued = {e.row_id: e for e in session.scalars(select(ChangeLogEntry).where(
        ChangeLogEntry.state == "pending", ChangeLogEntry.table_name == "audit_entry", ChangeLogEntry.op == "insert"))}
    prev, seq = None, 0
    for entry in entries:
        seq += 1
        digest = entry_hash({name: encode(getattr(entry, name)) for name in CONTENT_FIELDS}, state.device_id,
                            seq, prev)
        chain = {"chain_seq": seq, "prev_hash": prev, "entry_hash": digest}
        session.execute(update(AuditEntry).where(AuditEntry.id == entry.id).values(**chain))
        if entry.id in queued:  # its insert still waits in the outbox: it goes out with the new links
            fields = {**(queued[entry.id].fields or {}), **chain}
            session.execute(update(ChangeLogEntry).where(ChangeLogEntry.seq == queued[entry.id].seq)
                            .values(fields={k: v for k, v in fields.items() if v is not None}))
        prev = digest
    session.execute(update(DeviceState).where(DeviceState.id == 1).values(audit_seq=seq, audit_hash=prev))
    session.expire_all()


def _changed_fields(obj: Synced) -> list[str]:
    state = inspect(obj)
    table = type(obj).__tablename__
    write_once = type(obj).__sync__.write_once
    changed = []
    for name in synced_fields(obj):
        hist = state.attrs[name].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old == new:
            continue
        if name in write_once and old is not None:
            raise ImmutableField(f"{table}.{name} cannot change once set (was {old!r})")
        changed.append(name)
    return changed


def _entry(state: DeviceState, obj: Synced, op: str, values: dict[str, Any], stamp: str,
           now: datetime) -> ChangeLogEntry:
    return ChangeLogEntry(mutation_id=new_id(), device_id=state.device_id, table_name=type(obj).__tablename__,
                          row_id=obj.id, op=op, fields=values, hlc=stamp, created_at=now, state="pending")


def _audit_rows(session: Session, new: list[Synced], changes: list[tuple[Synced, list[str]]],
                now: datetime) -> list[AuditEntry]:
    actor = session.info.get("actor_id")
    rows = []
    for obj in new:
        if obj.__sync__.audited:
            if obj.id is None:
                obj.id = new_id()
            label = getattr(obj, "display_id", None) or str(obj)
            rows.append(AuditEntry(at=now, actor_id=actor, entity=type(obj).__tablename__, entity_id=obj.id,
                                   action="create", summary=str(label), changes={}))
    for obj, fields in changes:
        if not obj.__sync__.audited:
            continue
        state = inspect(obj)
        diff = {}
        for name in fields:
            hist = state.attrs[name].history
            diff[name] = [encode(hist.deleted[0] if hist.deleted else None), encode(getattr(obj, name))]
        action = "delete" if "deleted" in fields and obj.deleted else "update"
        label = getattr(obj, "display_id", None) or str(obj)
        # A change made by a job rather than by hand says so (session.info["audit_summary"]: "automatic
        # escalation"); the actor is still the signed-in user whose desktop ran it.
        summary = str(label) if action == "delete" else session.info.get("audit_summary")
        rows.append(AuditEntry(at=now, actor_id=actor, entity=type(obj).__tablename__, entity_id=obj.id,
                               action=action, summary=summary, changes=diff))
    return rows
