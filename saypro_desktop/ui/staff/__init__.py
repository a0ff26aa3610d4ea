"""The Staff workspace (Admins: *manage staff users*): users, roles, access expiry, deactivation, passwords."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core.permissions import Permission

if TYPE_CHECKING:
    from ..app_context import AppContext


def may_manage_staff(app: AppContext) -> bool:
    """Whether the workspace is in the sidebar (asked without importing the workspace)."""
    return app.can(Permission.MANAGE_USERS)
