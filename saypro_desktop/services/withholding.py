"""The one place where read models withhold other people's personal details from roles without
VIEW_PERSONAL_DETAILS (Moderator, Marketing, Viewer), and where edits are kept from saving the placeholder back.

The server filters what such roles pull (``saypro_server/rules.filter_for_role``); a standalone desktop holds every
detail its agents typed, so every read path here (the list, the detail and its history, search, CSV export, the
inquiry PDF, the command line) goes through these functions. Which fields are personal is declared on each model
(``__sync__.personal``): inquiries' ``user_*``, feedback's ``from_name``/``from_contact``, ads' advertiser email and
phone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.permissions import PermissionDenied, Role
from ..core.personal_details import WITHHELD, is_withheld, sees_personal_details
from ..models import SYNCED_MODELS

__all__ = ["ALL_PERSONAL", "WITHHELD", "kept_edits", "personal_fields", "sees_personal_details", "shown",
           "withhold_changes", "withhold_values"]


def personal_fields(table: str) -> frozenset[str]:
    model = SYNCED_MODELS.get(table)
    return model.__sync__.personal if model is not None else frozenset()


ALL_PERSONAL: frozenset[str] = frozenset().union(*(m.__sync__.personal for m in SYNCED_MODELS.values()))


def shown(role: Role, value: Any) -> Any:
    """One personal detail as ``role`` may see it: the value, or the placeholder (present or empty alike)."""
    return value if sees_personal_details(role) else WITHHELD


def withhold_values(role: Role, table: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values (column -> value) as ``role`` may see them: each personal field of ``table`` replaced."""
    out = dict(values)
    if not sees_personal_details(role):
        for name in personal_fields(table) & out.keys():
            out[name] = WITHHELD
    return out


def withhold_changes(role: Role, changes: Mapping[str, Any] | None) -> dict[str, Any]:
    """An audit entry's ``{field: [old, new]}`` as ``role`` may see it: the change of a personal field stays
    listed (that it changed is the office's record), its old and new values do not. Field names of every
    table count, as on the server: an entry of another entity never carries a detail around the rule."""
    out = dict(changes or {})
    if not sees_personal_details(role):
        for name in ALL_PERSONAL & out.keys():
            out[name] = [WITHHELD, WITHHELD]
    return out


def kept_edits(role: Role, table: str, changes: Mapping[str, Any], who: str = "") -> dict[str, Any]:
    """The edits a role may make of a row's fields, from a form that showed it withheld values: a personal field
    still holding the placeholder is left as it is (not blanked, not overwritten); one a role without the
    permission tried to change is refused, as the server refuses it."""
    personal = personal_fields(table)
    out = {k: v for k, v in changes.items() if not (k in personal and is_withheld(v))}
    if not sees_personal_details(role):
        tried = sorted(personal & out.keys())
        if tried:
            subject = f"{who} ({role.value})" if who else f"the {role.value} role"
            raise PermissionDenied(f"{subject} may not see or change the inquirer's personal details "
                                   f"({', '.join(tried)})")
    return out
