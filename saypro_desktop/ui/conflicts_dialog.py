"""Conflicts to settle: where two people edited the same text of an inquiry, the merge kept one value and
the server kept the other; both are shown here, and settling writes the chosen text everywhere."""

from __future__ import annotations

from datetime import datetime
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

from ..models import SYNCED_MODELS, Inquiry
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
        self.controller.with_client(lambda c: _described(store, tz, c.conflicts()), self._loaded, self._failed)

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


def _described(store: Store, tz: Any, conflicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each conflict with a title a person reads: the Inquiry ID and subject, the field, the local time
    (on the pool: it reads the local store)."""
    with store.session() as s:
        for c in conflicts:
            model = SYNCED_MODELS.get(c["table"])
            row = s.get(model, c["row_id"]) if model is not None else None
            inquiry = row if isinstance(row, Inquiry) else (
                s.get(Inquiry, row.inquiry_id) if row is not None and hasattr(row, "inquiry_id") else None)
            where = f"{inquiry.display_id} “{inquiry.subject[:40]}”" if inquiry else f"{c['table']} {c['row_id'][:8]}"
            when = datetime.fromisoformat(c["created_at"]).astimezone(tz)
            field = c["field"].replace("_", " ").capitalize()
            c["title"] = f"{where} · {field} · {when:%d/%m/%Y %H:%M}"
    return conflicts
