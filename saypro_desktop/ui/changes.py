"""After a change, which entities and rows changed: open views refresh only those (after Anki's OpChanges)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class ChangeBus(QObject):
    # entity name ("inquiry", "staff_user", "settings"), row ids (empty: many rows, refresh all)
    changed = Signal(str, list)

    def announce(self, entity: str, ids: list[str] | None = None) -> None:
        self.changed.emit(entity, list(ids or []))
