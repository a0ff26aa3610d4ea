"""Automatic escalation in the app (seed 001: an inquiry unresolved past its due time goes up a tier).

At start and then every five minutes, ``services.sla_watch.run_auto_escalation`` runs on the writer thread as
the signed-in user (never on the GUI thread); what it escalated is announced on the change bus, so open lists
and the detail refresh, and said in the status bar. A user whose role may not change an inquiry's status
(a Viewer, a Moderator) does not run it: a desktop of an agent, a supervisor or an admin does.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from ..core.permissions import Permission
from ..services.sla_watch import run_auto_escalation
from .app_context import AppContext

INTERVAL_MS = 5 * 60 * 1000


class AutoEscalation(QObject):
    escalated = Signal(list)  # the Inquiry IDs escalated by one run (only when there were any)

    def __init__(self, app: AppContext, interval_ms: int = INTERVAL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self._running = False  # one run at a time: a slow run is not queued twice
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.run_now)

    def start(self) -> None:
        """Run once now (at start) and then on the timer."""
        self.timer.start()
        self.run_now()

    def stop(self) -> None:
        self.timer.stop()

    def run_now(self) -> None:
        if self._running or not self.app.can(Permission.CHANGE_STATUS):
            return
        self._running = True

        def task() -> list[tuple[str, str]]:
            with self.app.unit() as ctx:
                return [(i.id, i.display_id) for i in run_auto_escalation(ctx)]

        self.app.runner.write(task, self._done, self._failed)

    def _done(self, escalated: list[tuple[str, str]]) -> None:
        self._running = False
        if escalated:
            self.app.bus.announce("inquiry", [rid for rid, _ in escalated])
            self.escalated.emit([ref for _, ref in escalated])

    def _failed(self, exc: Exception) -> None:
        self._running = False
        self.app.runner.error.emit(exc)  # the status bar shows unhandled task errors
