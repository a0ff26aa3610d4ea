"""Canned replies (MANAGE_REPLIES): the office's replies (built-in ones marked), an editor with the placeholders
a reply may use, and Remove. A reply with an unknown placeholder is refused here, before it is sent to the
service, and by the service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...core.knowledge import PLACEHOLDERS, ReplyUse, placeholder_problems
from ...core.validation import ValidationError
from ...services import replies
from ...services.context import ServiceContext
from ..app_context import AppContext
from ..theme import MUTED

BUILT_IN_NAMES = frozenset(r.name for r in replies.BUILT_IN)


@dataclass(frozen=True)
class ReplyItem:
    name: str
    title: str
    use: str
    body: str
    built_in: bool  # the office's own text, nobody has saved one under its name


def _read(ctx: ServiceContext) -> list[ReplyItem]:
    return [ReplyItem(r.name, r.title, r.use.value, r.body, r.row is None) for r in replies.replies(ctx)]


class RepliesView(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.items: list[ReplyItem] = []
        self.list = QListWidget()
        self.list.setAccessibleName("Canned replies")
        self.list.setSpacing(3)
        self.list.setWordWrap(True)
        self.list.currentRowChanged.connect(self._chosen)
        self.new_button = QPushButton("New repl&y")
        self.new_button.clicked.connect(self.new_reply)
        self.remove_button = QPushButton("Re&move")
        self.remove_button.setToolTip("Remove the reply the office wrote (a built-in reply cannot be removed)")
        self.remove_button.clicked.connect(self.remove)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.new_button)
        list_buttons.addWidget(self.remove_button)
        list_buttons.addStretch(1)
        left = QWidget()
        left_col = QVBoxLayout(left)
        left_col.setContentsMargins(0, 0, 0, 0)
        left_col.addWidget(self.list, 1)
        left_col.addLayout(list_buttons)

        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        self.name.setPlaceholderText("what agents type to insert it, e.g. refund-done")
        self.name.setMaxLength(60)
        self.title = QLineEdit()
        self.title.setAccessibleName("Title")
        self.title.setPlaceholderText("what the reply is for")
        self.use = QComboBox()
        self.use.setAccessibleName("Use")
        for u in ReplyUse:
            self.use.addItem(u.value, u.value)
        self.body = QPlainTextEdit()
        self.body.setAccessibleName("Body")
        self.placeholders = QListWidget()
        self.placeholders.setAccessibleName("Placeholders")
        self.placeholders.setToolTip("Enter or double-click inserts the placeholder at the cursor in the body")
        for name, meaning in PLACEHOLDERS.items():
            item = QListWidgetItem(f"{{{name}}}  {meaning}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.placeholders.addItem(item)
        self.placeholders.itemActivated.connect(self._insert)
        self.placeholders.setMaximumHeight(self.fontMetrics().height() * (len(PLACEHOLDERS) + 1) + 8)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setAccessibleName("About this reply")
        self.problems = QLabel()
        self.problems.setProperty("role", "fieldError")
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("Body message")
        self.problems.hide()
        self._check_timer = QTimer(self, singleShot=True, interval=200)
        self._check_timer.timeout.connect(self._check_body)
        self.body.textChanged.connect(self._check_timer.start)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("What to fix")
        self.error.hide()
        self.save_button = QPushButton("&Save reply")
        self.save_button.clicked.connect(self.save)
        self.note = QLabel()
        self.note.setAccessibleName("Last action")

        form = QFormLayout()
        for text, widget in (("&Name:", self.name), ("&Title:", self.title), ("&Use:", self.use)):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        body_label = QLabel("&Body:")
        body_label.setBuddy(self.body)
        body_box = QWidget()
        body_col = QVBoxLayout(body_box)
        body_col.setContentsMargins(0, 0, 0, 0)
        body_col.addWidget(self.body, 1)
        body_col.addWidget(self.problems)
        form.addRow(body_label, body_box)
        places_label = QLabel("&Placeholders:")
        places_label.setBuddy(self.placeholders)
        form.addRow(places_label, self.placeholders)
        save_bar = QHBoxLayout()
        save_bar.addWidget(self.note, 1)
        save_bar.addWidget(self.save_button)
        right = QWidget()
        right_col = QVBoxLayout(right)
        right_col.setContentsMargins(0, 0, 0, 0)
        right_col.addWidget(self.state)
        right_col.addWidget(self.error)
        right_col.addLayout(form, 1)
        right_col.addLayout(save_bar)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        split.setSizes([self.fontMetrics().horizontalAdvance("M") * 30, self.fontMetrics().horizontalAdvance("M") * 60])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.new_reply()

    # reading ---------------------------------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        """Read the list again. The form is filled again only with ``select`` (after a save or a removal): a
        refresh after a sync or a tab switch never overwrites a reply being edited."""
        keep = select or self.name.text().strip().lower() or None
        self.app.read(_read, lambda items: self._show(items, keep, fill=select is not None), self._failed)

    def _show(self, items: list[ReplyItem], keep: str | None, fill: bool = False) -> None:
        self.items = items
        self.list.blockSignals(True)
        self.list.clear()
        for r in items:
            item = QListWidgetItem(f"{r.name}" + ("   [built in]" if r.built_in else "") + f"\n{r.title} · {r.use}")
            item.setData(Qt.ItemDataRole.UserRole, r.name)
            item.setToolTip("Built into SayPro Desk; save to keep your own version under this name" if r.built_in
                            else "Written by the office")
            self.list.addItem(item)
        self.list.blockSignals(False)
        index = next((n for n, r in enumerate(items) if r.name == keep), -1)
        self.list.blockSignals(not fill)
        self.list.setCurrentRow(index)
        self.list.blockSignals(False)
        self._buttons()

    def current(self) -> ReplyItem | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _chosen(self, _row: int) -> None:
        r = self.current()
        if r is None:
            return
        self.name.setText(r.name)
        self.title.setText(r.title)
        self.use.setCurrentIndex(self.use.findData(r.use))
        self.body.setPlainText(r.body)
        self.error.hide()
        self.note.clear()
        if r.built_in:
            self.state.setText("Built in. Saving keeps the office's own version under this name; removing that "
                               "version brings the built-in text back.")
        elif r.name in BUILT_IN_NAMES:
            self.state.setText("The office's version of a built-in reply (Remove brings the built-in text back).")
        else:
            self.state.setText("Written by the office.")
        self._check_body()
        self._buttons()

    def new_reply(self) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.clearSelection()
        self.list.blockSignals(False)
        for w in (self.name, self.title):
            w.clear()
        self.use.setCurrentIndex(self.use.findData(ReplyUse.ACTION_STEP.value))
        self.body.clear()
        self.error.hide()
        self.state.setText(f"<span style='color:{MUTED}'>A new reply: give it a short name agents can type.</span>")
        self.name.setFocus()
        self._buttons()

    def _buttons(self) -> None:
        r = self.current()
        self.remove_button.setEnabled(r is not None and not r.built_in)

    def _insert(self, item: QListWidgetItem) -> None:
        self.body.insertPlainText("{" + item.data(Qt.ItemDataRole.UserRole) + "}")
        self.body.setFocus()

    def _check_body(self) -> list[str]:
        problems = placeholder_problems(self.body.toPlainText())
        self.problems.setText("\n".join(p[:1].upper() + p[1:] + "." for p in problems))
        self.problems.setVisible(bool(problems))
        return problems

    # writing ---------------------------------------------------------------------------------------------
    def save(self) -> None:
        self.error.hide()
        problems = self._check_body()
        if problems:  # refused before it reaches the service
            self._show_errors(["Body: " + p for p in problems])
            self.body.setFocus()
            return
        name, title, use, body = self.name.text(), self.title.text(), self.use.currentData(), self.body.toPlainText()

        def work(ctx: Any) -> list[str]:
            return [replies.save_reply(ctx, name, title, use, body).id]

        self.save_button.setEnabled(False)
        self.app.write(work, "canned_reply", lambda _: self._saved(name), self._not_saved)

    def _saved(self, name: str) -> None:
        self.save_button.setEnabled(True)
        self.note.setText(f"Reply {name.strip().lower()} saved.")
        self.refresh(select=name.strip().lower())

    def _not_saved(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self._show_errors([f"{e.field.capitalize()}: {e.message}" for e in exc.errors])
        else:
            self._show_errors([str(exc)])

    def _show_errors(self, lines: list[str]) -> None:
        self.error.setText("Not saved; please correct:\n" + "\n".join(f"- {line}" for line in lines))
        self.error.show()

    def remove(self) -> None:
        r = self.current()
        if r is None or r.built_in:
            return
        answer = QMessageBox.question(self, "Remove the reply", f"Remove the reply {r.name} ({r.title})?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        name = r.name

        def work(ctx: Any) -> list[str]:
            row = replies.get_reply(ctx, name).row
            replies.remove_reply(ctx, name)
            return [row.id] if row is not None else []

        self.app.write(work, "canned_reply", lambda _: self._removed(name), self._failed)

    def _removed(self, name: str) -> None:
        self.note.setText(f"Reply {name} removed.")
        self.new_reply()
        self.refresh(select=name if name in BUILT_IN_NAMES else None)

    def _failed(self, exc: Exception) -> None:
        QMessageBox.warning(self, "Not done", str(exc))
