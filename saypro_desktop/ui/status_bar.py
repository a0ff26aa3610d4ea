"""The status bar: who is signed in, online/offline, pending changes and last sync (fed by sync later)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget
from sqlalchemy import func, select

from ..models import ChangeLogEntry
from ..services.context import ServiceContext
from .app_context import AppContext


def _pending(ctx: ServiceContext) -> int:
    return ctx.session.scalar(select(func.count()).select_from(ChangeLogEntry)
                              .where(ChangeLogEntry.state == "pending")) or 0


LOCAL_ONLY = "Local only (no server)"


class DeskStatusBar(QStatusBar):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.user = QLabel()
        self.show_user(app.user)
        self.network = QLabel(LOCAL_ONLY)
        self.network.setToolTip("This desk keeps its work in its own store. File → Connect to server shares it.")
        # Changes waiting for the server: shown once there is a server to send them to.
        self.enrolled = False
        self.pending = QLabel("Pending changes: …")
        self.pending.setToolTip("Changes made here that the server has not acknowledged yet")
        self.pending.hide()
        self.last_sync = QLabel("Last sync: never")
        self.set_aside = QLabel("")  # changes from the server this desktop could not apply (kept, retried)
        self.set_aside.hide()
        self.busy = QLabel("")
        for w, name in ((self.user, "Signed-in user"), (self.network, "Connection"), (self.pending, "Pending changes"),
                        (self.set_aside, "Changes set aside"), (self.last_sync, "Last sync"),
                        (self.busy, "Background work")):
            w.setAccessibleName(name)
            self.addPermanentWidget(w)
        # Bound methods, not lambdas: Qt drops them with the status bar (a late signal never meets a deleted label).
        app.bus.changed.connect(self._changed)
        app.runner.busy_changed.connect(self._busy)
        self.refresh()

    def _changed(self, *_: object) -> None:
        self.refresh()

    def _busy(self, busy: bool) -> None:
        self.busy.setText("Working…" if busy else "")

    def show_user(self, user) -> None:
        self.user.setText(f"Signed in: {user.display_name} ({user.role.value})")

    def show_sync(self, status) -> None:
        self.enrolled = status.enrolled
        self.pending.setVisible(status.enrolled)
        if not status.enrolled:
            self.network.setText(LOCAL_ONLY)
        elif status.running:
            self.network.setText(status.message or "Syncing…")
        else:
            self.network.setText({True: "Online", False: "Offline", None: "Connecting…"}[status.online])
            self.network.setToolTip(status.message)
        self.pending.setText(f"Pending changes: {status.pending}")
        self.set_aside.setVisible(bool(status.set_aside))
        if status.set_aside:
            self.set_aside.setText(f"⚠ {len(status.set_aside)} change(s) from the server set aside")
            self.set_aside.setToolTip("Kept on this desktop and tried again after an update of SayPro Desk; the rest "
                                      "of the server's changes were applied.\n\n" + "\n".join(status.set_aside[:20]))
        if status.last_sync:
            when = datetime.fromisoformat(status.last_sync).astimezone(self.app.settings.calendar().tz)
            self.last_sync.setText(f"Last sync: {when:%d/%m/%Y %H:%M}")

    def refresh(self) -> None:
        if not self.enrolled:
            return  # nothing waits for a server that is not there
        self.app.read(_pending, lambda n: self.pending.setText(f"Pending changes: {n}"))
