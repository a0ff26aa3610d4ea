"""Access that ends while someone works (issue 13): an Admin deactivates them, their expiry date passes, or a
sync brings either change from another desktop. Every minute, and after each sync, the signed-in user's row is
read on the task runner (never on the GUI thread); when their access has ended, ``ended`` carries the reason
(``services.staff.access_problem``: why, and which Admin to ask) and the main window stops their sync and
locks (ui/idle_lock.py's lock, which lets only a user whose access lasts go on)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from ..services.staff import access_problem
from .app_context import AppContext

INTERVAL_MS = 60 * 1000


class AccessWatch(QObject):
    ended = Signal(str)  # why the signed-in user's access ended, and whom to ask

    def __init__(self, app: AppContext, interval_ms: int = INTERVAL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self._running = False
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def check(self, *_: object) -> None:
        """Read the signed-in user's access now (a slot: the timer, a finished sync)."""
        if self._running:
            return
        self._running = True
        store, user_id, clock = self.app.store, self.app.user.id, self.app.clock

        def task() -> tuple[str, str | None]:
            from ..models import StaffUser

            with store.session() as s:  # not app.unit(): that refuses a user whose access ended
                row = s.get(StaffUser, user_id)
                if row is None:
                    return user_id, "this account is no longer on this desktop; ask an Admin"
                return user_id, access_problem(s, row, clock())

        self.app.runner.read(task, self._done, self._failed)

    def _done(self, result: tuple[str, str | None]) -> None:
        self._running = False
        user_id, problem = result
        if problem and user_id == self.app.user.id:  # not a check of someone who has since signed out
            self.ended.emit(problem)

    def _failed(self, exc: Exception) -> None:
        self._running = False
        self.app.runner.error.emit(exc)
