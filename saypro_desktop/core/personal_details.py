"""Inquirers' personal details (POPIA) and the roles that may not see them: the placeholder shown in their place,
and the check that keeps the placeholder from ever being saved as if it were a value.

Which fields are personal is declared on each synced model (``__sync__.personal``); what a read model does with
them is ``services/withholding.py``. No database, no Qt.
"""

from __future__ import annotations

from typing import Any

from .permissions import Permission, Role, can

# Shown, exported and printed instead of every personal field, present or empty: a constant tells nothing
# (not even whether a phone number was recorded), as the server's pulls tell nothing.
WITHHELD = "(withheld)"


def sees_personal_details(role: Role) -> bool:
    return can(role, Permission.VIEW_PERSONAL_DETAILS)


def is_withheld(value: Any) -> bool:
    """``value`` is the placeholder (as shown, exported or typed back), not a real detail."""
    return isinstance(value, str) and " ".join(value.split()).casefold() == WITHHELD.casefold()
