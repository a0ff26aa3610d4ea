"""Articles: a search box (results while typing, on the read pool), a category filter, the list, and the reader.
Editors also get New article, Edit, Mark reviewed and the "Overdue for review" filter; roles that may suggest get
"Suggest an edit…" and "Suggest a missing article…"."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.knowledge import ArticleCategory
from ...core.permissions import Permission
from ...services import knowledge, knowledge_views
from ...services.knowledge_views import ArticleList, ArticleRow, ArticleView
from ..app_context import AppContext
from ..theme import BAD
from ..workspace import hidden_unless
from .editor import ArticleEditor
from .reader import ArticleReader, day
from .suggest import SuggestDialog

SEARCH_DELAY_MS = 250  # typing pauses this long before the list is read again

_Index = QModelIndex | QPersistentModelIndex


class ArticleTableModel(QAbstractTableModel):
    def __init__(self, tz: ZoneInfo, with_status: bool) -> None:
        super().__init__()
        self.tz = tz
        self.columns = ["Title", "Category", *(["Status"] if with_status else []), "Helpful", "Last reviewed"]
        self.rows: list[ArticleRow] = []

    def set_rows(self, rows: list[ArticleRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "Title":
                return row.title
            if column == "Category":
                return row.category
            if column == "Status":
                return row.status
            if column == "Helpful":
                return f"+{row.helpful} / −{row.not_helpful}" if row.helpful or row.not_helpful else ""
            if column == "Last reviewed":
                return day(row.last_reviewed_at, self.tz) + (" ⚠ overdue" if row.overdue else "")
        if role == Qt.ItemDataRole.ForegroundRole and column == "Last reviewed" and row.overdue:
            return QColor(BAD)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "Last reviewed":
                due = day(row.review_due_at, self.tz)
                return f"Review was due {due}" if row.overdue else f"Next review by {due}"
            if column == "Title" and row.snippet:
                return row.snippet
            if column == "Helpful":
                return f"{row.helpful} found it helpful, {row.not_helpful} did not"
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None


class ArticlesView(QWidget):
    changed = Signal()  # this view wrote something (the workspace tells the other tabs)

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.tz = app.settings.calendar().tz
        self.editor_role = app.can(Permission.EDIT_ARTICLES)
        self.suggester = app.can(Permission.SUGGEST_ARTICLE_EDITS)
        self.can_vote = self.editor_role or self.suggester  # as services.knowledge allows
        self._generation = 0  # the newest list read; older answers are dropped
        self._wanted: str | None = None  # the article the reader waits for
        self.editor: ArticleEditor | None = None
        self.suggest_dialog: SuggestDialog | None = None

        self.search = QLineEdit()
        self.search.setAccessibleName("Search articles")
        self.search.setPlaceholderText("Words of the question, e.g. refund charged twice")
        self.search.setClearButtonEnabled(True)
        search_label = QLabel("&Search articles:")
        search_label.setBuddy(self.search)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.search.returnPressed.connect(self._search_now)
        self.search.installEventFilter(self)  # Down goes from the search box into the list
        self.category = QComboBox()
        self.category.setAccessibleName("Category")
        self.category.addItem("Any category", None)
        for c in ArticleCategory:
            self.category.addItem(c.value, c.value)
        category_label = QLabel("Ca&tegory:")
        category_label.setBuddy(self.category)
        self.category.currentIndexChanged.connect(lambda _: self.refresh())
        self.overdue = QCheckBox("&Overdue for review")
        self.overdue.setToolTip("Only published articles past their review date, the most overdue first")
        self.overdue.toggled.connect(lambda _: self.refresh())
        hidden_unless(self.editor_role, self.overdue)
        self.count = QLabel()
        self.count.setAccessibleName("Articles found")
        self.new_button = QPushButton("&New article…")
        self.new_button.clicked.connect(self.new_article)
        hidden_unless(self.editor_role, self.new_button)
        self.missing_button = QPushButton("Suggest a &missing article…")
        self.missing_button.setToolTip("No article answers a question users keep asking: tell the editors")
        self.missing_button.clicked.connect(lambda: self.suggest(missing=True))
        hidden_unless(self.suggester, self.missing_button)
        top = QHBoxLayout()
        top.addWidget(search_label)
        top.addWidget(self.search, 3)
        top.addWidget(category_label)
        top.addWidget(self.category, 1)
        top.addWidget(self.overdue)
        top.addStretch(0)
        top.addWidget(self.new_button)
        top.addWidget(self.missing_button)

        self.model = ArticleTableModel(self.tz, with_status=self.editor_role)
        self.table = QTableView()
        self.table.setAccessibleName("Articles")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._row_chosen(cur.row()))

        self.reader = ArticleReader(self.tz, self.can_vote)
        self.reader.open_article.connect(self.open_article)
        self.reader.vote.connect(self.vote)
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.clicked.connect(self.edit_article)
        self.reviewed_button = QPushButton("Mark revie&wed")
        self.reviewed_button.setToolTip("The article was checked and is still right: its review date starts again")
        self.reviewed_button.clicked.connect(self.mark_reviewed)
        self.suggest_button = QPushButton("Suggest an e&dit…")
        self.suggest_button.setToolTip("Something in this article is wrong or missing: tell its editors")
        self.suggest_button.clicked.connect(lambda: self.suggest(missing=False))
        hidden_unless(self.editor_role, self.edit_button, self.reviewed_button)
        hidden_unless(self.suggester, self.suggest_button)
        actions = QHBoxLayout()
        actions.addWidget(self.edit_button)
        actions.addWidget(self.reviewed_button)
        actions.addWidget(self.suggest_button)
        actions.addStretch(1)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Last action")

        left = QWidget()
        left_col = QVBoxLayout(left)
        left_col.setContentsMargins(0, 0, 0, 0)
        left_col.addWidget(self.table, 1)
        left_col.addWidget(self.count)
        right = QWidget()
        right_col = QVBoxLayout(right)
        right_col.setContentsMargins(0, 0, 0, 0)
        right_col.addWidget(self.reader, 1)
        right_col.addLayout(actions)
        right_col.addWidget(self.note)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        em = self.fontMetrics().horizontalAdvance("M")
        split.setSizes([em * 50, em * 50])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._update_buttons()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down and self.model.rows):  # type: ignore[attr-defined]
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    # the list ---------------------------------------------------------------------------------------------
    def _search_now(self) -> None:
        self._search_timer.stop()
        self.refresh()

    def refresh(self) -> None:
        """Read the list again (on the read pool) for the words, category and filter as they are now."""
        self._search_timer.stop()
        self._generation += 1
        generation = self._generation
        words, category, overdue = self.search.text(), self.category.currentData(), self.overdue.isChecked()
        self.app.read(lambda ctx: knowledge_views.article_rows(ctx, words, category=category, overdue_only=overdue),
                      lambda found: self._show_rows(found, generation, bool(words.strip())), self._read_failed)

    def _show_rows(self, found: ArticleList, generation: int, searched: bool) -> None:
        if generation != self._generation:
            return  # the user typed on; a newer answer is coming
        current = self._wanted  # the article shown, or the one on its way to the reader
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(found.rows)
        self.table.selectionModel().blockSignals(False)
        what = "overdue for review" if self.overdue.isChecked() else "found" if searched else ""
        shown = len(found.rows)
        self.count.setText(f"{found.total} article(s) {what}".strip() if shown == found.total else
                            f"The first {shown} of {found.total} article(s) {what}; type more words to narrow")
        if not found.rows and searched:
            self.count.setText("No article has all these words. Fewer or other words may find one"
                               + ("; or suggest the missing article." if self.suggester else "."))
        index = next((n for n, r in enumerate(found.rows) if r.id == current), None)
        if index is None and searched and found.rows:
            index = 0  # while searching, the best match is read at once
        if index is not None:
            self.table.selectRow(index)
            self.table.scrollTo(self.model.index(index, 0))
            if found.rows[index].id != current:
                self._row_chosen(index)

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.open_article(self.model.rows[row].id)

    # the reader -------------------------------------------------------------------------------------------
    def open_article(self, article_id: str) -> None:
        self._wanted = article_id
        self.app.read(lambda ctx: knowledge_views.article_view(ctx, article_id), self._show_article,
                      self._article_failed)

    def _show_article(self, view: ArticleView) -> None:
        if view.id != self._wanted:
            return
        self.reader.show_article(view)
        row = next((n for n, r in enumerate(self.model.rows) if r.id == view.id), None)
        if row is not None and self.table.currentIndex().row() != row:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.selectionModel().blockSignals(False)
        self._update_buttons()

    def reload_article(self) -> None:
        if self.reader.view is not None:
            self.open_article(self.reader.view.id)

    def _update_buttons(self) -> None:
        shown = self.reader.view is not None
        for b in (self.edit_button, self.reviewed_button, self.suggest_button):
            b.setEnabled(shown)

    # votes, reviews, edits, suggestions -------------------------------------------------------------------
    def vote(self, helpful: bool) -> None:
        view = self.reader.view
        if view is None:
            return
        article_id = view.id

        def work(ctx: Any) -> list[str]:
            knowledge.vote(ctx, knowledge.get_article(ctx, article_id), helpful)
            return [article_id]

        self.reader.helpful.setEnabled(False)
        self.reader.not_helpful.setEnabled(False)
        self.app.write(work, "kb_vote", lambda _: self._done("Thank you: your vote is counted."), self._failed)

    def mark_reviewed(self) -> None:
        view = self.reader.view
        if view is None:
            return
        article_id = view.id

        def work(ctx: Any) -> list[str]:
            knowledge.mark_reviewed(ctx, knowledge.get_article(ctx, article_id))
            return [article_id]

        self.app.write(work, "kb_article", lambda _: self._done(f"“{view.title}” marked reviewed today."),
                       self._failed)

    def new_article(self, note: str = "") -> ArticleEditor:
        return self._open_editor(None, note)

    def edit_article(self, note: str = "") -> ArticleEditor | None:
        if self.reader.view is None:
            return None
        return self._open_editor(self.reader.view, note if isinstance(note, str) else "")

    def edit_by_id(self, article_id: str, note: str = "") -> None:
        """Show the article, then open it in the editor (an accepted suggestion)."""
        def opened(view: ArticleView) -> None:
            self._wanted = view.id
            self._show_article(view)
            self._open_editor(view, note)

        self._wanted = article_id
        self.app.read(lambda ctx: knowledge_views.article_view(ctx, article_id), opened, self._article_failed)

    def _open_editor(self, view: ArticleView | None, note: str) -> ArticleEditor:
        self.editor = ArticleEditor(self.app, view, note if isinstance(note, str) else "", self)
        self.editor.saved.connect(self._article_saved)
        self.editor.open()
        return self.editor

    def _article_saved(self, article_id: str) -> None:
        self.open_article(article_id)
        self._done("Article saved.")

    def suggest(self, missing: bool) -> SuggestDialog | None:
        view = self.reader.view
        if not missing and view is None:
            return None
        self.suggest_dialog = SuggestDialog(self.app, None if missing else (view.id, view.title), self)
        self.suggest_dialog.sent.connect(lambda _: self._done("Suggestion sent to the editors."))
        self.suggest_dialog.open()
        return self.suggest_dialog

    def _done(self, message: str) -> None:
        """After a write: the change bus has the workspace read the list and the article again."""
        self.note.setText(message)
        self.changed.emit()

    def _read_failed(self, exc: Exception) -> None:
        self.note.setText(f"Could not read the articles: {exc}")

    def _article_failed(self, exc: Exception) -> None:
        self._wanted = None
        self.reader.show_nothing(f"This article cannot be shown: {exc}")
        self._update_buttons()

    def _failed(self, exc: Exception) -> None:
        QMessageBox.warning(self, "Not done", str(exc))
        self.reload_article()
