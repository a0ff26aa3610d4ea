"""Applying a pulled page of server changes to the local store, in the caller's transaction.

Fields with a pending local edit are left alone: that edit is still to be pushed and merged on the
server, which then sends the winner back. Every other field takes the server's value (the server's
value is already the merge winner). The hybrid logical clock observes the remote stamps, so later
local edits order after them even when this desktop's clock is behind.

A change this desktop cannot use (a value it cannot hold, a broken rule, a clash with a local row) is set
aside with its reason (``set_aside``) and the rest of the page applies: no row from the server can stop
this desktop's sync. Set-aside changes are tried again after an upgrade (``retry_set_aside``), taking only
fields whose stamps are newer than what the desktop has by then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

from ..core import row_checks
from ..core.hlc import HybridLogicalClock, Stamp
from ..models import SYNCED_MODELS, ChangeLogEntry, DeviceState
from ..models.base import Base, utcnow
from ..store.changelog import clock_device
from . import set_aside
from .protocol import PERSONAL_FIELDS, ProtocolError, decode_fields

log = logging.getLogger(__name__)
_TABLE_ORDER = {t.name: k for k, t in enumerate(Base.metadata.sorted_tables)}


# What a change that cannot be applied raises: a bad value or row (set aside), as opposed to the database
# failing (disk full, locked: the page fails and the sync stops, to be retried; nothing is set aside).
UNUSABLE = (ProtocolError, ValueError, TypeError, KeyError, AttributeError, StatementError)


def _unusable(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError):  # IntegrityError, DataError: this row; OperationalError: the database
        return type(exc).__name__ in ("IntegrityError", "DataError")
    return isinstance(exc, UNUSABLE)


def reason_of(exc: BaseException) -> str:
    """Why a change could not be applied, without the SQL or its parameters (personal details)."""
    if isinstance(exc, StatementError) and exc.orig is not None:
        return f"the local database refused it: {str(exc.orig).splitlines()[0][:200]}"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


@dataclass
class ApplyReport:
    applied: int = 0
    kept_local: int = 0  # fields not taken because a local edit is pending
    set_aside: list[str] = field(default_factory=list)  # changes this desktop could not use, with the reason


def _pending_fields(session: Session) -> dict[tuple[str, str], set[str]]:
    pending: dict[tuple[str, str], set[str]] = {}
    rows = session.execute(select(ChangeLogEntry.table_name, ChangeLogEntry.row_id, ChangeLogEntry.fields)
                           .where(ChangeLogEntry.state == "pending"))
    for table, row_id, fields in rows:
        pending.setdefault((table, row_id), set()).update(fields)
    return pending


def apply_changes(session: Session, changes: list[dict[str, Any]], build: str = "",
                  newer_only: bool = False) -> ApplyReport:
    """Apply a page; ``build`` (app version and schema) is recorded with any change set aside. ``newer_only``
    (pulling everything again from a server restored from a backup): a field takes the server's value only
    when its stamp is not older than the one held here, so a value the server lost is kept, to be sent back."""
    report = ApplyReport()
    session.info["applying_remote"] = True  # no outbox entries or audit rows for what the server sent
    try:
        pending = _pending_fields(session)
        state = session.get(DeviceState, 1)
        clock = HybridLogicalClock(clock_device(state.device_id), state.hlc_wall_ms, state.hlc_counter)
        rows, holders = _load_rows(session, changes)
        try:
            # The whole page at once (one flush, inserts batched); only a page with a change this desktop
            # cannot use goes again one change at a time, to skip just that change.
            counts = []
            with session.begin_nested():
                for group in _by_table(changes):  # referenced tables first: their rows are flushed before
                    counts += [_apply_one(session, change, pending, clock, holders, rows, newer_only)
                               for change in group]
                    session.flush()
            report.applied += sum(taken for taken, _ in counts)
            report.kept_local += sum(kept for _, kept in counts)
        except Exception as exc:
            if not _unusable(exc):
                raise
            log.info("a change of the page cannot be applied (%s); applying it change by change", reason_of(exc))
            _, holders = _load_rows(session, changes)
            _apply_one_by_one(session, changes, pending, clock, holders, report, build, newer_only)
        state.hlc_wall_ms, state.hlc_counter = clock.wall_ms, clock.counter
        session.flush()
    finally:
        session.info["applying_remote"] = False
    return report


def _by_table(changes: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The page's changes grouped by table, tables that others refer to first; in page order within one."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        groups.setdefault(change.get("table"), []).append(change)
    return [groups[t] for t in sorted(groups, key=lambda t: _TABLE_ORDER.get(t, len(_TABLE_ORDER)))]


def _apply_one_by_one(session: Session, changes: list[dict[str, Any]], pending: dict[tuple[str, str], set[str]],
                      clock: HybridLogicalClock, holders: dict[str, str], report: ApplyReport, build: str,
                      newer_only: bool = False) -> None:
    for change in changes:
        try:
            with session.begin_nested():  # one bad row is set aside without losing the page
                taken, kept = _apply_one(session, change, pending, clock, holders, None, newer_only)
                session.flush()
            report.applied += taken
            report.kept_local += kept
        except Exception as exc:
            if not _unusable(exc):
                raise
            # A newer server may send what this version cannot hold: keep it aside, say so, go on.
            reason = reason_of(exc)
            set_aside.keep(session, change if isinstance(change, dict) else {"value": repr(change)}, reason, build)
            report.set_aside.append(set_aside.describe(change if isinstance(change, dict) else {}, reason))
            log.warning("set aside a change from the server: %s", reason)


def retry_set_aside(session: Session, build: str) -> list[str]:
    """Try again the set-aside changes last tried by another build; those applied now are dropped. Returns
    what is still set aside among them."""
    rows = set_aside.to_retry(session, build)
    if not rows:
        return []
    still: list[str] = []
    session.info["applying_remote"] = True
    try:
        pending = _pending_fields(session)
        state = session.get(DeviceState, 1)
        clock = HybridLogicalClock(clock_device(state.device_id), state.hlc_wall_ms, state.hlc_counter)
        for row in rows:
            try:
                with session.begin_nested():
                    _, holders = _load_rows(session, [row.change])
                    _apply_one(session, row.change, pending, clock, holders, None, newer_only=True)
                    session.flush()
                session.delete(row)
            except Exception as exc:
                if not _unusable(exc):
                    raise
                set_aside.keep(session, row.change, reason_of(exc), build)
                still.append(set_aside.describe(row.change, reason_of(exc)))
        state.hlc_wall_ms, state.hlc_counter = clock.wall_ms, clock.counter
        session.flush()
    finally:
        session.info["applying_remote"] = False
    return still


def _load_rows(session: Session, changes: list[dict[str, Any]]) -> tuple[dict[tuple[str, str], Any], dict[str, str]]:
    """The page's existing rows, by (table, id), in one query per table instead of one per change; and which
    local inquiry holds each Inquiry ID the page brings."""
    ids: dict[str, set[str]] = {}
    refs: set[str] = set()
    for change in changes:
        ids.setdefault(change.get("table"), set()).add(change.get("row_id"))
        ref = (change.get("fields") or {}).get("inquiry_ref") if change.get("table") == "inquiry" else None
        if isinstance(ref, str):
            refs.add(ref)
    rows: dict[tuple[str, str], Any] = {}
    with session.no_autoflush:
        for table, row_ids in ids.items():
            model = SYNCED_MODELS.get(table)
            if model is not None:
                rows.update(((table, r.id), r) for r in _in_chunks(session, select(model), model.id, list(row_ids)))
        inquiry = SYNCED_MODELS["inquiry"]
        holders = dict(_in_chunks(session, select(inquiry.inquiry_ref, inquiry.id), inquiry.inquiry_ref,
                                  list(refs), scalars=False))
    return rows, holders


def _in_chunks(session: Session, query: Any, column: Any, values: list[Any], scalars: bool = True) -> list[Any]:
    out: list[Any] = []
    for k in range(0, len(values), 500):  # below SQLite's limit of bound parameters
        chunk = query.where(column.in_(values[k:k + 500]))
        out += session.scalars(chunk).all() if scalars else [tuple(r) for r in session.execute(chunk)]
    return out


def _apply_one(session: Session, change: dict[str, Any], pending: dict[tuple[str, str], set[str]],
               clock: HybridLogicalClock, holders: dict[str, str],
               rows: dict[tuple[str, str], Any] | None, newer_only: bool = False) -> tuple[bool, int]:
    """(whether any field was taken, how many were kept for pending local edits). ``rows`` holds every
    row of the page that exists (None: look each up). ``newer_only``: a change applied late (set aside
    before), or pulled again from a restored server, takes only fields whose stamp is not older than the
    stored one."""
    table, row_id = change["table"], change["row_id"]
    model = SYNCED_MODELS.get(table)
    if model is None:
        raise ProtocolError(f"unknown table {table!r}")
    if not isinstance(row_id, str) or not row_id or len(row_id) > 36:
        raise ProtocolError(f"{row_id!r} is not a row id")
    versions: dict[str, str] = change.get("versions") or {}
    if not isinstance(versions, dict) or not all(isinstance(v, str) for v in versions.values()):
        raise ProtocolError("versions must map fields to clock stamps")
    stamps = [Stamp.parse(v) for v in versions.values()]  # a malformed stamp is a ValueError: set aside
    values = decode_fields(table, change.get("fields") or {})
    found = row_checks.problems(table, values, pulled=True)
    if found:
        raise ProtocolError("; ".join(found))
    if stamps:
        clock.observe(max(stamps))
    mine = pending.get((table, row_id), set())
    ref = values.get("inquiry_ref") if table == "inquiry" and "inquiry_ref" not in mine else None
    if ref:
        if holders.get(ref, row_id) != row_id:
            _give_way(session, session.get(model, holders[ref]), row_id, ref)  # rarely: after a restore
        holders[ref] = row_id
    prov = values.get("provisional_ref") if table == "inquiry" and "provisional_ref" not in mine else None
    if prov:
        _provisional_give_way(session, model, row_id, prov)
    row = session.get(model, row_id) if rows is None else rows.get((table, row_id))
    if row is None:
        row = model(id=row_id, created_at=utcnow(), updated_at=utcnow(), deleted=False, field_versions={})
        if rows is not None:
            rows[(table, row_id)] = row
        # Personal details withheld from this user's role still need a value in NOT NULL columns.
        for name in PERSONAL_FIELDS.get(table, ()):
            if name not in values and not model.__table__.columns[name].nullable:
                values[name] = ""
        session.add(row)
    taken = {k: v for k, v in values.items() if k not in mine}
    if newer_only and row.field_versions:
        held = row.field_versions
        taken = {k: v for k, v in taken.items()
                 if versions.get(k, versions.get("*", "")) >= held.get(k, held.get("*", ""))}
    for name, value in taken.items():
        setattr(row, name, value)
    current = dict(row.field_versions or {})
    # "*" (the creation stamp) stands for every field a creation entry does not list.
    current.update({k: v for k, v in versions.items() if k in taken or (k == "*" and "*" not in current)})
    row.field_versions = current
    row.updated_at = utcnow()
    return bool(taken), len(values) - len(taken)


def _provisional_give_way(session: Session, model: Any, row_id: str, prov: str) -> None:
    """The server's row ``row_id`` has the provisional reference ``prov`` that a local inquiry holds too: two
    stores issued it (a store restored or copied by hand). The local one takes the suffix the server gives
    such a reference when its own insert arrives, so both stay findable."""
    with session.no_autoflush:
        other = session.scalar(select(model).where(model.provisional_ref == prov, model.id != row_id))
    if other is not None:
        other.provisional_ref = f"{prov.split('~', 1)[0]}~{other.id[-4:].upper()}"
        session.flush()
        log.warning("inquiry %s gave way to %s for the provisional reference %s", other.id, row_id, prov)


def _give_way(session: Session, other: Any, row_id: str, ref: str) -> None:
    """The server says inquiry ``row_id`` holds ``ref``, which a local one (``other``) holds too: a number
    block leased again after the server was restored from a backup. The server renumbers ``other`` when it
    arrives (or has already); until its new number comes, it keeps the old one as provisional reference."""
    if other is not None and other.inquiry_ref == ref:
        other.provisional_ref = other.provisional_ref or ref
        other.inquiry_ref = None
        session.flush()  # before the incoming row takes the ID
        log.warning("inquiry %s gave way to %s for the ID %s", other.id, row_id, ref)
