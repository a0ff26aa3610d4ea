"""The Feedback workspace: record feedback, the survey after resolution, the weekly analysis."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core.permissions import Permission

if TYPE_CHECKING:
    from ..app_context import AppContext


def may_use_feedback(app: AppContext) -> bool:
    """Whether the workspace is in the sidebar: recording feedback, the survey, the weekly analysis (the main
    window asks before it builds the workspace, without importing it)."""
    return app.can(Permission.RECORD_FEEDBACK) or app.can(Permission.VIEW_KPI)
