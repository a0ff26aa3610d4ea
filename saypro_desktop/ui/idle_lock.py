"""Locking the desk after inactivity: any key or mouse press in the app starts the count again; after the
configured minutes (Settings → Appearance: "Lock after", 0 = never; kept per PC in ui-state.ini) the main
window locks and asks for the same user's password, or another user signs in (a switch)."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication

LOCK_MINUTES_KEY = "security/lock_minutes"
DEFAULT_LOCK_MINUTES = 15
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
             QEvent.Type.TouchBegin}


def idle_minutes(ui_state: QSettings) -> int:
    """Minutes without use before the desk locks; 0: never."""
    try:
        return max(0, int(ui_state.value(LOCK_MINUTES_KEY, DEFAULT_LOCK_MINUTES)))
    except (TypeError, ValueError):
        return DEFAULT_LOCK_MINUTES


class IdleLock(QObject):
    idle = Signal()

    def __init__(self, parent: QObject, minutes: int) -> None:
        super().__init__(parent)
        self.fired = False  # the last lock came from the timer (not from File → Lock)
        self.last_activity = time.monotonic()
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._timeout)
        self.minutes = 0
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.minutes = minutes
        self.restart()

    def restart(self) -> None:
        self.fired = False
        if self.minutes > 0:
            self._timer.start(self.minutes * 60_000)
        else:
            self._timer.stop()

    def stop(self) -> None:
        self.minutes = 0
        self._timer.stop()

    def remaining_ms(self) -> int:
        return self._timer.remainingTime() if self._timer.isActive() else -1

    def _timeout(self) -> None:
        self.fired = True
        self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            self.last_activity = time.monotonic()
            self._timer.start()  # the same interval again
        return False
