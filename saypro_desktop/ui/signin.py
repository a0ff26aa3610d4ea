"""Sign-in for staff users against the local verifier (offline sign-in); first run sets the Admin's password."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..core.passwords import check_strength
from ..machine_config import machine_config
from ..models.base import utcnow
from ..services.staff import check_sign_in, ensure_first_admin, find_staff, has_password, set_password
from ..store import Store
from ..sync.credentials import TokenStore
from ..sync.engine import SERVER_URL, _setting
from .app_context import SignedIn
from .sync_controller import enrol_desktop, signed_in_as
from .tasks import TaskRunner


def _signed(user) -> SignedIn:
    return SignedIn(user.id, user.username, user.display_name, user.role)


def first_run_admin(store: Store) -> str | None:
    """The first Admin's user name when no staff user has a password yet (a new data folder)."""
    with store.session() as s:
        admin = ensure_first_admin(s)
        return admin.username if not has_password(s, admin) else None


def _known_server(store: Store) -> str:
    """The server this desktop last signed in to, else the one IT set for the machine."""
    with store.session() as s:
        url = _setting(s, SERVER_URL)
    return str(url or machine_config().server_url or "")


class SignInDialog(QDialog):
    """Sign-in is a short, bounded check (one scrypt verify), done here before any window exists.

    With "Sign in with a server account" the name and password are checked by the server instead: the desktop
    is enrolled as `saypro login` does (network on the task runner's pool), then the user is signed in here.
    ``purpose`` is "sign-in" (start, sign-out), "switch" (another user takes over the open window) or "lock"
    (after inactivity: the same user's password, or another user's)."""

    def __init__(self, store: Store, first_run_user: str | None = None, parent: QWidget | None = None, *,
                 runner: TaskRunner | None = None, tokens: TokenStore | None = None, purpose: str = "sign-in",
                 current_user: str | None = None, note: str = "", clock: Callable[[], datetime] = utcnow) -> None:
        super().__init__(parent)
        self.clock = clock  # when access expires, by this clock (tests move it)
        self.store, self.runner, self.tokens = store, runner, tokens
        self.first_run_user = first_run_user
        self.purpose = purpose
        self.user: SignedIn | None = None
        self.enrolled = False  # this dialog enrolled the desktop with a server
        self.setWindowTitle({"lock": "SayPro Desk – locked", "switch": "SayPro Desk – switch user"}.get(
            purpose, "SayPro Desk – sign in"))
        self.setAccessibleName(self.windowTitle())
        layout = QVBoxLayout(self)
        # The dialog never shrinks below what its rows need (a wrapped message used to squash the heading).
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 26)
        heading = QLabel("<h2>SayPro Desk</h2><p>SayPro Classified Office</p>")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(heading)
        if note:
            self.note = QLabel(note)
            self.note.setWordWrap(True)
            self.note.setAccessibleName("Why sign in")
            layout.addWidget(self.note)
        self.form = form = QFormLayout()
        self.username = QLineEdit(current_user or first_run_user or "")
        self.username.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        form.addRow("&User name", self.username)
        form.addRow("&Password", self.password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName("Repeat password")
        self.first_note = QLabel("First start: choose the password of the first Administrator, or sign in with "
                                 "your account on the office's server.")
        self.first_note.setWordWrap(True)
        if first_run_user:
            layout.addWidget(self.first_note)
            form.addRow("&Repeat password", self.repeat)
            self.username.setReadOnly(True)
        self.use_server = QCheckBox("Sign in &with a server account")
        self.use_server.setAccessibleName("Sign in with a server account")
        self.use_server.setToolTip("Checks your name and password on the office's server, connects this desktop "
                                   "to it (as File → Connect to server), then signs you in here")
        self.server = QLineEdit(_known_server(store))
        self.server.setPlaceholderText("https://desk.saypro.example")
        self.server.setAccessibleName("Server address")
        form.addRow(self.use_server)
        form.addRow("&Server address", self.server)
        self.use_server.setVisible(runner is not None)
        form.setRowVisible(self.server, False)
        self.use_server.toggled.connect(self._server_mode)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("formError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Sign-in message")
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Unlock" if purpose == "lock" else "Sign in")
        if purpose == "lock":
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Quit SayPro Desk")
        self.buttons.accepted.connect(self._try)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.password if first_run_user or self.username.text() else self.username).setFocus()

    def _server_mode(self, on: bool) -> None:
        self.form.setRowVisible(self.server, on)
        if self.first_run_user:  # the server says who one is: any of its users may set up this desktop
            self.username.setReadOnly(not on)
            self.form.setRowVisible(self.repeat, not on)
            self.first_note.setVisible(not on)
        self._say("")
        (self.server if on and not self.server.text() else self.username if on else self.password).setFocus()
        self.adjustSize()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.adjustSize()

    def _try(self) -> None:
        name, password = self.username.text().strip(), self.password.text()
        if self.use_server.isChecked():
            self._try_server(name, password)
            return
        if self.first_run_user:
            problem = check_strength(password) or (
                "the two passwords differ" if password != self.repeat.text() else None)
            if problem:
                self._say(problem.capitalize() + ".")
                return
            with self.store.session() as s:
                user = find_staff(s, self.first_run_user)
                set_password(s, user, password)
                self.user = _signed(user)
            self.accept()
            return
        with self.store.session() as s:  # one bounded check (see the class): the password, then the access
            result = check_sign_in(s, name, password, self.clock)
            self.user = _signed(result.user) if result.refusal is None and result.user else None
        if self.user is None:
            # A wrong name or password says nothing more; the right password learns why access ended.
            self._say(result.refusal or "The user name or password is not right.")
            self.password.selectAll()
            self.password.setFocus()
            return
        self.accept()

    def _try_server(self, name: str, password: str) -> None:
        url = self.server.text().strip()
        if not (url and name and password):
            self._say("Enter the server address, your user name and your password.")
            return
        assert self.runner is not None and self.tokens is not None
        self.buttons.setEnabled(False)
        self._say(f"Signing in at {url}…")
        enrol_desktop(self.store, self.runner, self.tokens, url, name, password, self._server_done,
                      self._server_failed)

    def _server_done(self, user: dict[str, Any]) -> None:
        self.buttons.setEnabled(True)
        self.enrolled = True
        self.user = signed_in_as(user)
        self.accept()

    def _server_failed(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        self._say(f"Not signed in at the server: {exc}")
        self.password.selectAll()
        self.password.setFocus()
