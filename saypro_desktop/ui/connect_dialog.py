"""Signing in to the central server: enrols this desktop so its work syncs (File → Connect to server)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..machine_config import machine_config
from .sync_controller import SyncController


class ConnectDialog(QDialog):
    def __init__(self, controller: SyncController, username: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Connect to the SayPro server")
        self.setAccessibleName("Connect to the SayPro server")
        self.server = QLineEdit(machine_config().server_url or "")
        self.server.setPlaceholderText("https://desk.saypro.example")
        self.server.setAccessibleName("Server address")
        self.username = QLineEdit(username)
        self.username.setAccessibleName("Server user name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Server password")
        form = QFormLayout()
        for label, w in (("&Server", self.server), ("&User name", self.username), ("&Password", self.password)):
            lab = QLabel(label)
            lab.setBuddy(w)
            form.addRow(lab, w)
        self.message = QLabel(f"Sign-in is remembered in the {controller.tokens.description}.")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Connection message")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        self.buttons.accepted.connect(self.connect_now)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        (self.password if self.server.text() and username else self.server).setFocus()

    def connect_now(self) -> None:
        url, user, password = self.server.text().strip(), self.username.text().strip(), self.password.text()
        if not (url and user and password):
            self.message.setText("Enter the server address, your user name and your password.")
            return
        self.buttons.setEnabled(False)
        self.message.setText("Connecting…")
        self.controller.sign_in(url, user, password, self._connected, self._failed)

    def _connected(self, user: dict[str, Any]) -> None:
        self.message.setText(f"Connected as {user.get('display_name', '')}.")
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        self.password.selectAll()
        self.message.setObjectName("formError")
        self.message.setText(f"Not connected: {exc}")
