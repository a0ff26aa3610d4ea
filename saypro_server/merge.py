"""Applying one pushed mutation: checks of every field and of the role, per-field merge by clock stamp,
conflicts, Inquiry IDs.

A batch (``push``) is one feed-locked transaction; each mutation runs in a savepoint, so a mutation that
the server refuses is rejected alone. Every row change (and every compensating change that corrects a
desktop whose value lost or was refused) is appended to the change feed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, UniqueConstraint, and_, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError

from saypro_desktop.core import row_checks
from saypro_desktop.core.hlc import Stamp
from saypro_desktop.core.permissions import Role
from saypro_desktop.core.uuids import UUID_RE
from saypro_desktop.sync.protocol import (
    AUTHOR_FIELDS,
    CONFLICT_TEXT_FIELDS,
    PERSONAL_FIELDS,
    SPECS,
    ProtocolError,
    columns,
    decode_fields,
    encode,
)

from . import audit_chain, authorship, feed, staff_rules
from .checks import Refused, check_decoded, clamp_stamp, parse_stamp
from .moderation import Moderation
from .numbering import Numbering
from .rules import is_append_only, names_others, personal_refusal, sees_personal, write_refusal
from .store.db import ServerClock, get_meta
from .store.schema import SYNCED, conflict

log = logging.getLogger(__name__)
OPS = frozenset({"insert", "update", "delete"})


class Wait(Exception):
    """A mutation that refers to a row the server lost when it was restored from a backup: a desktop that
    holds the row sends it again, so this one is answered ``retry`` (not acknowledged) for a while after a
    restore instead of being refused for good. ``needs`` names the row (the pushing desktop may hold it)."""

    def __init__(self, reason: str, table: str, row_id: str) -> None:
        super().__init__(reason)
        self.needs = {"table": table, "row_id": row_id}


RESTORED_AT = "restored_at"  # server_meta: when rotate-epoch last ran
MAX_SENT_BACK = 50  # compensating changes one batch may cause (a desktop with more is corrected at a later sync)
WAIT_AFTER_RESTORE = timedelta(days=14)


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
    status: str  # applied, duplicate, rejected, retry
    reason: str | None = None
    needs: dict[str, str] | None = None  # with retry: the row the server waits for


def stamp_device(stamp: str) -> str:
    return stamp.rsplit("-", 1)[-1]


class Merger:
    def __init__(self, conn: Connection, pusher: Pusher, clock: ServerClock, now: datetime) -> None:
        self.conn, self.pusher, self.clock, self.now = conn, pusher, clock, now
        self._last_clamped: Stamp | None = None
        self._exists: set[tuple[str, Any]] = set()  # (table, id) seen to exist in this batch: fewer lookups
        self._sent_back: set[tuple[str, str, frozenset[str]]] = set()  # values sent back in this batch
        self.moderation = Moderation(conn, pusher.user_id, pusher.role, clock.tick, now)
        restored = get_meta(conn, RESTORED_AT)
        self.after_restore = restored is not None and now - datetime.fromisoformat(restored) < WAIT_AFTER_RESTORE

    def apply(self, m: Mutation) -> Result:
        notes: list[str] = []
        try:
            columns(m.table)  # an unknown table is a ProtocolError naming the known ones
            if m.op not in OPS:
                raise ProtocolError(f"op must be insert, update or delete, not {m.op!r}")
            if not UUID_RE.match(m.row_id):
                raise ProtocolError("row_id must be a lower-case UUID")
            stamp, note = self._clamp(parse_stamp(m.hlc))
            notes += [note] if note else []
            for name, base in (m.base or {}).items():
                if not isinstance(base, str):
                    raise ProtocolError(f"base.{name} must be a clock stamp")
                parse_stamp(base)
            values = decode_fields(m.table, m.fields)
            for name, value in values.items():
                check_decoded(m.table, name, value)
            found = row_checks.problems(m.table, values)
            if found:
                raise Refused("; ".join(found))
            self.clock.observe(stamp)
            received = dict(values)  # as sent: the audit chain's hash covers it before the server sets anything
            with self.conn.begin_nested():
                status, reason = self._apply(m, stamp, values, notes)
                if m.table == "audit_entry" and m.op == "insert":
                    chained = audit_chain.record(self.conn, self.pusher.user_id, self.pusher.device_id, m.row_id,
                                                 received, self.now)
                    notes += [chained] if chained else []
            return Result(m.seq, m.mutation_id, status, "; ".join(([reason] if reason else []) + notes) or None)
        except Wait as exc:
            return Result(m.seq, m.mutation_id, "retry", str(exc), exc.needs)
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

    def _apply(self, m: Mutation, stamp: Stamp, values: dict[str, Any], notes: list[str]) -> tuple[str, str | None]:
        table = SYNCED[m.table]
        row = self.conn.execute(select(table).where(table.c.id == m.row_id)).mappings().first()
        is_new = row is None
        role = self.pusher.role
        if is_append_only(m.table) and not names_others(role):
            refusal = authorship.foreign_author(self.pusher.user_id, m.table, values)
            if refusal:
                raise Refused(refusal)
        notes += authorship.normalise(role, self.pusher.user_id, m.table, values, stamp, self.now, is_new=is_new)
        if row is not None and not sees_personal(role):
            self._unseen(m, values)
        spec = SPECS[m.table]
        undo = bool(spec.delete) and m.op != "insert" and set(values) == {"deleted"}
        if is_append_only(m.table) and row is not None and not undo:
            if m.op != "insert":
                raise Refused(f"{m.table} is append-only: rows are added, never changed"
                              + (" (its author may only undo one: set deleted)" if spec.delete else ""))
            stored, sent = (authorship.comparable(m.table, v, hide_personal=not sees_personal(role))
                            for v in (dict(row), values))
            if all(stored.get(k) == v for k, v in sent.items()):
                notes.clear()
                return "duplicate", "already stored"
            raise Refused(f"{m.table} {m.row_id} is already stored with other values (append-only)")
        held_back = self._server_owned(m.table, row, values) if row is not None else []
        deleting = "deleted" in values and bool(values["deleted"]) != bool(row["deleted"] if row else False)
        # On a stored row only what would change is judged: an insert sent again, or a field sent with the value
        # the server holds, asks for nothing.
        asked = values if row is None else {k: v for k, v in values.items() if row[k] != v}
        refusal = write_refusal(role, m.table, asked, is_new=is_new, deleting=deleting)
        if refusal:
            raise Refused(refusal)
        if deleting and row is not None:
            self._check_undo(m.table, row, values)
        self.moderation.check(m.table, m.row_id, row, values, notes)
        staff_rules.check(self.conn, m.table, row, values, self.now)  # never without an Admin
        if row is None:
            if m.op != "insert":
                self._missing(f"the server has no {m.table} {m.row_id} (was its insert rejected?)", m.table,
                              m.row_id)
            notes += self._insert(m, stamp, values)
            return "applied", None
        return self._merge(m, stamp, row, values, held_back)

    def _check_undo(self, table: str, row: Any, values: dict[str, Any]) -> None:
        """Setting or clearing ``deleted`` on a stored row: where only its author may (``delete_own_only``), the
        row's recorded author must be the pusher, unless the role may import (a Supervisor, an Admin). An
        append-only row once undone stays undone (a new row says it again)."""
        spec = SPECS[table]
        if spec.append_only and row["deleted"] and not values["deleted"]:
            raise Refused(f"an undone {table} row stays undone; make a new one instead")
        if spec.delete_own_only and spec.author and not names_others(self.pusher.role) \
                and row[spec.author] != self.pusher.user_id:
            raise Refused(f"only the person who made this {table} row (or a Supervisor or an Admin) may undo it")

    def _unseen(self, m: Mutation, values: dict[str, Any]) -> None:
        """A role that may not see an inquirer's details learns nothing of them from answers: an update naming
        them is refused whatever the value, and an insert sent again leaves them out whatever the value (its
        desktop holds placeholders). Judging only values that differ would tell a right guess from a wrong one."""
        personal = set(values) & PERSONAL_FIELDS.get(m.table, frozenset())
        if not personal:
            return
        if m.op != "insert":
            raise Refused(personal_refusal(self.pusher.role, m.table))
        for name in personal:
            del values[name]

    def _server_owned(self, table: str, row: Any, values: dict[str, Any]) -> list[str]:
        """Fields of a stored row the server decided and a desktop's value cannot change: the Inquiry ID, and
        the author it recorded for a role that cannot import (an insert sent again after the server renumbered
        the inquiry or recorded another author). Dropped from ``values``; the desktop is sent the server's."""
        owned = sorted(SPECS[table].server_set)
        author = AUTHOR_FIELDS.get(table)
        if author and not names_others(self.pusher.role):
            owned.append(author)
        differ = [f for f in owned if f in values and values[f] != row[f]]
        for f in differ:
            del values[f]
        return differ

    # -- a new row ----------------------------------------------------------------------------------------------

    def _insert(self, m: Mutation, stamp: Stamp, values: dict[str, Any]) -> list[str]:
        cols = columns(m.table)
        missing = [n for n, c in cols.items() if not c.nullable and n not in values and n != "deleted"]
        if missing:
            raise ProtocolError(f"a new {m.table} needs {', '.join(missing)}")
        notes: list[str] = []
        server_set: dict[str, tuple[Any, Stamp]] = {}
        if m.table == "inquiry":
            server_set = Numbering(self.conn, self.pusher, self.clock.tick, self.now,
                                   self.after_restore).number(m.row_id, values, notes)
        else:
            server_set = self.moderation.before_insert(m.table, m.row_id, values, notes)
        row = {**dict.fromkeys(cols), "deleted": False, **values, **{k: v for k, (v, _) in server_set.items()}}
        problem = row_checks.row_problem(m.table, row)
        if problem:
            raise Refused(problem)
        self._check_unique(m.table, m.row_id, row, row)
        self._check_refs(m.table, row)
        versions = {"*": str(stamp), **{k: str(s) for k, (_, s) in server_set.items()}}
        self.conn.execute(insert(SYNCED[m.table]).values(id=m.row_id, created_at=self.now, updated_at=self.now,
                                                         field_versions=versions, **row))
        wire = {k: encode(v) for k, v in values.items()} | {k: encode(v) for k, (v, _) in server_set.items()}
        feed.append(self.conn, m.table, m.row_id, wire, versions, self.now)
        self._exists.add((m.table, m.row_id))
        self.moderation.after_insert(m.table, m.row_id, row)
        return notes

    # -- an existing row -------------------------------------------------------------------------------------

    def _merge(self, m: Mutation, stamp: Stamp, row: Any, values: dict[str, Any],
               held_back: list[str]) -> tuple[str, str | None]:
        versions: dict[str, str] = dict(row["field_versions"] or {})
        star = versions.get("*", "")
        incoming = str(stamp)
        winners: dict[str, Any] = {}
        # Fields the server owns come back with its values, like any value that lost.
        losers: dict[str, str] = {f: versions.get(f, star) for f in held_back}
        note = f"{', '.join(held_back)} stays as the server recorded it" if held_back else None
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
            problem = row_checks.row_problem(m.table, merged)
            if problem:
                raise Refused(problem)
            self._check_unique(m.table, m.row_id, winners, merged)
            self._check_refs(m.table, winners)
            versions.update(dict.fromkeys(winners, incoming))
            table = SYNCED[m.table]
            self.conn.execute(update(table).where(table.c.id == m.row_id)
                              .values(**winners, field_versions=versions, updated_at=self.now))
        if winners or (losers and self._may_send_back(m.table, m.row_id, losers)):
            # Losing fields go out again with the server's values: the desktop may have skipped them while
            # its own edit was pending, and must not keep a value the server did not take.
            wire = {k: encode(v) for k, v in winners.items()} | {k: encode(row[k]) for k in losers}
            feed.append(self.conn, m.table, m.row_id, wire, dict.fromkeys(winners, incoming) | losers, self.now)
        if winners:
            self.moderation.after_update(m.table, m.row_id, row, winners)
        for values_row in conflicts:
            self.conn.execute(insert(conflict).values(**values_row))
        if conflicts:
            names = ", ".join(c["field"] for c in conflicts)
            return "applied", f"both sides changed {names}; the other text is kept as a conflict to settle"
        if note:
            return "applied", note
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
                self._missing(f"{table_name}.{fk.parent.name} refers to {target.name} {value}, "
                              "which the server does not have", target.name, value)
            if fk.column.name == "id":
                self._exists.add((target.name, value))

    def _missing(self, reason: str, table: str, row_id: str) -> None:
        """A row this change needs is not here: refused, or, soon after a restore, waited for."""
        if self.after_restore:
            raise Wait(f"{reason} yet: it was lost in the server's restore and is waited for from a desktop "
                       "that holds it", table, row_id)
        raise Refused(reason)

    def _compensate(self, m: Mutation) -> None:
        """A refused change to an existing row: send the row's values back so the desktop drops its own."""
        try:
            table = SYNCED[m.table]
            names = [n for n in m.fields if n in columns(m.table)] if isinstance(m.fields, dict) else []
        except (KeyError, ProtocolError):
            return
        if not names or not isinstance(m.row_id, str) or not self._may_send_back(m.table, m.row_id, names):
            return
        row = self.conn.execute(select(table).where(table.c.id == m.row_id)).mappings().first()
        if row is None:
            return
        versions = row["field_versions"] or {}
        feed.append(self.conn, m.table, m.row_id, {n: encode(row[n]) for n in names},
                    {n: versions.get(n, versions.get("*", "")) for n in names}, self.now)

    def _may_send_back(self, table: str, row_id: str, names: Any) -> bool:
        """Whether to put the server's values of these fields on the feed again for this desktop: once per row
        and fields in a batch, and at most ``MAX_SENT_BACK`` times in a batch (a push cannot fill the feed
        every desktop downloads)."""
        key = (table, row_id, frozenset(names))
        if key in self._sent_back or len(self._sent_back) >= MAX_SENT_BACK:
            return False
        self._sent_back.add(key)
        return True
