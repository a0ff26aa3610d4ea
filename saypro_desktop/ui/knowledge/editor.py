"""Writing and editing an article (EDIT_ARTICLES): title, category, status, how often it is reviewed, the Markdown
body beside a live preview, and the related articles. The service checks it; what it refuses is shown next to the
field, and nothing typed is lost."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.knowledge import REVIEW_EVERY_DAYS, ArticleCategory, ArticleStatus
from ...core.validation import ValidationError
from ...services import knowledge, knowledge_views
from ...services.knowledge_views import ArticleView
from ..app_context import AppContext

FIELD_NAMES = {"title": "Title", "category": "Category", "status": "Status", "body": "Body",
               "review_every_days": "Review every", "related": "Related articles"}


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setProperty("role", "fieldError")
    label.setAccessibleName(f"{name} message")
    label.setWordWrap(True)
    label.hide()
    return label


class ArticleEditor(QDialog):
    """A new article (``article`` None) or an edit of one. ``note`` is shown above the form (a suggestion being
    taken in)."""

    saved = Signal(str)  # the article's id, once written

    def __init__(self, app: AppContext, article: ArticleView | None = None, note: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.article = app, article
        self.setWindowTitle(f"Edit article: {article.title}" if article else "New article")
        self.setAccessibleName(self.windowTitle())
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.setVisible(bool(note))
        self.note.setFrameShape(QFrame.Shape.StyledPanel)

        self.title = QLineEdit()
        self.title.setAccessibleName("Title")
        self.title.setPlaceholderText("What the article answers, e.g. “Why is my ad still pending?”")
        self.title.setMaxLength(200)
        self.category = QComboBox()
        self.category.setAccessibleName("Category")
        for c in ArticleCategory:
            self.category.addItem(c.value, c.value)
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        for s in ArticleStatus:
            self.status.addItem(s.value, s.value)
        self.status.setToolTip("Draft: only editors see it. Published: agents find it and it is suggested. "
                               "Retired: kept for the inquiries that link it, no longer offered.")
        self.review = QSpinBox()
        self.review.setAccessibleName("Review every (days)")
        self.review.setRange(7, 730)
        self.review.setSuffix(" days")
        self.review.setValue(REVIEW_EVERY_DAYS)
        self.review.setToolTip("The article is listed as overdue for review this long after its last review")
        self.body = QPlainTextEdit()
        self.body.setAccessibleName("Body (Markdown)")
        self.body.setPlaceholderText("The answer, in Markdown: # heading, **bold**, - list items, [link](https://…)")
        self.preview = QTextBrowser()
        self.preview.setAccessibleName("Preview")
        self.preview.setOpenLinks(False)
        self._preview_timer = QTimer(self, singleShot=True, interval=150)
        self._preview_timer.timeout.connect(self._update_preview)
        self.body.textChanged.connect(self._preview_timer.start)
        self.related_filter = QLineEdit()
        self.related_filter.setAccessibleName("Find related articles")
        self.related_filter.setPlaceholderText("Type to find an article, tick the related ones")
        self.related_filter.textChanged.connect(self._filter_related)
        self.related = QListWidget()
        self.related.setAccessibleName("Related articles")
        self.related.itemActivated.connect(self._toggle)

        self.errors: dict[str, QLabel] = {key: _error_label(name) for key, name in FIELD_NAMES.items()}
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("What to fix")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()

        form = QFormLayout()
        for key, text, widget in (("title", "&Title:", self.title), ("category", "&Category:", self.category),
                                  ("status", "&Status:", self.status),
                                  ("review_every_days", "Review e&very:", self.review)):
            label = QLabel(text)
            label.setBuddy(widget)
            box = QWidget()
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.addWidget(widget)
            col.addWidget(self.errors[key])
            form.addRow(label, box)

        body_box = QWidget()
        body_col = QVBoxLayout(body_box)
        body_col.setContentsMargins(0, 0, 0, 0)
        body_label = QLabel("&Body (Markdown):")
        body_label.setBuddy(self.body)
        body_col.addWidget(body_label)
        body_col.addWidget(self.body, 1)
        body_col.addWidget(self.errors["body"])
        preview_box = QWidget()
        preview_col = QVBoxLayout(preview_box)
        preview_col.setContentsMargins(0, 0, 0, 0)
        preview_col.addWidget(QLabel("Preview (as agents read it):"))
        preview_col.addWidget(self.preview, 1)
        split = QSplitter()
        split.addWidget(body_box)
        split.addWidget(preview_box)
        split.setChildrenCollapsible(False)

        related_label = QLabel("&Related articles:")
        related_label.setBuddy(self.related_filter)
        self.related.setMaximumHeight(self.fontMetrics().height() * 7)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton("Save" if article else "Save article")
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))  # every letter of the form is taken by a field
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_button.setAccessibleName("Save")
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addLayout(form)
        layout.addWidget(split, 1)
        layout.addWidget(related_label)
        layout.addWidget(self.related_filter)
        layout.addWidget(self.related)
        layout.addWidget(self.errors["related"])
        layout.addWidget(self.buttons)
        fm = self.fontMetrics()
        self.resize(fm.horizontalAdvance("M") * 90, fm.height() * 42)

        self._chosen: set[str] = set(a for a, _ in article.related) if article else set()
        if article:
            self.title.setText(article.title)
            self.category.setCurrentIndex(self.category.findData(article.category))
            self.status.setCurrentIndex(self.status.findData(article.status))
            self.review.setValue(article.review_every_days)
            self.body.setPlainText(article.body)
        else:
            self.status.setCurrentIndex(self.status.findData(ArticleStatus.DRAFT.value))
        self._update_preview()
        self.title.setFocus()
        app.read(lambda ctx: knowledge_views.article_choices(ctx), self._show_choices, self._show_error)

    # the form ---------------------------------------------------------------------------------------------
    def _update_preview(self) -> None:
        bar = self.preview.verticalScrollBar()
        at = bar.value()
        self.preview.setMarkdown(self.body.toPlainText())
        bar.setValue(at)

    def _show_choices(self, choices: list[tuple[str, str, str]]) -> None:
        self.related.clear()
        for article_id, title, status in choices:
            if self.article is not None and article_id == self.article.id:
                continue
            item = QListWidgetItem(title + ("" if status == "Published" else f" ({status})"))
            item.setData(Qt.ItemDataRole.UserRole, article_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if article_id in self._chosen else Qt.CheckState.Unchecked)
            self.related.addItem(item)
        self._filter_related(self.related_filter.text())

    def _filter_related(self, words: str) -> None:
        needle = words.casefold().strip()
        for n in range(self.related.count()):
            item = self.related.item(n)
            checked = item.checkState() == Qt.CheckState.Checked
            item.setHidden(bool(needle) and needle not in item.text().casefold() and not checked)

    def _toggle(self, item: QListWidgetItem) -> None:
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def related_ids(self) -> list[str]:
        if self.related.count() == 0:  # the list is still being read: keep what the article had
            return sorted(self._chosen) if self.article is None else [a for a, _ in self.article.related]
        return [self.related.item(n).data(Qt.ItemDataRole.UserRole) for n in range(self.related.count())
                if self.related.item(n).checkState() == Qt.CheckState.Checked]

    def values(self) -> dict[str, Any]:
        return {"title": self.title.text(), "category": self.category.currentData(),
                "status": self.status.currentData(), "body": self.body.toPlainText(),
                "review_every_days": self.review.value(), "related": self.related_ids()}

    def changes(self) -> dict[str, Any]:
        """What differs from the article being edited (an unchanged text is not sent: an edit of the text
        counts as a review)."""
        a = self.article
        assert a is not None
        before = {"title": a.title, "category": a.category, "status": a.status, "body": a.body,
                  "review_every_days": a.review_every_days, "related": [r for r, _ in a.related]}
        now = self.values()
        out = {k: v for k, v in now.items() if k != "related" and v != before[k]}
        if set(now["related"]) != set(before["related"]):
            out["related"] = now["related"]
        return out

    # saving -----------------------------------------------------------------------------------------------
    def save(self) -> None:
        self._clear_errors()
        if self.article is None:
            v = self.values()

            def work(ctx: Any) -> list[str]:
                return [knowledge.add_article(ctx, v["title"], v["category"], v["body"], related=v["related"],
                                              status=ArticleStatus.parse(v["status"]),
                                              review_every_days=v["review_every_days"]).id]
        else:
            changes, article_id = self.changes(), self.article.id
            if not changes:
                self.saved.emit(article_id)
                self.accept()
                return

            def work(ctx: Any) -> list[str]:
                knowledge.update_article(ctx, knowledge.get_article(ctx, article_id), **changes)
                return [article_id]

        self.save_button.setEnabled(False)
        self.app.write(work, "kb_article", self._saved, self._show_error)

    def _saved(self, ids: list[str]) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(ids[0])
        self.accept()

    def _clear_errors(self) -> None:
        self.error.hide()
        for label in self.errors.values():
            label.hide()

    def _show_error(self, exc: Exception) -> None:
        """The service's refusal beside the fields it names; the form keeps everything typed."""
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            lines = []
            for e in exc.errors:
                label = self.errors.get(e.field)
                if label is not None:
                    label.setText(e.message[:1].upper() + e.message[1:] + ".")
                    label.show()
                lines.append(f"- {FIELD_NAMES.get(e.field, e.field)}: {e.message}")
            self.error.setText("Not saved; please correct:\n" + "\n".join(lines))
            first = next((e.field for e in exc.errors), "")
            {"title": self.title, "body": self.body, "review_every_days": self.review,
             "related": self.related_filter}.get(first, self.title).setFocus()
        else:
            self.error.setText(f"Not saved: {exc}")
        self.error.show()
