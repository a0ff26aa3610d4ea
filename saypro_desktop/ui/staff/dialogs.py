"""The Staff workspace's two dialogs: a new user with a first password, and a password reset. They only collect
and check what was typed (the strength rule of ``core.passwords``); the workspace sends it to the service."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...core.passwords import check_strength
from ...core.permissions import Role


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


class _Form(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.form = QFormLayout()
        self.message = QLabel()
        self.message.setObjectName("formError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("What to fix")
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.password = _password_field("Password")
        self.repeat = _password_field("Repeat password")

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def problem(self) -> str | None:
        problem = check_strength(self.password.text())
        if problem:
            return problem.capitalize() + "."
        if self.password.text() != self.repeat.text():
            return "The two passwords differ: type the same password twice."
        return None

    def _check(self) -> None:
        problem = self.problem()
        if problem:
            self.say(problem)
            return
        self.accept()


class AddUserDialog(_Form):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Add a staff user", parent)
        self.username = QLineEdit()
        self.username.setAccessibleName("User name")
        self.username.setPlaceholderText("e.g. lerato.m (letters, digits, . _ -)")
        self.display_name = QLineEdit()
        self.display_name.setAccessibleName("Name")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        self.role.addItems([r.value for r in Role])
        self.role.setCurrentText(Role.SUPPORT_AGENT.value)
        self.email = QLineEdit()
        self.email.setAccessibleName("Email")
        self.form.addRow("&User name", self.username)
        self.form.addRow("&Name", self.display_name)
        self.form.addRow("&Role", self.role)
        self.form.addRow("&Email", self.email)
        self.form.addRow("First &password", self.password)
        self.form.addRow("Repea&t password", self.repeat)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("A&dd")

    def problem(self) -> str | None:
        if not self.username.text().strip():
            return "Enter a user name: what they type to sign in."
        if not self.display_name.text().strip():
            return "Enter the person's name, as it is shown on inquiries."
        return super().problem()


class ResetPasswordDialog(_Form):
    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Reset the password of {username}", parent)
        self.form.addRow("New &password", self.password)
        self.form.addRow("Repea&t password", self.repeat)
        self.form.addRow(QLabel("Tell them the new password in person; they sign in with it on this desktop."))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Set password")
