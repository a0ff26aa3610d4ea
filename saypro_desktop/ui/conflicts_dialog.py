"""Conflicts to settle: where two people edited the same text of an inquiry, the merge kept one value and
the server kept the other; both are shown here, and settling writes the chosen text everywhere."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..services.inquiry_views import conflict_titles
from ..store import Store
from .sync_controller import SyncController


class ConflictsDialog(QDialog):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Conflicts to settle")
        self.setAccessibleName("Conflicts to settle")
        self.items = QListWidget()
        self.items.setAccessibleName("Open conflicts")
        self.items.currentItemChanged.connect(self._show)
        self.kept = QPlainTextEdit()
        self.kept.setReadOnly(True)
        self.kept.setAccessibleName("Value shown now")
        self.losing = QPlainTextEdit()
        self.losing.setReadOnly(True)
        self.losing.setAccessibleName("Other value")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Settled text")
        self.text.setPlaceholderText("Or write the text to keep (e.g. both combined)")
        self.message = QLabel("Loading…")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Conflicts message")
        buttons = QHBoxLayout()
        for label, choice in (("Keep &shown value", "kept"), ("Take &other value", "losing"),
                              ("Keep &written text", "text")):
            b = QPushButton(label)
            b.setAccessibleName(label.replace("&", ""))
            b.clicked.connect(lambda _=False, c=choice: self.settle(c))
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.items)
        self.kept_label, self.losing_label = QLabel("Shown now (kept by the merge):"), QLabel("The other edit:")
        layout.addWidget(self.kept_label)
        layout.addWidget(self.kept)
        layout.addWidget(self.losing_label)
        layout.addWidget(self.losing)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.reload()

    def reload(self) -> None:
        store, tz = self.controller.app.store, self.controller.app.settings.calendar().tz
        self.controller.with_client(lambda c: _titled(store, tz, c.conflicts()), self._loaded, self._failed)

    def _loaded(self, conflicts: list[dict[str, Any]]) -> None:
        self.items.clear()
        for c in conflicts:
            item = QListWidgetItem(c["title"])
            item.setData(256, c)
            self.items.addItem(item)
        self.message.setText(f"{len(conflicts)} conflict(s) to settle." if conflicts else "Nothing to settle.")
        if conflicts:
            self.items.setCurrentRow(0)

    def _show(self, item: QListWidgetItem | None, _previous: Any = None) -> None:
        c = item.data(256) if item else None
        self.kept.setPlainText(str(c["kept"]["value"]) if c else "")
        self.losing.setPlainText(str(c["losing"]["value"]) if c else "")
        self.kept_label.setText("Shown now (kept by the merge)" + (f", by {c['kept']['by']}:" if c and
                                                                    c["kept"].get("by") else ":"))
        self.losing_label.setText("The other edit" + (f", by {c['losing']['by']}:" if c and c["losing"].get("by")
                                                      else ":"))

    def settle(self, choice: str) -> None:
        item = self.items.currentItem()
        if item is None:
            return
        c = item.data(256)
        text = self.text.toPlainText().strip() if choice == "text" else None
        if choice == "text" and not text:
            self.message.setText("Write the text to keep first.")
            return
        self.controller.with_client(lambda client: client.settle(c["id"], choice, text), self._settled, self._failed)

    def _settled(self, _result: Any) -> None:
        self.text.clear()
        self.controller.sync_now()  # bring the settled value here
        self.reload()

    def _failed(self, exc: Exception) -> None:
        self.message.setText(f"Could not reach the conflicts: {exc}")



def _titled(store: Store, tz: Any, conflicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    with store.session() as s:  # on the pool, with the server's answer
        return conflict_titles(s, tz, conflicts)
