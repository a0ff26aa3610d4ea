"""Sign-in for staff users against the local verifier (offline sign-in); first run sets the Admin's password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..core.passwords import check_strength
from ..services.staff import ensure_first_admin, find_staff, has_password, set_password, sign_in
from ..store import Store
from .app_context import SignedIn


def _signed(user) -> SignedIn:
    return SignedIn(user.id, user.username, user.display_name, user.role)


def first_run_admin(store: Store) -> str | None:
    """The first Admin's user name when no staff user has a password yet (a new data folder)."""
    with store.session() as s:
        admin = ensure_first_admin(s)
        return admin.username if not has_password(s, admin) else None


class SignInDialog(QDialog):
    """Sign-in is a short, bounded check (one scrypt verify), done here before any window exists."""

    def __init__(self, store: Store, first_run_user: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.first_run_user = first_run_user
        self.user: SignedIn | None = None
        self.setWindowTitle("SayPro Desk – sign in")
        layout = QVBoxLayout(self)
        heading = QLabel("<h2>SayPro Desk</h2><p>SayPro Classified Office</p>")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(heading)
        form = QFormLayout()
        self.username = QLineEdit(first_run_user or "")
        self.username.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        form.addRow("&User name", self.username)
        form.addRow("&Password", self.password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName("Repeat password")
        if first_run_user:
            layout.addWidget(QLabel("First start: choose the password of the first Administrator."))
            form.addRow("&Repeat password", self.repeat)
            self.username.setReadOnly(True)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("formError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Sign-in message")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.accepted.connect(self._try)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.password if first_run_user or self.username.text() else self.username).setFocus()

    def _try(self) -> None:
        name, password = self.username.text().strip(), self.password.text()
        if self.first_run_user:
            problem = check_strength(password) or (
                "the two passwords differ" if password != self.repeat.text() else None)
            if problem:
                self.message.setText(problem.capitalize() + ".")
                return
            with self.store.session() as s:
                user = find_staff(s, self.first_run_user)
                set_password(s, user, password)
                self.user = _signed(user)
            self.accept()
            return
        with self.store.session() as s:
            user = sign_in(s, name, password)
            self.user = _signed(user) if user else None
        if self.user is None:
            self.message.setText("The user name or password is not right, or the account is deactivated.")
            self.password.selectAll()
            self.password.setFocus()
            return
        self.accept()
