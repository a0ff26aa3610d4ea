"""What each role may write (per table, per field) and read (personal details withheld) through sync.

The server enforces the same permissions the desktop's services check (``core.permissions``), because
a desktop can be modified or be signed in as another user than the one who made its queued changes.
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


def can_push(role: Role) -> bool:
    """Roles with no write permission at all (Viewer, Marketing) cannot push; their queue waits."""
    return any(can(role, p) for p in WRITE_PERMISSIONS)


def sees_personal(role: Role) -> bool:
    return can(role, Permission.VIEW_PERSONAL_DETAILS)


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


def write_refusal(role: Role, table: str, fields: dict[str, Any], *, is_new: bool) -> str | None:
    """Why this role may not make this change (None: allowed)."""
    label = role.value
    if table == "staff_user":
        return None if can(role, Permission.MANAGE_USERS) else "only an Admin may change staff users"
    if table == "inquiry":
        if is_new:
            return None if can(role, Permission.CREATE_INQUIRY) else f"the {label} role may not log inquiries"
        personal = sorted(set(fields) & PERSONAL_FIELDS["inquiry"])
        if personal and not (can(role, Permission.EDIT_INQUIRY) and sees_personal(role)):
            return f"the {label} role may not change the inquirer's personal details ({', '.join(personal)})"
        for name in sorted(set(fields) - PERSONAL_FIELDS["inquiry"]):
            allowed = _inquiry_field_permissions(name)
            if not any(can(role, p) for p in allowed):
                return f"the {label} role may not change inquiry.{name}"
        return None
    if table == "action_step":
        return None if can(role, Permission.ADD_NOTE) else f"the {label} role may not add action steps"
    if table == "audit_entry":
        return None if can_push(role) else f"the {label} role may not write"
    if table == "attachment":
        ok = can(role, Permission.EDIT_INQUIRY) or (is_new and can(role, Permission.CREATE_INQUIRY))
        return None if ok else f"the {label} role may not attach files"
    if table == "inquiry_link":
        return None if can(role, Permission.EDIT_INQUIRY) else f"the {label} role may not link inquiries"
    return f"{table} is not written through sync"


def is_append_only(table: str) -> bool:
    return table in APPEND_ONLY_TABLES


def filter_for_role(role: Role, table: str, fields: dict[str, Any],
                    versions: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A feed entry as this role may see it: without an inquirer's personal details where withheld."""
    if sees_personal(role):
        return fields, versions
    hidden = PERSONAL_FIELDS.get(table)
    if hidden:
        fields = {k: v for k, v in fields.items() if k not in hidden}
        versions = {k: v for k, v in versions.items() if k not in hidden}
    elif table == "audit_entry" and fields.get("entity") == "inquiry" and isinstance(fields.get("changes"), dict):
        # The audit trail records old and new values: it must not carry the details around the filter.
        personal = PERSONAL_FIELDS["inquiry"]
        fields = {**fields, "changes": {k: v for k, v in fields["changes"].items() if k not in personal}}
    return fields, versions
