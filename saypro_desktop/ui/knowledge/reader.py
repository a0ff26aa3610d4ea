"""The article reader: the article's Markdown, who owns it and when it was last reviewed, related articles as
links, and (for roles that may vote) Helpful / Not helpful."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from ...services.knowledge_views import ArticleView
from ..theme import BAD, MUTED

ARTICLE_SCHEME = "article"  # links to another article: article:<id>


def day(moment: datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%d/%m/%Y}"


def article_markdown(view: ArticleView) -> str:
    """The article as the reader shows it: its body, then its related articles as links."""
    text = view.body.rstrip()
    if view.related:
        # A title's brackets would end the link text early.
        links = "\n".join(f"- [{title.replace('[', '(').replace(']', ')')}]({ARTICLE_SCHEME}:{rid})"
                          for rid, title in view.related)
        text += f"\n\n---\n\n**Related articles**\n\n{links}\n"
    return text


class ArticleReader(QWidget):
    open_article = Signal(str)  # a related article's id
    vote = Signal(bool)  # helpful?

    def __init__(self, tz: ZoneInfo, can_vote: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.view: ArticleView | None = None
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setAccessibleName("Article title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.meta = QLabel()
        self.meta.setWordWrap(True)
        self.meta.setAccessibleName("About the article")
        self.meta.setTextFormat(Qt.TextFormat.RichText)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Article")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._link)
        self.votes = QLabel()
        self.votes.setAccessibleName("Votes")
        self.helpful = QPushButton("Hel&pful")
        self.helpful.setToolTip("This article answered the question")
        self.not_helpful = QPushButton("Not helpf&ul")
        self.not_helpful.setToolTip("This article did not answer it, or is wrong: say why with Suggest an edit")
        self.helpful.clicked.connect(lambda: self.vote.emit(True))
        self.not_helpful.clicked.connect(lambda: self.vote.emit(False))
        self.vote_bar = QHBoxLayout()
        self.vote_bar.addWidget(self.votes, 1)
        self.vote_bar.addWidget(self.helpful)
        self.vote_bar.addWidget(self.not_helpful)
        if not can_vote:
            self.helpful.hide()
            self.not_helpful.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        layout.addWidget(self.browser, 1)
        layout.addLayout(self.vote_bar)
        self.show_nothing("Search, or pick an article in the list.")

    def show_nothing(self, note: str) -> None:
        self.view = None
        self.title.setText("")
        self.meta.setText(f"<span style='color:{MUTED}'>{note}</span>")
        self.browser.clear()
        self.votes.clear()
        self.helpful.setEnabled(False)
        self.not_helpful.setEnabled(False)

    def show_article(self, view: ArticleView) -> None:
        same = self.view is not None and self.view.id == view.id
        scroll = self.browser.verticalScrollBar().value() if same else 0
        self.view = view
        self.title.setText(view.title)
        reviewed = f"last reviewed {day(view.last_reviewed_at, self.tz)}"
        if view.overdue:
            reviewed = (f"<span style='color:{BAD}'>⚠ {reviewed}: review was due "
                        f"{day(view.review_due_at, self.tz)}</span>")
        else:
            reviewed += f" (next review by {day(view.review_due_at, self.tz)})"
        parts = [html.escape(view.category)]
        if view.status != "Published":
            parts.append(f"<b>{view.status}</b>")
        parts += [f"owner {html.escape(view.owner) or '–'}", reviewed]
        if view.open_suggestions:
            parts.append(f"{view.open_suggestions} suggested edit(s) open")
        self.meta.setText(" · ".join(parts))
        self.browser.setMarkdown(article_markdown(view))
        self.browser.verticalScrollBar().setValue(scroll)
        self.votes.setText(self._vote_text(view))
        voted = view.my_vote is not None
        self.helpful.setEnabled(not voted)
        self.not_helpful.setEnabled(not voted)

    @staticmethod
    def _vote_text(view: ArticleView) -> str:
        counts = f"Helpful: {view.helpful} · Not helpful: {view.not_helpful}"
        if view.my_vote is None:
            return counts + " · Did it answer the question?"
        return counts + f" · You voted {'helpful' if view.my_vote else 'not helpful'}"

    def _link(self, url: QUrl) -> None:
        if url.scheme() == ARTICLE_SCHEME:
            self.open_article.emit(url.path())
        elif url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
