"""The Staff workspace (Admins): every staff user with role, active, access expiry (overdue ones marked) and the
last sign-in on this desktop; add a user with a first password, change the role, set or clear the expiry,
deactivate or activate, reset the password. Each change is one service call on the writer thread
(``services.staff``: the rules, the refusals and the audit trail live there); a refusal is shown above the
buttons with what to fix. The list reads again after a change of any staff user, here or by sync."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.permissions import Role
from ...services import staff
from ...services.context import ServiceContext
from ..app_context import AppContext
from ..theme import BAD, MUTED
from ..workspace import Workspace
from .dialogs import AddUserDialog, ResetPasswordDialog

COLUMNS = ("User name", "Name", "Role", "Active", "Access expires", "Last sign-in here")


class StaffWorkspace(Workspace):
    title = "Staff"

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.rows: list[staff.StaffRow] = []
        self._stale = True
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Staff users")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.add_button = QPushButton("Add &user…")
        self.add_button.clicked.connect(self.add_user)
        top = QHBoxLayout()
        heading = QLabel("Staff users and their access. Changes reach every desktop at its next sync; a user whose "
                         "access ends is signed out within a minute.")
        heading.setWordWrap(True)
        top.addWidget(heading, 1)
        top.addWidget(self.add_button)

        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        self.role.addItems([r.value for r in Role])
        self.role_button = QPushButton("Change &role")
        self.role_button.clicked.connect(self.change_role)
        self.expiry = QDateEdit()
        self.expiry.setAccessibleName("Access expires on")
        self.expiry.setCalendarPopup(True)
        self.expiry.setDisplayFormat("dd/MM/yyyy")
        self.expiry_button = QPushButton("Set e&xpiry")
        self.expiry_button.setToolTip("Access ends at the end of this day, office time")
        self.expiry_button.clicked.connect(self.set_expiry)
        self.no_expiry_button = QPushButton("&No expiry")
        self.no_expiry_button.clicked.connect(lambda: self._write(
            lambda ctx, name: staff.set_access_expiry(ctx, name, None), "{0}: access does not expire"))
        self.active_button = QPushButton("&Deactivate")
        self.active_button.clicked.connect(self.toggle_active)
        self.password_button = QPushButton("Reset pass&word…")
        self.password_button.clicked.connect(self.reset_password)
        self.chosen = QLabel("Select a user in the list.")
        self.chosen.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("formError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("What to fix")
        self.message.hide()
        self.done = QLabel()
        self.done.setWordWrap(True)
        self.done.setAccessibleName("Last change")

        box = QGroupBox("The selected user")
        form = QFormLayout(box)
        form.addRow(self.chosen)
        role_row = QHBoxLayout()
        role_row.addWidget(self.role, 1)
        role_row.addWidget(self.role_button)
        form.addRow("Role", role_row)
        expiry_row = QHBoxLayout()
        expiry_row.addWidget(self.expiry, 1)
        expiry_row.addWidget(self.expiry_button)
        expiry_row.addWidget(self.no_expiry_button)
        form.addRow("Access expires", expiry_row)
        account_row = QHBoxLayout()
        account_row.addWidget(self.active_button)
        account_row.addWidget(self.password_button)
        account_row.addStretch(1)
        form.addRow("Account", account_row)
        form.addRow(self.message)
        form.addRow(self.done)
        self._editing: list[QWidget] = [self.role, self.role_button, self.expiry, self.expiry_button,
                                        self.no_expiry_button, self.active_button, self.password_button]

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(box)
        self._selected()
        app.bus.changed.connect(self._changed)

    # reading ------------------------------------------------------------------------------------------------
    def activated(self) -> None:
        if self._stale:
            self.refresh()

    def _changed(self, entity: str, _ids: list[str]) -> None:
        if entity in ("staff_user", "sync", "settings"):
            self._stale = True
            if self.isVisible():
                self.refresh()

    def refresh(self) -> None:
        self._stale = False
        self.app.read(staff.staff_overview, self._show, self._failed)

    def _show(self, rows: list[staff.StaffRow]) -> None:
        keep = self.current().id if self.current() else None
        self.rows = rows
        self.table.setRowCount(len(rows))
        tz = self.app.settings.calendar().tz
        for n, row in enumerate(rows):
            expires = "" if row.access_expires_on is None else f"{row.access_expires_on:%d/%m/%Y}"
            if row.expired:
                expires += " (expired)"
            seen = row.last_sign_in.astimezone(tz).strftime("%d/%m/%Y %H:%M") if row.last_sign_in else ""
            values = (row.username, row.display_name, row.role.value, "yes" if row.active else "no", expires, seen)
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col == 4 and row.expired:
                    item.setForeground(QBrush(QColor(BAD)))
                    item.setToolTip("The access expired: this user cannot sign in. Set a later date or No expiry.")
                elif not row.active:
                    item.setForeground(QBrush(QColor(MUTED)))
                self.table.setItem(n, col, item)
        again = next((n for n, r in enumerate(rows) if r.id == keep), None)
        if again is not None:
            self.table.selectRow(again)
        self._selected()

    def current(self) -> staff.StaffRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def _selected(self) -> None:
        row = self.current()
        for widget in self._editing:
            widget.setEnabled(row is not None)
        if row is None:
            self.chosen.setText("Select a user in the list.")
            return
        self.chosen.setText(f"<b>{row.display_name}</b> ({row.username})")
        self.role.setCurrentText(row.role.value)
        now = self.app.clock().astimezone(self.app.settings.calendar().tz).date()  # the office's today
        today = QDate(now.year, now.month, now.day)
        self.expiry.setMinimumDate(today)
        on = row.access_expires_on
        self.expiry.setDate(QDate(on.year, on.month, on.day) if on and not row.expired else today.addMonths(3))
        self.active_button.setText("&Deactivate" if row.active else "Reac&tivate")
        self.say("")

    # changing -------------------------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _failed(self, exc: Exception) -> None:
        text = str(exc)
        self.say(text[:1].upper() + text[1:] if text else type(exc).__name__)

    def _write(self, change: Callable[[ServiceContext, str], Any], done: str) -> None:
        row = self.current()
        if row is None:
            self.say("Select a user in the list first.")
            return
        self.say("")

        def task(ctx: ServiceContext) -> list[str]:
            user = change(ctx, row.username)
            return [user.id]

        self.app.write(task, "staff_user", lambda _: self.done.setText(done.format(row.username)), self._failed)

    def change_role(self) -> None:
        role = self.role.currentText()
        self._write(lambda ctx, name: staff.set_role(ctx, name, role), "{0}: role " + role)

    def set_expiry(self) -> None:
        d = self.expiry.date()
        on = date(d.year(), d.month(), d.day())
        self._write(lambda ctx, name: staff.set_access_expiry(ctx, name, on),
                    "{0}: access until the end of " + f"{on:%d/%m/%Y}")

    def toggle_active(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.active:
            self._write(staff.deactivate_staff, "{0}: deactivated (signed out within a minute where they work)")
        else:
            self._write(staff.activate_staff, "{0}: active again")

    def reset_password(self) -> None:
        row = self.current()
        if row is None:
            return
        dialog = ResetPasswordDialog(row.username, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        password = dialog.password.text()
        self._write(lambda ctx, name: staff.reset_password(ctx, name, password), "{0}: password set")

    def add_user(self) -> None:
        dialog = AddUserDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        values = (dialog.username.text(), dialog.display_name.text(), dialog.role.currentText(),
                  dialog.email.text().strip() or None, dialog.password.text())

        def task(ctx: ServiceContext) -> list[str]:
            return [staff.create_staff_user(ctx, *values).id]

        self.say("")
        self.app.write(task, "staff_user", lambda _: self.done.setText(f"{values[0].strip().lower()}: added"),
                       self._failed)
