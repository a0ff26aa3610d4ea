"""The Knowledge workspace, for every role: the articles (search, read, vote), and for editors the suggestions
inbox, for Supervisors and Admins the canned replies. Views read again when something they show changed (here,
on another screen or through a sync)."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ...core.permissions import Permission
from ..app_context import AppContext
from ..workspace import Workspace
from .articles_view import ArticlesView
from .replies_view import RepliesView
from .suggestions_view import SuggestionsView

ARTICLE_ENTITIES = ("kb_article", "kb_vote", "kb_suggestion", "sync")


class KnowledgeWorkspace(Workspace):
    title = "Knowledge"

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.articles = ArticlesView(app)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Knowledge views")
        self.tabs.addTab(self.articles, "&Articles")
        self.suggestions: SuggestionsView | None = None
        self.replies: RepliesView | None = None
        if app.can(Permission.EDIT_ARTICLES):
            self.suggestions = SuggestionsView(app)
            self.suggestions.take_in.connect(self._take_in)
            self.tabs.addTab(self.suggestions, "Su&ggested edits")
        if app.can(Permission.MANAGE_REPLIES):
            self.replies = RepliesView(app)
            self.tabs.addTab(self.replies, "Canned &replies")
        if self.tabs.count() == 1:
            self.tabs.tabBar().hide()  # one view: no tab to choose
        self.tabs.currentChanged.connect(lambda _: self._refresh_current())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._stale = True
        app.bus.changed.connect(self._changed)

    def activated(self) -> None:
        if self._stale:
            self._stale = False
            self.articles.refresh()
            self.articles.reload_article()
        self._refresh_current()
        self.articles.search.setFocus()

    def _refresh_current(self) -> None:
        view = self.tabs.currentWidget()
        if view is self.suggestions and self.suggestions is not None:
            self.suggestions.refresh()
        elif view is self.replies and self.replies is not None:
            self.replies.refresh()

    def _changed(self, entity: str, _ids: list[str]) -> None:
        if entity not in ARTICLE_ENTITIES:
            return  # canned replies: the replies view reads again after its own writes
        if not self.isVisible():
            self._stale = True  # read again when shown
            return
        self.articles.refresh()
        self.articles.reload_article()
        if entity in ("kb_suggestion", "sync") or self.tabs.currentWidget() is self.replies:
            self._refresh_current()

    def _take_in(self, article_id: str, note: str) -> None:
        """An accepted suggestion: the article (or a new one) in the editor, the suggestion shown above it."""
        self.tabs.setCurrentWidget(self.articles)
        if article_id:
            self.articles.edit_by_id(article_id, note)
        else:
            self.articles.new_article(note)
