"""Who wrote a pushed row and when it happened, as the server records them.

A desktop's word on authorship is not evidence: the server sets the author of a new row to the signed-in
user (roles that may import keep the staff their rows name: imports and a standalone desktop's history).
Times of append-only records are bounded: never later than the server's clock, and, for roles that cannot
import, not more than the clock drift the server tolerates before the change's own clock stamp. The server's
``push_log`` keeps when each row actually arrived.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from saypro_desktop.core.audit_chain import CHAIN_FIELDS
from saypro_desktop.core.hlc import MAX_DRIFT_MS, Stamp
from saypro_desktop.core.permissions import Role
from saypro_desktop.sync.protocol import AUTHOR_FIELDS, PERSONAL_FIELDS, SPECS

from .rules import EVENT_TIME_FIELDS, names_others

FUTURE_SLACK = timedelta(minutes=5)
_ALL_PERSONAL = frozenset().union(*PERSONAL_FIELDS.values())


def normalise(role: Role, user_id: str, table: str, values: dict[str, Any], stamp: Stamp, now: datetime,
              *, is_new: bool) -> list[str]:
    """Set authorship and bound event times in ``values`` (in place); returns notes on what was changed."""
    notes = []
    free = names_others(role)
    author = AUTHOR_FIELDS.get(table)
    if author and is_new and not free and values.get(author) != user_id:
        if values.get(author) is not None:
            notes.append(f"{table}.{author} is the signed-in user, not the one the desktop named")
        values[author] = user_id
    when = EVENT_TIME_FIELDS.get(table)
    at = values.get(when) if when else None
    if isinstance(at, datetime):
        earliest = datetime.fromtimestamp(stamp.wall_ms / 1000, UTC) - timedelta(milliseconds=MAX_DRIFT_MS)
        if at > now + FUTURE_SLACK:
            values[when] = now
            notes.append(f"{table}.{when} was in the future; the server's time is kept")
        elif not free and at < earliest:
            values[when] = earliest
            notes.append(f"{table}.{when} was long before the change was made; moved to the earliest time it allows")
    return notes


def comparable(table: str, values: dict[str, Any], *, hide_personal: bool = False) -> dict[str, Any]:
    """The values an append-only row sent again is compared on: what the server may have set itself when the
    row first arrived (its author and time, from whichever desktop sent it first, and the fields it decides) is left
    out, and, for a role that may not see them, the inquirer's details an audit entry records (the answer must
    not tell a right guess of them from a wrong one)."""
    spec = SPECS.get(table)
    skip = {AUTHOR_FIELDS.get(table), EVENT_TIME_FIELDS.get(table), "id", "created_at", "updated_at",
            "field_versions"}
    if table == "audit_entry":
        # An entry sent before its desktop chained it, sent again with its chain: the same entry (audit_chain.py
        # witnesses its link from then on).
        skip |= set(CHAIN_FIELDS)
    if spec is not None:
        # What the server decides (a decision's standing) and, where the author may undo a row, its tombstone
        # (merged on its own: an insert sent again after the undo is still the same row).
        skip |= spec.server_set | ({"deleted"} if spec.delete else set())
    out = {k: v for k, v in values.items() if k not in skip}
    if hide_personal and isinstance(out.get("changes"), dict):
        out["changes"] = {k: v for k, v in out["changes"].items() if k not in _ALL_PERSONAL}
    return out


def foreign_author(user_id: str, table: str, values: dict[str, Any]) -> str | None:
    """Why an append-only row naming another author is refused from a role that cannot import (None: fine).
    Notes and audit entries are evidence: such a desktop sends only its own (it never re-sends a colleague's;
    their desktop or a Supervisor's does), so a row id learnt from the feed cannot be taken with other text."""
    author = AUTHOR_FIELDS.get(table)
    named = values.get(author) if author else None
    if named is not None and named != user_id:
        return f"a {table} row is sent only by the desktop of the person who wrote it (or a Supervisor's)"
    return None
