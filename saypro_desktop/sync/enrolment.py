"""Enrolling a desktop that already holds local data: its local staff users become the server's.

A desktop used on its own has staff users the server never saw (at least the first local Admin), and
its inquiries, notes and audit rows refer to them. Before the first push, each such user is matched by
user name to a server user and every local reference is re-pointed to the server's row (rows and queued
outbox entries alike), so nothing is refused for an unknown or duplicate user. A local user the server
does not know is dropped when nothing refers to it (the untouched first Admin), pushed as a new user when
an Admin enrols, and otherwise stops the enrolment with a message that says what to do; then nothing
changes locally. (Creating or changing staff users is not work that keeps a user: such audit rows stay,
attributed to nobody, when their author is dropped.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, delete, func, select, text, update
from sqlalchemy.orm import Session

from ..core.permissions import Permission, Role, can
from ..models import AuditEntry, ChangeLogEntry, StaffUser
from ..models.base import Base
from ..store.changelog import rechain
from .apply import apply_changes
from .client import SyncClient, SyncError
from .protocol import AUTHOR_FIELDS


class EnrolmentRefused(SyncError):
    """Local records by users the server does not know, and a user who may not create them."""


@dataclass
class EnrolmentPlan:
    mapped: dict[str, str] = field(default_factory=dict)  # local staff id -> the server's id (same user name)
    dropped: list[str] = field(default_factory=list)  # local ids nothing refers to
    pushed: list[str] = field(default_factory=list)  # user names created on the server by this Admin
    unknown: list[str] = field(default_factory=list)  # user names that stop a non-Admin's enrolment
    others: list[str] = field(default_factory=list)  # other people's queued work a role that cannot import holds

    def summary(self) -> str:
        parts = []
        if self.mapped:
            parts.append(f"{len(self.mapped)} local user(s) matched to the server's")
        if self.pushed:
            parts.append(f"new on the server: {', '.join(self.pushed)}")
        return "; ".join(parts)


def server_staff(client: SyncClient) -> list[dict[str, Any]]:
    """Every staff-user change on the server's feed (a few hundred rows at most), from the start."""
    changes: list[dict[str, Any]] = []
    cursor: dict[str, Any] | None = None
    while True:
        page = client.pull(cursor, tables=["staff_user"])
        changes += page["changes"]
        cursor = page["next"]
        if not page.get("more"):
            return changes


def _staff_refs() -> list[Any]:
    """Every column of a local table that refers to a staff user."""
    return [fk.parent for t in Base.metadata.sorted_tables for fk in t.foreign_keys
            if fk.column.table.name == "staff_user"]


def plan(session: Session, changes: list[dict[str, Any]], role: Role, enrolling: str = "") -> EnrolmentPlan:
    names: dict[str, str] = {}
    for c in changes:
        if "username" in (c.get("fields") or {}):
            names[str(c["fields"]["username"]).casefold()] = c["row_id"]
    local_only = session.scalars(select(StaffUser).where(StaffUser.id.in_(
        select(ChangeLogEntry.row_id).where(ChangeLogEntry.table_name == "staff_user", ChangeLogEntry.op == "insert",
                                            ChangeLogEntry.state == "pending")))).all()
    result = EnrolmentPlan()
    for user in local_only:
        server_id = names.get(user.username.casefold())
        if server_id is not None:
            result.mapped[user.id] = server_id
        elif not _referenced(session, user.id):
            result.dropped.append(user.id)
        elif can(role, Permission.MANAGE_USERS):
            result.pushed.append(user.username)
        else:
            result.unknown.append(user.username)
    if not can(role, Permission.IMPORT):
        result.others = _others_work(session, result, names.get(enrolling.casefold()))
    return result


def _others_work(session: Session, result: EnrolmentPlan, me: str | None) -> list[str]:
    """User names of people other than the enrolling user whose queued work this desktop holds. The server
    records the signed-in user as the author of what a role that cannot import sends, so such work would
    lose its authors' names: a Supervisor or an Admin must connect this desktop."""
    found: set[str] = set()
    for table, author in AUTHOR_FIELDS.items():
        rows = session.scalars(select(ChangeLogEntry.fields).where(
            ChangeLogEntry.table_name == table, ChangeLogEntry.op == "insert", ChangeLogEntry.state == "pending"))
        for fields in rows:
            who = (fields or {}).get(author)
            if who is not None and who not in result.dropped and result.mapped.get(who, who) != me:
                found.add(who)
    names = dict(session.execute(select(StaffUser.id, StaffUser.username).where(StaffUser.id.in_(found))).all())
    return sorted(names.get(i, i) for i in found)


def _referenced(session: Session, staff_id: str) -> bool:
    """Whether any record of the office's work names the user (managing staff users does not count)."""
    for column in _staff_refs():
        table = column.table
        if table.name == "local_credential":
            continue
        q = select(func.count()).select_from(table).where(column == staff_id)
        if table.name == "audit_entry":
            q = q.where(table.c.entity != "staff_user")
        if session.scalar(q):
            return True
    return False


def adopt(session: Session, changes: list[dict[str, Any]], role: Role, enrolling: str) -> EnrolmentPlan:
    """In the caller's transaction: re-point local users to the server's, drop the unused ones, and take
    the server's staff rows. Raises EnrolmentRefused (changing nothing) as described above."""
    result = plan(session, changes, role, enrolling)
    if result.unknown:
        raise EnrolmentRefused(
            f"this desktop holds records by local user(s) the server does not know: {', '.join(result.unknown)}. "
            f"Ask the server's administrator to create them (saypro-server create-user), or connect as an Admin "
            f"to create them; then connect again. Nothing was changed ({enrolling} stays local).")
    if result.others:
        raise EnrolmentRefused(
            f"this desktop holds work by {', '.join(result.others)} that is not on the server yet. Connect it as a "
            f"Supervisor or an Admin, so that the work keeps each person's name (a {role.value} connecting it "
            f"would be recorded as the author of all of it). Nothing was changed.")
    # Rows and their references change in any order inside this transaction; SQLite checks the keys at commit.
    session.execute(text("PRAGMA defer_foreign_keys = ON"))
    for local, server in [*result.mapped.items(), *((local, None) for local in result.dropped)]:
        _forget(session, local)
        # What names a dropped user is only the management of staff users: it stays, by nobody.
        for column in _staff_refs():
            if column.table.name == "local_credential" and server is None:
                session.execute(delete(column.table).where(column == local))
            else:
                session.execute(update(column.table).where(column == local).values({column.name: server}))
        _rewrite_queued(session, local, server)
    session.flush()
    _close_holes(session)
    if result.mapped or result.dropped:
        rechain(session)  # the audit rows just re-pointed or dropped were never sent: chain them as they are now
    apply_changes(session, changes)
    return result


def _close_holes(session: Session) -> None:
    """Number the queued entries without holes again (the server takes a device's mutations only in an
    unbroken sequence; none of them has been sent, so renumbering is safe). Negative numbers first, so
    that no two rows ever hold the same number during the update."""
    first = session.scalar(select(func.min(ChangeLogEntry.seq)).where(ChangeLogEntry.state == "pending"))
    if first is None:
        return
    session.execute(text(
        "UPDATE change_log SET seq = -r.n FROM (SELECT seq AS old, :first - 1 + ROW_NUMBER() OVER (ORDER BY seq) "
        "AS n FROM change_log WHERE seq >= :first) AS r WHERE change_log.seq = r.old"), {"first": first})
    session.execute(text("UPDATE change_log SET seq = -seq WHERE seq < 0"))


def _rewrite_queued(session: Session, local: str, server: str | None) -> None:
    """Queued outbox entries and audit rows that name the local user name the server's instead."""
    mentions = func.instr(func.cast(ChangeLogEntry.fields, String), local) > 0  # JSON is text in SQLite
    for seq, fields in session.execute(select(ChangeLogEntry.seq, ChangeLogEntry.fields).where(
            ChangeLogEntry.state == "pending", ChangeLogEntry.table_name != "staff_user", mentions)).all():
        session.execute(update(ChangeLogEntry).where(ChangeLogEntry.seq == seq)
                        .values(fields=_replace(fields, local, server)))
    for audit_id, changes in session.execute(select(AuditEntry.id, AuditEntry.changes).where(
            func.instr(func.cast(AuditEntry.changes, String), local) > 0)).all():
        session.execute(update(AuditEntry).where(AuditEntry.id == audit_id)
                        .values(changes=_replace(changes, local, server)))


def _replace(value: Any, old: str, new: str | None) -> Any:
    if value == old:
        return new
    if isinstance(value, dict):
        return {k: _replace(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, old, new) for v in value]
    return value


def _forget(session: Session, staff_id: str) -> None:
    """The local user row, the record of its creation and their queued entries: the server has its own."""
    own_audit = select(AuditEntry.id).where(AuditEntry.entity == "staff_user", AuditEntry.entity_id == staff_id)
    session.execute(delete(ChangeLogEntry).where(ChangeLogEntry.state == "pending", (
        (ChangeLogEntry.table_name == "staff_user") & (ChangeLogEntry.row_id == staff_id))
        | ((ChangeLogEntry.table_name == "audit_entry") & ChangeLogEntry.row_id.in_(own_audit))))
    session.execute(delete(AuditEntry).where(AuditEntry.id.in_(own_audit)))
    session.execute(delete(StaffUser).where(StaffUser.id == staff_id))
