"""Applying a pulled page of server changes to the local store, in the caller's transaction.

Fields with a pending local edit are left alone: that edit is still to be pushed and merged on the
server, which then sends the winner back. Every other field takes the server's value (the server's
value is already the merge winner). The hybrid logical clock observes the remote stamps, so later
local edits order after them even when this desktop's clock is behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.hlc import HybridLogicalClock, Stamp
from ..models import SYNCED_MODELS, ChangeLogEntry, DeviceState
from ..models.base import utcnow
from .changelog import clock_device
from .protocol import PERSONAL_FIELDS, ProtocolError, decode_fields

log = logging.getLogger(__name__)


@dataclass
class ApplyReport:
    applied: int = 0
    kept_local: int = 0  # fields not taken because a local edit is pending
    skipped: list[str] = field(default_factory=list)  # changes this desktop could not use, with the reason


def _pending_fields(session: Session) -> dict[tuple[str, str], set[str]]:
    pending: dict[tuple[str, str], set[str]] = {}
    rows = session.execute(select(ChangeLogEntry.table_name, ChangeLogEntry.row_id, ChangeLogEntry.fields)
                           .where(ChangeLogEntry.state == "pending"))
    for table, row_id, fields in rows:
        pending.setdefault((table, row_id), set()).update(fields)
    return pending


def apply_changes(session: Session, changes: list[dict[str, Any]]) -> ApplyReport:
    report = ApplyReport()
    session.info["applying_remote"] = True  # no outbox entries or audit rows for what the server sent
    try:
        pending = _pending_fields(session)
        state = session.get(DeviceState, 1)
        clock = HybridLogicalClock(clock_device(state.device_id), state.hlc_wall_ms, state.hlc_counter)
        for change in changes:
            try:
                with session.begin_nested():  # one bad row is skipped without losing the page
                    taken, kept = _apply_one(session, change, pending, clock)
                    session.flush()
                report.applied += taken
                report.kept_local += kept
            except (ProtocolError, IntegrityError, KeyError) as exc:
                # A newer server may send what this version cannot hold: skip it, say so, go on.
                report.skipped.append(f"{change.get('table')} {change.get('row_id')}: {exc}")
                log.warning("skipped a remote change: %s", exc)
        state.hlc_wall_ms, state.hlc_counter = clock.wall_ms, clock.counter
        session.flush()
    finally:
        session.info["applying_remote"] = False
    return report


def _apply_one(session: Session, change: dict[str, Any], pending: dict[tuple[str, str], set[str]],
               clock: HybridLogicalClock) -> tuple[bool, int]:
    """(whether any field was taken, how many were kept for pending local edits)."""
    table, row_id = change["table"], change["row_id"]
    model = SYNCED_MODELS.get(table)
    if model is None:
        raise ProtocolError(f"unknown table {table!r}")
    versions: dict[str, str] = change.get("versions") or {}
    values = decode_fields(table, change.get("fields") or {})
    if versions:
        clock.observe(Stamp.parse(max(versions.values())))  # string order is stamp order
    mine = pending.get((table, row_id), set())
    if table == "inquiry" and values.get("inquiry_ref") and "inquiry_ref" not in mine:
        _give_way(session, model, row_id, values["inquiry_ref"])
    row = session.get(model, row_id)
    if row is None:
        row = model(id=row_id, created_at=utcnow(), updated_at=utcnow(), deleted=False, field_versions={})
        # Personal details withheld from this user's role still need a value in NOT NULL columns.
        for name in PERSONAL_FIELDS.get(table, ()):
            if name not in values and not model.__table__.columns[name].nullable:
                values[name] = ""
        session.add(row)
    taken = {k: v for k, v in values.items() if k not in mine}
    for name, value in taken.items():
        setattr(row, name, value)
    current = dict(row.field_versions or {})
    # "*" (the creation stamp) stands for every field a creation entry does not list.
    current.update({k: v for k, v in versions.items() if k in taken or (k == "*" and "*" not in current)})
    row.field_versions = current
    row.updated_at = utcnow()
    return bool(taken), len(values) - len(taken)


def _give_way(session: Session, model: Any, row_id: str, ref: str) -> None:
    """The server says another inquiry holds ``ref``, which a local one holds too: a number block leased
    again after the server was restored from a backup. The server renumbers the local one when it
    arrives (or has already); until its new number comes, it keeps the old one as provisional reference."""
    other = session.scalars(select(model).where(model.inquiry_ref == ref, model.id != row_id)).first()
    if other is not None:
        other.provisional_ref = other.provisional_ref or ref
        other.inquiry_ref = None
        session.flush()  # before the incoming row takes the ID
        log.warning("inquiry %s gave way to %s for the ID %s", other.id, row_id, ref)
