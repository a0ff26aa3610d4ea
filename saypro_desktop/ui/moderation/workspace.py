"""The Moderation workspace: the review queue, appeals, the weekly audit, conflicts and (for Supervisors) the
moderators' figures and the policy editor."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ...core.permissions import Permission
from ..app_context import AppContext
from ..workspace import Workspace
from .policy_view import PolicyView
from .queue_view import QueueView
from .reviews import AppealsView, AuditView, ConflictsView, ScoresView


class ModerationWorkspace(Workspace):
    title = "Moderation"

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.queue = QueueView(app)
        self.appeals = AppealsView(app)
        self.audit = AuditView(app)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Moderation views")
        self.tabs.addTab(self.queue, "&Queue")
        self.tabs.addTab(self.appeals, "A&ppeals")
        self.tabs.addTab(self.audit, "Wee&kly audit")
        self.conflicts: ConflictsView | None = None
        self.scores: ScoresView | None = None
        self.policy: PolicyView | None = None
        if app.can(Permission.DECIDE_APPEALS):
            self.conflicts = ConflictsView(app)
            self.tabs.addTab(self.conflicts, "Conf&licts")
        if app.can(Permission.VIEW_KPI):
            self.scores = ScoresView(app)
            self.tabs.addTab(self.scores, "&Scores")
        if app.can(Permission.MANAGE_MODERATION):
            self.policy = PolicyView(app)
            self.tabs.addTab(self.policy, "Polic&y")
        self.tabs.currentChanged.connect(lambda _: self._refresh_current())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._shown = False
        app.bus.changed.connect(self._changed)

    def activated(self) -> None:
        if not self._shown:
            self._shown = True
            self.queue.score_then_refresh()
        else:
            self._refresh_current()

    def _refresh_current(self) -> None:
        view = self.tabs.currentWidget()
        if view is self.queue:
            self.queue.refresh()
        elif hasattr(view, "refresh"):
            view.refresh()  # type: ignore[union-attr]

    def _changed(self, entity: str, _ids: list[str]) -> None:
        # Another screen's write or a sync: views read again when shown (a decision here refreshes itself).
        if self._shown and entity in ("sync", "moderation_policy"):
            # Ads that arrived, or a new policy version (here or synced): score them before the queue shows
            # them. A policy being edited is not read again under the editor's hands.
            self.queue.score_then_refresh()
            if self.isVisible() and self.tabs.currentWidget() not in (self.queue, self.policy):
                self._refresh_current()
        elif self._shown and self.isVisible() and entity in ("appeal", "moderation_audit", "sanction"):
            self._refresh_current()
