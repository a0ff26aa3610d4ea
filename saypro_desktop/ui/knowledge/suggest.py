"""Suggesting an edit of an article, or an article that is missing (agents, moderators, supervisors): the text
goes to the editors' inbox. The dialog stays open, with the text, until the suggestion is written."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ...core.validation import ValidationError
from ...services import knowledge
from ..app_context import AppContext


class SuggestDialog(QDialog):
    sent = Signal(str)  # the suggestion's id

    def __init__(self, app: AppContext, article: tuple[str, str] | None, parent: QWidget | None = None) -> None:
        """``article``: (id, title) of the article to change; None suggests a missing article."""
        super().__init__(parent)
        self.app, self.article = app, article
        self.setWindowTitle(f"Suggest an edit: {article[1]}" if article else "Suggest a missing article")
        self.setAccessibleName(self.windowTitle())
        intro = QLabel(
            "What should change, and why? (a wrong step, something missing, a better title). The article's "
            "editors see it in their inbox." if article else
            "Which question keeps coming that no article answers? Give the question as users ask it and, if you "
            "know it, the answer.")
        intro.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Suggestion")
        label = QLabel("&Suggestion:")
        label.setBuddy(self.text)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("What to fix")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = QPushButton("S&end to the editors")
        self.send_button.setDefault(True)
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(label)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 48, self.fontMetrics().height() * 18)
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def send(self) -> None:
        suggestion, article_id = self.text.toPlainText(), self.article[0] if self.article else None

        def work(ctx: Any) -> list[str]:
            article = knowledge.get_article(ctx, article_id) if article_id else None
            return [knowledge.suggest_edit(ctx, article, suggestion).id]

        self.send_button.setEnabled(False)
        self.error.hide()
        self.app.write(work, "kb_suggestion", self._sent, self._failed)

    def _sent(self, ids: list[str]) -> None:
        self.send_button.setEnabled(True)
        self.sent.emit(ids[0])
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.send_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.error.setText("Not sent: " + "; ".join(e.message for e in exc.errors) + ".")
        else:
            self.error.setText(f"Not sent: {exc}")
        self.error.show()
        self.text.setFocus()
