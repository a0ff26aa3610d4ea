"""Knowledge-base articles where an inquiry is worked: suggestions while the subject and description are typed
(new-inquiry form), the articles linked to an inquiry with suggestions and one-click linking and Helpful / Not
helpful votes (inquiry detail), and a read-only viewer of an article's text. Every read runs on the read pool,
every change on the writer thread."""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.permissions import Permission
from ...services import inquiries as inquiry_svc
from ...services import knowledge
from ...services.context import NotFound, ServiceContext
from ...services.knowledge_views import article_view
from ..app_context import AppContext
from ..theme import MUTED
from .alive import if_alive

DEBOUNCE_MS = 250  # a pause in typing this long asks for suggestions
SUGGESTIONS = 5
ID = Qt.ItemDataRole.UserRole


def plain_snippet(snippet: str) -> str:
    """The search's snippet as plain words on one line: without its [match] brackets and the article's Markdown
    marks (emphasis, code, headings, list bullets)."""
    text = re.sub(r"(?m)[\[\]*`]|^\s*(#+|[-+>])\s+", "", snippet)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class ArticleText:
    id: str
    title: str
    category: str
    status: str
    body: str  # Markdown


def article_text(ctx: ServiceContext, article_id: str) -> ArticleText:
    a = knowledge.get_article(ctx, article_id)
    return ArticleText(a.id, a.title, a.category.value, a.status.value, a.body)


class ArticleViewer(QDialog):
    """An article's text, read-only (its Markdown rendered), beside the inquiry being worked."""

    def __init__(self, article: ArticleText, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(article.title)
        self.setAccessibleName(f"Article: {article.title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.article = article
        title = QLabel(f"<h2>{_escape(article.title)}</h2>")
        title.setWordWrap(True)
        meta = QLabel(f"<span style='color:{MUTED}'>{article.category}"
                      + ("" if article.status == "Published" else f" · {article.status}") + "</span>")
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Article text")
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(article.body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(meta)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        fm = self.fontMetrics()
        self.resize(fm.horizontalAdvance("M") * 42, fm.height() * 30)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def open_article(app: AppContext, article_id: str, parent: QWidget, on_error=None) -> None:
    """Read the article on the pool, then show it in a viewer (not modal: the inquiry stays workable)."""
    def show(article: ArticleText) -> None:
        viewer = ArticleViewer(article, parent)
        parent.viewers = [v for v in getattr(parent, "viewers", []) if v.isVisible()] + [viewer]  # for tests
        viewer.show()
    app.read(lambda ctx: article_text(ctx, article_id), if_alive(parent, show), if_alive(parent, on_error))


def _item(article_id: str, title: str, category: str, detail: str = "") -> QListWidgetItem:
    item = QListWidgetItem(f"{title}  ·  {category}" + (f"\n{detail}" if detail else ""))
    item.setData(ID, article_id)
    item.setToolTip(f"{title} ({category}): Enter or double-click reads it")
    return item


class ArticleList(QListWidget):
    """A list of articles where Enter reads the current one, and only that: Qt's item views pass Enter on after
    activating, which in the new-inquiry form would also press its default button (Save)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            event.accept()


def _list(name: str, rows: int) -> ArticleList:
    w = ArticleList()
    w.setAccessibleName(name)
    w.setWordWrap(True)
    w.setTabKeyNavigation(False)
    w.setSpacing(2)
    w.setMinimumHeight(w.fontMetrics().height() * rows)
    return w


def _muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {MUTED}")
    return label


class SuggestedArticles(QWidget):
    """Under the description of a new inquiry: the articles that match what is typed, found a moment after the
    typing stops. An article ticked ("Use this article") is linked to the inquiry when it is saved."""

    changed = Signal()  # the chosen articles changed

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.may_link = app.can(Permission.ADD_NOTE)
        self.chosen: dict[str, str] = {}  # article id -> title, in the order chosen
        self.hits: list[knowledge.ArticleHit] = []
        self._asked = ("", "")
        self._generation = 0
        self.list = _list("Suggested articles", 4)
        self.list.setMaximumHeight(self.list.fontMetrics().height() * 7)
        self.list.itemActivated.connect(lambda item: self.view(item))
        self.list.itemChanged.connect(self._ticked)
        self.list.currentItemChanged.connect(lambda *_: self._buttons())
        self.note = _muted("Articles that answer the subject and description appear here as you type.")
        self.view_button = QPushButton("&View")
        self.view_button.setToolTip("Read the article (Enter or double-click in the list)")
        self.view_button.clicked.connect(lambda: self.view(self.list.currentItem()))
        self.use_button = QPushButton("Use &this article")
        self.use_button.setToolTip("Link the article to the inquiry when it is saved (or stop using it)")
        self.use_button.clicked.connect(self.toggle_use)
        self.use_button.setVisible(self.may_link)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.note, 1)
        row.addWidget(self.view_button)
        row.addWidget(self.use_button)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.list)
        col.addLayout(row)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._search)
        self._pending = ("", "")
        self._buttons()

    def text_changed(self, subject: str, description: str) -> None:
        """Called as the agent types; the search waits for a pause."""
        self._pending = (subject, description)
        self._timer.start()

    def _search(self) -> None:
        subject, description = self._pending
        if (subject, description) == self._asked:
            return
        self._asked = (subject, description)
        self._generation += 1
        generation = self._generation
        self.app.read(lambda ctx: knowledge.suggest_articles(ctx, subject, description, limit=SUGGESTIONS),
                      if_alive(self, lambda hits: self._found(generation, hits)),
                      if_alive(self, lambda exc: self.note.setText(f"Articles could not be searched: {exc}")))

    def _found(self, generation: int, hits: list[knowledge.ArticleHit]) -> None:
        if generation != self._generation:  # an older search answered after a newer one was asked
            return
        self.hits = hits
        self._fill()

    def _fill(self) -> None:
        current = self.list.currentItem().data(ID) if self.list.currentItem() else None
        self.list.blockSignals(True)
        self.list.clear()
        shown = set()
        by_id = {h.id: h for h in self.hits}
        for aid, title in self.chosen.items():  # what was chosen stays, whatever is typed after
            hit = by_id.get(aid)
            self._add(aid, title, hit.category if hit else "", "Linked when the inquiry is saved", True)
            shown.add(aid)
        for h in self.hits:
            if h.id not in shown:
                self._add(h.id, h.title, h.category, plain_snippet(h.snippet), False)
        self.list.blockSignals(False)
        for n in range(self.list.count()):
            if self.list.item(n).data(ID) == current:
                self.list.setCurrentRow(n)
        if not self.list.count():
            typed = any(s.strip() for s in self._asked)
            self.note.setText("No article matches these words yet." if typed else
                              "Articles that answer the subject and description appear here as you type.")
        else:
            n = len([h for h in self.hits if h.id not in self.chosen])
            self.note.setText(f"{n} suggested" + (f", {len(self.chosen)} to link" if self.chosen else "")
                              + (". Tick one to link it." if self.may_link else "."))
        self._buttons()

    def _add(self, aid: str, title: str, category: str, detail: str, chosen: bool) -> None:
        item = _item(aid, title, category or "article", detail)
        if self.may_link:
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
        item.setData(ID + 1, title)
        self.list.addItem(item)

    def _ticked(self, item: QListWidgetItem) -> None:
        aid, title = item.data(ID), item.data(ID + 1)
        if item.checkState() == Qt.CheckState.Checked:
            self.chosen[aid] = title
        else:
            self.chosen.pop(aid, None)
        QTimer.singleShot(0, self._fill)  # not while the view is still handling the click
        self.changed.emit()

    def toggle_use(self) -> None:
        item = self.list.currentItem()
        if item is None or not self.may_link:
            return
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def set_chosen(self, chosen: list[list[str]] | None) -> None:
        """Articles chosen before (a restored draft): [[id, title], ...]."""
        self.chosen = {aid: title for aid, title in chosen or []} if self.may_link else {}
        self._fill()

    def chosen_list(self) -> list[list[str]]:
        return [[aid, title] for aid, title in self.chosen.items()]

    def view(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            open_article(self.app, item.data(ID), self, lambda exc: self.note.setText(str(exc)))

    def _buttons(self) -> None:
        item = self.list.currentItem()
        self.view_button.setEnabled(item is not None)
        self.use_button.setEnabled(item is not None)
        if item is not None and self.may_link:
            checked = item.checkState() == Qt.CheckState.Checked
            self.use_button.setText("Don't use &this article" if checked else "Use &this article")


# -- the inquiry detail's Knowledge base tab ----------------------------------------------------------------------

@dataclass(frozen=True)
class LinkedArticle:
    id: str
    title: str
    category: str
    status: str
    helpful: int
    not_helpful: int
    my_vote: bool | None  # the signed-in user's vote on the article (None: not voted)


@dataclass(frozen=True)
class InquiryKnowledge:
    inquiry_id: str
    linked: list[LinkedArticle]
    suggested: list[knowledge.ArticleHit]  # not already linked


def inquiry_knowledge(ctx: ServiceContext, inquiry_id: str) -> InquiryKnowledge:
    inquiry = inquiry_svc.get_inquiry(ctx, inquiry_id)
    linked = []
    for a in knowledge.articles_of(ctx, inquiry):
        try:
            v = article_view(ctx, a.id)
            votes = (v.helpful, v.not_helpful, v.my_vote)
        except NotFound:  # retired since: still linked, no longer read by everyone
            votes = (0, 0, None)
        linked.append(LinkedArticle(a.id, a.title, a.category.value, a.status.value, *votes))
    ids = {a.id for a in linked}
    hits = knowledge.suggest_articles(ctx, inquiry.subject or "", inquiry.description or "",
                                      limit=SUGGESTIONS + len(ids))
    return InquiryKnowledge(inquiry_id, linked, [h for h in hits if h.id not in ids][:SUGGESTIONS])


class KnowledgeBox(QWidget):
    """The articles an inquiry is answered with (read, unlink, vote) and those suggested for it (read, link)."""

    message = Signal(str)

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.inquiry_id: str | None = None
        self.state: InquiryKnowledge | None = None
        self.may_link = app.can(Permission.ADD_NOTE)
        self.may_vote = app.can(Permission.EDIT_ARTICLES) or app.can(Permission.SUGGEST_ARTICLE_EDITS)
        self.linked = _list("Linked articles", 3)
        self.linked.itemActivated.connect(self._read)
        self.linked.currentItemChanged.connect(lambda *_: self._enable())
        self.suggested = _list("Suggested articles", 4)
        self.suggested.itemActivated.connect(self._read)
        self.suggested.currentItemChanged.connect(lambda *_: self._enable())
        self.error = _muted()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("")
        self.error.hide()

        def button(text: str, tip: str, slot) -> QPushButton:
            b = QPushButton(text)
            b.setToolTip(tip)
            b.setAccessibleName(text.rstrip("…"))
            b.clicked.connect(slot)
            return b

        self.open_linked = button("Read", "Read the article (Enter or double-click in the list)",
                                  lambda: self._read(self.linked.currentItem()))
        self.unlink = button("Unlink", "This inquiry was not answered with the article after all", self._unlink)
        self.helpful = button("Helpful", "The article helped answer this inquiry", lambda: self._vote(True))
        self.not_helpful = button("Not helpful", "The article did not help: its owner sees the votes",
                                  lambda: self._vote(False))
        self.open_suggested = button("Read", "Read the article (Enter or double-click in the list)",
                                     lambda: self._read(self.suggested.currentItem()))
        self.open_suggested.setAccessibleName("Read suggested article")
        self.link = button("Link", "This inquiry is answered with the article", self._link)
        col = QVBoxLayout(self)
        col.addWidget(QLabel("<b>Articles this inquiry is answered with</b>"))
        col.addWidget(self.linked, 1)
        row = QHBoxLayout()
        for w in (self.open_linked, self.unlink):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.helpful)
        row.addWidget(self.not_helpful)
        col.addLayout(row)
        col.addWidget(QLabel("<b>Suggested for its subject and description</b>"))
        col.addWidget(self.suggested, 2)
        row2 = QHBoxLayout()
        row2.addWidget(self.open_suggested)
        row2.addWidget(self.link)
        row2.addStretch(1)
        col.addLayout(row2)
        col.addWidget(self.error)
        for b in (self.unlink, self.link):
            b.setVisible(self.may_link)
        for b in (self.helpful, self.not_helpful):
            b.setVisible(self.may_vote)
        app.bus.changed.connect(self._on_changed)
        self._enable()

    def show_inquiry(self, inquiry_id: str) -> None:
        self.inquiry_id = inquiry_id
        self.app.read(lambda ctx: inquiry_knowledge(ctx, inquiry_id), if_alive(self, self._loaded),
                      if_alive(self, self._failed))

    def _loaded(self, state: InquiryKnowledge) -> None:
        if state.inquiry_id != self.inquiry_id:
            return
        self.state = state
        keep = (self._current(self.linked), self._current(self.suggested))
        self.linked.clear()
        for a in state.linked:
            votes = f"{a.helpful} helpful, {a.not_helpful} not" + (
                "" if a.my_vote is None else f" · your vote: {'helpful' if a.my_vote else 'not helpful'}")
            self.linked.addItem(_item(a.id, a.title, a.category, votes + (
                "" if a.status == "Published" else f" · {a.status}")))
        if not state.linked:
            self.linked.addItem(self._placeholder("No article linked yet: link one of the suggestions below."))
        self.suggested.clear()
        for h in state.suggested:
            self.suggested.addItem(_item(h.id, h.title, h.category, plain_snippet(h.snippet)))
        if not state.suggested:
            self.suggested.addItem(self._placeholder("No other article matches the subject and description."))
        for view, aid in zip((self.linked, self.suggested), keep, strict=True):
            for n in range(view.count()):
                if aid and view.item(n).data(ID) == aid:
                    view.setCurrentRow(n)
        self.error.hide()
        self._enable()

    @staticmethod
    def _placeholder(text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        return item

    @staticmethod
    def _current(view: QListWidget) -> str | None:
        item = view.currentItem()
        return item.data(ID) if item is not None else None

    def _linked_article(self) -> LinkedArticle | None:
        aid = self._current(self.linked)
        return next((a for a in self.state.linked if a.id == aid), None) if self.state and aid else None

    def _enable(self) -> None:
        article = self._linked_article()
        self.open_linked.setEnabled(article is not None)
        self.unlink.setEnabled(article is not None)
        voted = article is not None and article.my_vote is not None
        for b in (self.helpful, self.not_helpful):
            b.setEnabled(article is not None and not voted)
            b.setToolTip("You voted on this article already" if voted else b.toolTip() if article else
                         "Select a linked article to vote on it")
        has_suggestion = self._current(self.suggested) is not None
        self.open_suggested.setEnabled(has_suggestion)
        self.link.setEnabled(has_suggestion)

    def _read(self, item: QListWidgetItem | None) -> None:
        if item is not None and item.data(ID):
            open_article(self.app, item.data(ID), self, self._failed)

    def _change(self, fn, entity: str, done: str) -> None:
        rid = self.inquiry_id
        if rid is None:
            return

        def work(ctx):
            return fn(ctx, inquiry_svc.get_inquiry(ctx, rid))

        self.error.hide()
        self.app.write(work, entity, if_alive(self, lambda _: self.message.emit(done)), if_alive(self, self._failed))

    def _link(self) -> None:
        aid = self._current(self.suggested)
        if aid:
            def link(ctx, inquiry):
                knowledge.link_article(ctx, inquiry, knowledge.get_article(ctx, aid))
                return [inquiry.id]
            self._change(link, "inquiry_article", "Article linked")

    def _unlink(self) -> None:
        article = self._linked_article()
        if article:
            def unlink(ctx, inquiry):
                knowledge.unlink_article(ctx, inquiry, knowledge.get_article(ctx, article.id))
                return [inquiry.id]
            self._change(unlink, "inquiry_article", "Article unlinked")

    def _vote(self, helpful: bool) -> None:
        article = self._linked_article()
        if article and article.my_vote is None:
            def vote(ctx, inquiry):
                knowledge.vote(ctx, knowledge.get_article(ctx, article.id), helpful, inquiry)
                return [article.id]
            self._change(vote, "kb_vote", "Thank you: your vote is counted")

    def _failed(self, exc: Exception) -> None:
        self.error.setText(str(exc))
        self.error.show()

    def _on_changed(self, entity: str, ids: list[str]) -> None:
        if self.inquiry_id is None:
            return
        mine = not ids or self.inquiry_id in ids
        # "inquiry" changes reload the whole panel, which asks again (InquiryDetailPanel.show_inquiry).
        if (entity == "inquiry_article" and mine) or entity in ("kb_article", "kb_vote"):
            self.show_inquiry(self.inquiry_id)
