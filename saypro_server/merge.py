"""Applying a pushed batch: sequence checks, role checks, per-field merge by clock stamp, conflicts.

One batch is one feed-locked transaction; each mutation runs in a savepoint, so a mutation that the
database refuses is rejected alone. Every row change (and every compensating change that corrects a
desktop whose value lost or was refused) is appended to the change feed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, UniqueConstraint, and_, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError

from saypro_desktop.core.hlc import Stamp
from saypro_desktop.core.inquiry_ids import InquiryId, month_key, month_key_of
from saypro_desktop.core.permissions import Role
from saypro_desktop.sync.protocol import CONFLICT_TEXT_FIELDS, ProtocolError, columns, decode_fields, encode

from . import feed, numbers
from .checks import UUID_RE, check_decoded, clamp_stamp, parse_stamp
from .rules import is_append_only, write_refusal
from .store.db import Database, ServerClock
from .store.schema import SYNCED, conflict, device

log = logging.getLogger(__name__)
OPS = frozenset({"insert", "update", "delete"})


class Refused(Exception):
    """A mutation the server will not apply (acknowledged as ``rejected`` with this reason)."""


class BatchHole(ValueError):
    def __init__(self, seq: int) -> None:
        super().__init__(f"the batch skips mutation {seq}: a device's mutations are numbered without holes")


class SequenceGap(Exception):
    def __init__(self, expected: int) -> None:
        super().__init__(f"mutation {expected} is missing: push from it")
        self.expected = expected


@dataclass(frozen=True)
class Pusher:
    user_id: str
    role: Role
    device_id: str


@dataclass(frozen=True)
class Mutation:
    seq: int
    mutation_id: str
    table: str
    row_id: str
    op: str
    hlc: str
    fields: dict[str, Any]
    base: dict[str, str] | None = None


@dataclass(frozen=True)
class Result:
    seq: int
    mutation_id: str
    status: str  # applied, duplicate, rejected
    reason: str | None = None


def push(db: Database, pusher: Pusher, mutations: list[Mutation], now: datetime) -> tuple[list[Result], int | None]:
    """Apply a batch (already in strictly increasing ``seq`` order); returns the results and ``last_seq``."""
    with db.write() as conn:
        last = conn.execute(select(device.c.last_seq).where(device.c.id == pusher.device_id)
                            .with_for_update()).scalar_one_or_none()
        if mutations and last is None:
            last = mutations[0].seq - 1  # no record of this device (new, or the server was restored)
        fresh = [m.seq for m in mutations if m.seq > (last or 0)]
        if fresh and fresh[0] != (last or 0) + 1:
            raise SequenceGap((last or 0) + 1)  # the server lacks what comes before this batch
        hole = next((a + 1 for a, b in pairwise(fresh) if b != a + 1), None)
        if hole is not None:  # not "missing": the server has nothing of this batch committed
            raise BatchHole(hole)
        merger = Merger(conn, pusher, ServerClock(conn, now), now)
        results = [Result(m.seq, m.mutation_id, "duplicate") if m.seq <= (last or 0) else merger.apply(m)
                   for m in mutations]
        new_last = max([m.seq for m in mutations] + [last or 0]) if mutations else last
        conn.execute(update(device).where(device.c.id == pusher.device_id).values(last_seq=new_last, last_seen=now))
        merger.clock.save()
    return results, new_last


def stamp_device(stamp: str) -> str:
    return stamp.rsplit("-", 1)[-1]


class Merger:
    def __init__(self, conn: Connection, pusher: Pusher, clock: ServerClock, now: datetime) -> None:
        self.conn, self.pusher, self.clock, self.now = conn, pusher, clock, now
        self._last_clamped: Stamp | None = None
        self._exists: set[tuple[str, Any]] = set()  # (table, id) seen to exist in this batch: fewer lookups

    def apply(self, m: Mutation) -> Result:
        note = None
        try:
            columns(m.table)  # an unknown table is a ProtocolError naming the known ones
            if m.op not in OPS:
                raise ProtocolError(f"op must be insert, update or delete, not {m.op!r}")
            if not UUID_RE.match(m.row_id):
                raise ProtocolError("row_id must be a lower-case UUID")
            stamp, note = self._clamp(parse_stamp(m.hlc))
            for name, base in (m.base or {}).items():
                if not isinstance(base, str):
                    raise ProtocolError(f"base.{name} must be a clock stamp")
                parse_stamp(base)
            values = decode_fields(m.table, m.fields)
            for name, value in values.items():
                check_decoded(m.table, name, value)
            self.clock.observe(stamp)
            with self.conn.begin_nested():
                status, reason = self._apply(m, stamp, values)
            return Result(m.seq, m.mutation_id, status, reason or note)
        except (ProtocolError, Refused) as exc:
            reason = str(exc)
        except (IntegrityError, DataError) as exc:
            log.warning("mutation %s refused by the database: %s", m.mutation_id, exc.orig)
            reason = "the database refused the change: " + str(exc.orig).splitlines()[0][:200]
        self._compensate(m)
        return Result(m.seq, m.mutation_id, "rejected", reason)

    def _clamp(self, stamp: Stamp) -> tuple[Stamp, str | None]:
        clamped, note = clamp_stamp(stamp, self.now)
        if note is None:
            return stamp, None
        # Keep a fast clock's mutations in their order even though they all land on the same limit.
        last = self._last_clamped
        if last is not None and last.device == clamped.device and clamped <= last:
            clamped = Stamp(last.wall_ms, last.counter + 1, last.device)
        self._last_clamped = clamped
        log.warning("device %s: clock stamp %s clamped to %s", self.pusher.device_id, stamp, clamped)
        return clamped, note

    def _apply(self, m: Mutation, stamp: Stamp, values: dict[str, Any]) -> tuple[str, str | None]:
        table = SYNCED[m.table]
        row = self.conn.execute(select(table).where(table.c.id == m.row_id)).mappings().first()
        refusal = write_refusal(self.pusher.role, m.table, values, is_new=row is None)
        if refusal:
            raise Refused(refusal)
        if is_append_only(m.table):
            if m.op != "insert":
                raise Refused(f"{m.table} is append-only: rows are added, never changed")
            if row is not None:
                if all(row[k] == v for k, v in values.items()):
                    return "duplicate", "already stored"
                raise Refused(f"{m.table} {m.row_id} is already stored with other values (append-only)")
        if row is None:
            if m.op != "insert":
                raise Refused(f"the server has no {m.table} {m.row_id} (was its insert rejected?)")
            self._insert(m, stamp, values)
            return "applied", None
        return self._merge(m, stamp, row, values)

    # -- a new row ----------------------------------------------------------------------------------------------

    def _insert(self, m: Mutation, stamp: Stamp, values: dict[str, Any]) -> None:
        cols = columns(m.table)
        missing = [n for n, c in cols.items() if not c.nullable and n not in values and n != "deleted"]
        if missing:
            raise ProtocolError(f"a new {m.table} needs {', '.join(missing)}")
        server_set = self._number(values) if m.table == "inquiry" else {}
        row = {**dict.fromkeys(cols), "deleted": False, **values, **{k: v for k, (v, _) in server_set.items()}}
        self._check_unique(m.table, m.row_id, row, row)
        self._check_refs(m.table, row)
        versions = {"*": str(stamp), **{k: str(s) for k, (_, s) in server_set.items()}}
        self.conn.execute(insert(SYNCED[m.table]).values(id=m.row_id, created_at=self.now, updated_at=self.now,
                                                         field_versions=versions, **row))
        wire = {k: encode(v) for k, v in values.items()} | {k: encode(v) for k, (v, _) in server_set.items()}
        feed.append(self.conn, m.table, m.row_id, wire, versions, self.now)
        self._exists.add((m.table, m.row_id))

    def _number(self, values: dict[str, Any]) -> dict[str, tuple[Any, Stamp]]:
        """A pushed Inquiry ID is kept (and never leased again); a provisional inquiry gets a real one."""
        ref = values.get("inquiry_ref")
        if ref is not None:
            try:
                parsed = InquiryId.parse(ref)
            except ValueError as exc:
                raise ProtocolError(str(exc)) from exc
            if str(parsed) != ref:
                raise ProtocolError(f"write the inquiry ID as {parsed}")
            month = month_key(parsed.year, parsed.month)
            numbers.note_used(self.conn, month, parsed.sequence)
            inquiry = SYNCED["inquiry"]
            if self.conn.execute(select(inquiry.c.id).where(inquiry.c.inquiry_ref == ref)).first() is None:
                return {}
            # Two inquiries with one ID: only after a restore that forgot a block some desktop still held
            # (see numbers). The first keeps it; this one gets a new number and keeps the old one as its
            # provisional reference, so what the inquirer was told still finds it.
            try:
                block = numbers.take(self.conn, month, 1, device_id=None, user_id=self.pusher.user_id, now=self.now)
            except numbers.LeaseRefused as exc:
                raise Refused(f"the inquiry ID {ref} is taken and no other can be given: {exc}") from exc
            log.warning("inquiry %s pushed with the taken ID %s: renumbered %s", self.pusher.device_id, ref,
                        block.first)
            stamp = self.clock.tick()
            renumbered = {"inquiry_ref": (str(InquiryId(parsed.year, parsed.month, block.first)), stamp)}
            if values.get("provisional_ref") is None:
                renumbered["provisional_ref"] = (ref, stamp)
            return renumbered
        logged = values["logged_date"]
        try:
            block = numbers.take(self.conn, month_key_of(logged), 1, device_id=None, user_id=self.pusher.user_id,
                                 now=self.now)
            real = str(InquiryId(logged.year, logged.month, block.first))
        except ValueError as exc:  # LeaseRefused, or a year outside 2000-2099
            raise Refused(f"no inquiry ID can be given: {exc}") from exc
        return {"inquiry_ref": (real, self.clock.tick())}

    # -- an existing row -------------------------------------------------------------------------------------

    def _merge(self, m: Mutation, stamp: Stamp, row: Any, values: dict[str, Any]) -> tuple[str, str | None]:
        versions: dict[str, str] = dict(row["field_versions"] or {})
        star = versions.get("*", "")
        incoming = str(stamp)
        if m.table == "inquiry" and values.get("inquiry_ref", row["inquiry_ref"]) != row["inquiry_ref"] \
                and row["inquiry_ref"] is not None:
            raise Refused(f"the inquiry ID {row['inquiry_ref']} cannot change once given")
        winners: dict[str, Any] = {}
        losers: dict[str, str] = {}
        conflicts = []
        for name, value in values.items():
            held = versions.get(name, star)
            if name in CONFLICT_TEXT_FIELDS.get(m.table, ()):
                found = self._conflict(m, name, value, incoming, row[name], held)
                if found:
                    conflicts.append(found)
            if incoming > held:
                winners[name] = value
            elif incoming < held:
                losers[name] = held
        if winners:
            merged = {**dict(row), **winners}
            self._check_unique(m.table, m.row_id, winners, merged)
            self._check_refs(m.table, winners)
            versions.update(dict.fromkeys(winners, incoming))
            table = SYNCED[m.table]
            self.conn.execute(update(table).where(table.c.id == m.row_id)
                              .values(**winners, field_versions=versions, updated_at=self.now))
        if winners or losers:
            # Losing fields go out again with the server's values: the desktop may have skipped them while
            # its own edit was pending, and must not keep a value the server did not take.
            wire = {k: encode(v) for k, v in winners.items()} | {k: encode(row[k]) for k in losers}
            feed.append(self.conn, m.table, m.row_id, wire, dict.fromkeys(winners, incoming) | losers, self.now)
        for values_row in conflicts:
            self.conn.execute(insert(conflict).values(**values_row))
        if conflicts:
            names = ", ".join(c["field"] for c in conflicts)
            return "applied", f"both sides changed {names}; the other text is kept as a conflict to settle"
        if values and not winners:
            return "applied", "the server holds newer values; nothing changed"
        return "applied", None

    def _conflict(self, m: Mutation, name: str, value: Any, incoming: str, held_value: Any,
                  held: str) -> dict[str, Any] | None:
        """Both sides changed a text field since they last agreed: keep the loser instead of losing it."""
        if value == held_value or not held or stamp_device(held) == stamp_device(incoming):
            return None
        base = (m.base or {}).get(name)
        # With the stamp the desktop edited from, concurrency is exact. Without it, an incoming edit that
        # loses is concurrent for certain: a desktop that had seen the held value would stamp after it.
        concurrent = base != held if base is not None else incoming < held
        if not concurrent or incoming == held:
            return None
        mine = (encode(value), incoming)
        theirs = (encode(held_value), held)
        kept, losing = (mine, theirs) if incoming > held else (theirs, mine)
        return {"table_name": m.table, "row_id": m.row_id, "field": name, "kept_value": kept[0],
                "kept_stamp": kept[1], "kept_device": stamp_device(kept[1]), "losing_value": losing[0],
                "losing_stamp": losing[1], "losing_device": stamp_device(losing[1]),
                "pushed_by": self.pusher.user_id, "created_at": self.now, "settled": False}

    # -- checks that give a reason instead of a database error ---------------------------------------------------

    def _check_unique(self, table_name: str, row_id: str, changed: dict[str, Any], row: dict[str, Any]) -> None:
        table = SYNCED[table_name]
        groups = [[c.name for c in u.columns] for u in table.constraints if isinstance(u, UniqueConstraint)]
        groups += [[c.name] for c in table.columns if c.unique]
        for names in groups:
            if not set(names) & set(changed) or any(row.get(n) is None for n in names):
                continue
            clash = self.conn.execute(select(table.c.id).where(
                and_(*(table.c[n] == row[n] for n in names)), table.c.id != row_id)).first()
            if clash:
                shown = ", ".join(f"{n}={encode(row[n])}" for n in names)
                raise Refused(f"another {table_name} already has {shown}")

    def _check_refs(self, table_name: str, changed: dict[str, Any]) -> None:
        for fk in SYNCED[table_name].foreign_keys:
            value = changed.get(fk.parent.name)
            target = fk.column.table
            if value is None or (target.name, value) in self._exists:
                continue
            if self.conn.execute(select(fk.column).where(fk.column == value)).first() is None:
                raise Refused(f"{table_name}.{fk.parent.name} refers to {target.name} {value}, "
                              "which the server does not have")
            if fk.column.name == "id":
                self._exists.add((target.name, value))

    def _compensate(self, m: Mutation) -> None:
        """A refused change to an existing row: send the row's values back so the desktop drops its own."""
        try:
            table = SYNCED[m.table]
            names = [n for n in m.fields if n in columns(m.table)] if isinstance(m.fields, dict) else []
        except (KeyError, ProtocolError):
            return
        if not names or not isinstance(m.row_id, str):
            return
        row = self.conn.execute(select(table).where(table.c.id == m.row_id)).mappings().first()
        if row is None:
            return
        versions = row["field_versions"] or {}
        feed.append(self.conn, m.table, m.row_id, {n: encode(row[n]) for n in names},
                    {n: versions.get(n, versions.get("*", "")) for n in names}, self.now)
