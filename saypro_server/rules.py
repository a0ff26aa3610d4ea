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
from saypro_desktop.sync.protocol import APPEND_ONLY_TABLES, PERSONAL_FIELDS

# Inquiry fields written by a status change or an assignment (the desktop's change_status and assign).
STATUS_FIELDS = frozenset({
    "status", "escalated", "escalation_tier", "escalation_reason", "escalated_at", "auto_escalated",
    "resolution", "resolved_at", "resolved_date", "resolved_on_first_contact", "user_confirmation", "closed_at",
    "reopen_count", "acknowledged_at",
})
ASSIGN_FIELDS = frozenset({"assigned_to_id", "assigned_at"})
WRITE_PERMISSIONS = frozenset({
    Permission.CREATE_INQUIRY, Permission.EDIT_INQUIRY, Permission.ADD_NOTE, Permission.CHANGE_STATUS,
    Permission.ASSIGN_INQUIRY, Permission.MANAGE_USERS,
})

# Who may add a row (any one of the permissions).
INSERT: dict[str, frozenset[Permission]] = {
    "staff_user": frozenset({Permission.MANAGE_USERS}),
    "inquiry": frozenset({Permission.CREATE_INQUIRY}),
    "action_step": frozenset({Permission.ADD_NOTE}),
    "audit_entry": WRITE_PERMISSIONS,  # every change a writer makes is audited
    "attachment": frozenset({Permission.EDIT_INQUIRY}),
    "inquiry_link": frozenset({Permission.EDIT_INQUIRY}),
}
# Who may set or clear ``deleted``. Inquiries are closed, never deleted (the app offers no deletion; erasing
# personal data is its own operation); append-only tables are never changed at all.
DELETE: dict[str, frozenset[Permission]] = {
    "staff_user": frozenset({Permission.MANAGE_USERS}),
    "inquiry": frozenset(),
    "action_step": frozenset(),
    "audit_entry": frozenset(),
    "attachment": frozenset({Permission.EDIT_INQUIRY}),
    "inquiry_link": frozenset({Permission.EDIT_INQUIRY}),
}
# Fields fixed once the row exists: changing them would make it another record.
IMMUTABLE: dict[str, frozenset[str]] = {
    "inquiry": frozenset({"received_by_id", "logged_at", "logged_date"}),
    "attachment": frozenset({"inquiry_id", "sha256", "size", "added_by_id"}),
    "inquiry_link": frozenset({"inquiry_id", "linked_inquiry_id"}),
}
# When something happened, on append-only records: never later than the server's clock.
EVENT_TIME_FIELDS: dict[str, str] = {"action_step": "at", "audit_entry": "at"}


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


def _inquiry_field_permissions(field: str) -> tuple[Permission, ...]:
    """Any one of the returned permissions allows writing the field on an existing inquiry."""
    if field in PERSONAL_FIELDS["inquiry"]:
        return ()  # checked separately: EDIT_INQUIRY and VIEW_PERSONAL_DETAILS together
    if field == "acknowledged_at":
        # Recording a user contact (ADD_NOTE, allowed to Moderators) stops the acknowledgement clock.
        return (Permission.CHANGE_STATUS, Permission.ADD_NOTE)
    if field in STATUS_FIELDS:
        return (Permission.CHANGE_STATUS,)
    if field in ASSIGN_FIELDS:
        return (Permission.ASSIGN_INQUIRY,)
    return (Permission.EDIT_INQUIRY,)


def write_refusal(role: Role, table: str, fields: dict[str, Any], *, is_new: bool,
                  deleting: bool | None = None) -> str | None:
    """Why this role may not make this change (None: allowed). ``deleting``: the change sets ``deleted``
    (to either value) on an existing row, or inserts a row that is already deleted."""
    label = role.value
    if table not in INSERT:
        return f"{table} is not written through sync"
    if table == "staff_user" and not _any(role, INSERT[table]):
        return "only an Admin may add, change or remove staff users"
    if deleting is None:
        deleting = "deleted" in fields and (not is_new or bool(fields["deleted"]))
    if deleting and not _any(role, DELETE[table]):
        return (f"the {label} role may not delete {table} rows" if DELETE[table]
                else f"{table} rows are never deleted")
    if is_new:
        return None if _any(role, INSERT[table]) else f"the {label} role may not add {table} rows"
    if table in APPEND_ONLY_TABLES:
        return f"{table} is append-only: rows are added, never changed"
    fixed = sorted(set(fields) & IMMUTABLE.get(table, frozenset()))
    if fixed and not (table == "inquiry" and names_others(role) and fixed == ["received_by_id"]):
        return f"{table}.{', '.join(fixed)} cannot change once the row exists"
    if table == "inquiry":
        personal = sorted(set(fields) & PERSONAL_FIELDS["inquiry"])
        if personal and not (can(role, Permission.EDIT_INQUIRY) and sees_personal(role)):
            return f"the {label} role may not change the inquirer's personal details ({', '.join(personal)})"
        for name in sorted(set(fields) - PERSONAL_FIELDS["inquiry"] - {"deleted"}):
            if not any(can(role, p) for p in _inquiry_field_permissions(name)):
                return f"the {label} role may not change inquiry.{name}"
        return None
    return None if _any(role, INSERT[table]) else f"the {label} role may not change {table} rows"


def is_append_only(table: str) -> bool:
    return table in APPEND_ONLY_TABLES


_ALL_PERSONAL = frozenset().union(*PERSONAL_FIELDS.values())


def filter_for_role(role: Role, table: str, fields: dict[str, Any],
                    versions: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A feed entry as this role may see it: without an inquirer's personal details where withheld. Every
    change a desktop receives passes here, compensating changes included."""
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
