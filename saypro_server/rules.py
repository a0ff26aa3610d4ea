"""What each role may do through sync, per table and operation (docs/PERMISSIONS.md), and what it may read.

The server enforces the same permissions the desktop's services check (``core.permissions``), because a
desktop can be modified or be signed in as another user than the one who made its queued changes. Every
pushed mutation is one of: insert (a new row), update (fields of a row), delete (its ``deleted`` field set,
a tombstone; setting it back is the same operation). Anything not allowed below is refused for that
mutation alone.
"""

from __future__ import annotations

from typing import Any

from saypro_desktop.core.permissions import Permission, Role, can
from saypro_desktop.models.sync_spec import WRITE_PERMISSIONS
from saypro_desktop.sync.protocol import APPEND_ONLY_TABLES, INITIAL_VALUES, PERSONAL_FIELDS, SPECS

# When something happened, on append-only records: never later than the server's clock.
EVENT_TIME_FIELDS: dict[str, str] = {n: s.event_time for n, s in SPECS.items() if s.event_time}


def can_push(role: Role) -> bool:
    """Roles with no write permission at all (Viewer, Marketing) cannot push; their queue waits."""
    return any(can(role, p) for p in WRITE_PERMISSIONS)


def sees_personal(role: Role) -> bool:
    return can(role, Permission.VIEW_PERSONAL_DETAILS)


def names_others(role: Role) -> bool:
    """Whether pushed rows of this role keep the author they name (imports, migrated history)."""
    return can(role, Permission.IMPORT)


def _any(role: Role, permissions: frozenset[Permission]) -> bool:
    return any(can(role, p) for p in permissions)


def write_refusal(role: Role, table: str, fields: dict[str, Any], *, is_new: bool,
                  deleting: bool | None = None) -> str | None:
    """Why this role may not make this change (None: allowed). ``deleting``: the change sets ``deleted``
    (to either value) on an existing row, or inserts a row that is already deleted."""
    label = role.value
    spec = SPECS.get(table)
    if spec is None:
        return f"{table} is not written through sync"
    if table == "staff_user" and not _any(role, spec.insert):
        return "only an Admin may add, change or remove staff users"
    if deleting is None:
        deleting = "deleted" in fields and (not is_new or bool(fields["deleted"]))
    if deleting and not _any(role, spec.delete):
        return f"the {label} role may not delete {table} rows" if spec.delete else f"{table} rows are never deleted"
    if is_new:
        if not _any(role, spec.insert):
            return f"the {label} role may not add {table} rows"
        # A new row may not carry what the role could not set by an update (an appeal already decided).
        initial = INITIAL_VALUES.get(table, {})
        for name in sorted(set(fields) & set(spec.field_permissions)):
            value = fields[name]
            if value in (None, "", [], {}, False) or value == initial[name]:
                continue
            if not _any(role, spec.field_permissions[name]):
                return f"the {label} role may not set {table}.{name}: send the new row without it"
        return None
    if spec.append_only:
        if set(fields) <= {"deleted"}:
            return None  # undone (deleting was judged above), or nothing asked
        return f"{table} is append-only: rows are added, never changed" + (
            " (its author may only undo one: set deleted)" if spec.delete else "")
    fixed = set(fields) & spec.immutable
    if names_others(role):
        fixed.discard(spec.author)  # enrolment points a standalone desktop's history at the server's users
    if fixed:
        return f"{table}.{', '.join(sorted(fixed))} cannot change once the row exists"
    personal = sorted(set(fields) & spec.personal)
    if personal and not (_any(role, spec.updaters()) and sees_personal(role)):
        return f"the {label} role may not change the {_whose(table)} personal details ({', '.join(personal)})"
    for name in sorted(set(fields) - spec.personal - {"deleted"}):
        if not _any(role, spec.field_permissions.get(name, spec.updaters())):
            return f"the {label} role may not change {table}.{name}"
    return None


_WHOSE = {"inquiry": "inquirer's", "ad": "advertiser's", "ad_report": "reporter's"}


def _whose(table: str) -> str:
    return _WHOSE.get(table, f"{table}'s")


def personal_refusal(role: Role, table: str) -> str:
    """Why a role that may not see another person's details may not name them in an update."""
    return f"the {role.value} role may not change the {_whose(table)} personal details"


def is_append_only(table: str) -> bool:
    return table in APPEND_ONLY_TABLES


_ALL_PERSONAL = frozenset().union(*PERSONAL_FIELDS.values())
# Tables only roles that see classified ads receive (every change of them, in pulls and answers alike).
AD_TABLES = frozenset({"ad", "ad_decision", "ad_report", "sanction", "appeal", "moderation_audit",
                       "moderation_policy"})


def may_read_table(role: Role, table: str) -> bool:
    return table not in AD_TABLES or can(role, Permission.VIEW_ADS)


def filter_for_role(role: Role, table: str, fields: dict[str, Any],
                    versions: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A feed entry as this role may see it: without an inquirer's personal details where withheld. Every
    change a desktop receives passes here, compensating changes included. A table the role may not read at
    all comes out empty (the entry is left out)."""
    if not may_read_table(role, table):
        return {}, {}
    if sees_personal(role):
        return fields, versions
    hidden = PERSONAL_FIELDS.get(table)
    if hidden:
        fields = {k: v for k, v in fields.items() if k not in hidden}
        versions = {k: v for k, v in versions.items() if k not in hidden}
    if table == "audit_entry" and "changes" in fields:
        # The audit trail records old and new values: it must not carry the details around the filter. An
        # entry may arrive without its ``entity`` (a compensating change names only the fields pushed), so
        # personal field names are dropped whatever the entity.
        changes = fields["changes"]
        kept = {k: v for k, v in changes.items() if k not in _ALL_PERSONAL} if isinstance(changes, dict) else {}
        fields = {**fields, "changes": kept}
    return fields, versions
