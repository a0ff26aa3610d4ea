"""Canned replies where an agent writes to or about the user: an "Insert reply…" button whose menu lists the
office's replies for that use (acknowledgement, action step, resolution). The chosen reply is filled from the
inquiry on the read pool (its Inquiry ID, the user's name, the due time, ...) and typed in at the cursor, so it
goes through whatever checks the text box already applies (the resolution's objectivity check)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QPushButton, QWidget

from ...core.knowledge import ReplyUse
from ...services import inquiries as inquiry_svc
from ...services import replies as reply_svc
from ..app_context import AppContext
from .alive import if_alive


def insert_at_cursor(box: QPlainTextEdit, text: str) -> None:
    """Type ``text`` in at the cursor (replacing a selection), on a line of its own when the cursor is in the
    middle of other words; the box's own textChanged checks run on the result."""
    cursor = box.textCursor()
    before = box.toPlainText()[:cursor.selectionStart()]
    if before and not before.endswith(("\n", " ")):
        text = "\n" + text
    cursor.insertText(text)
    box.setTextCursor(cursor)
    box.setFocus()


class ReplyButton(QPushButton):
    """Lists the replies of ``uses``; choosing one inserts it, filled from the inquiry, into ``target``."""

    inserted = Signal(str, str)  # reply name, the filled text
    failed = Signal(str)

    def __init__(self, app: AppContext, target: QPlainTextEdit, uses: Iterable[ReplyUse],
                 text: str = "Insert reply…", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.app, self.target, self.uses = app, target, tuple(uses)
        self.inquiry_id: str | None = None
        self.setAccessibleName("Insert a canned reply")
        self.setToolTip("Insert one of the office's replies at the cursor, filled in from this inquiry "
                        "(Inquiry ID, the user's name, due time)")
        self.setMenu(QMenu(self))
        self.names: list[tuple[str, str]] = []  # (name, title) as listed
        self.setEnabled(False)
        self.reload()
        app.bus.changed.connect(self._on_changed)

    def set_inquiry(self, inquiry_id: str | None) -> None:
        self.inquiry_id = inquiry_id
        self.setEnabled(bool(inquiry_id and self.names))

    def reload(self) -> None:
        uses = self.uses
        self.app.read(lambda ctx: [(r.name, r.title) for use in uses for r in reply_svc.replies(ctx, use)],
                      if_alive(self, self._listed),
                      if_alive(self, lambda exc: self.failed.emit(f"Replies could not be listed: {exc}")))

    def _listed(self, names: list[tuple[str, str]]) -> None:
        self.names = names
        menu = self.menu()
        menu.clear()
        for name, title in names:
            action = menu.addAction(f"{title}  ({name})")
            action.setData(name)
            action.triggered.connect(lambda _=False, n=name: self.insert(n))
        self.set_inquiry(self.inquiry_id)

    def insert(self, name: str) -> None:
        """Fill the reply ``name`` from the inquiry (read pool) and insert it at the target's cursor."""
        rid = self.inquiry_id
        if rid is None:
            return

        def fill(ctx):
            return reply_svc.fill_reply(ctx, reply_svc.get_reply(ctx, name), inquiry_svc.get_inquiry(ctx, rid))

        def done(text: str) -> None:
            if self.inquiry_id != rid:  # another inquiry was opened meanwhile
                return
            insert_at_cursor(self.target, text)
            self.inserted.emit(name, text)

        self.app.read(fill, if_alive(self, done),
                      if_alive(self, lambda exc: self.failed.emit(f"The reply could not be inserted: {exc}")))

    def _on_changed(self, entity: str, _ids: list[str]) -> None:
        if entity == "canned_reply":
            self.reload()
