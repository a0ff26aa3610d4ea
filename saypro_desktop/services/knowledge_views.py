"""Read models of the knowledge base for the screens: plain data, made on a worker thread, shown on the GUI thread.
Editors (EDIT_ARTICLES) see drafts and retired articles too; everyone else reads what is published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from ..core.knowledge import ArticleCategory, ArticleStatus
from ..core.permissions import Permission, can
from ..models import KbArticle, KbSuggestion, KbVote, StaffUser
from . import knowledge
from .context import NotFound, ServiceContext
from .search import fts_query

LIST_LIMIT = 1000  # rows a list shows; the count line says how many more matched


@dataclass(frozen=True)
class ArticleRow:
    id: str
    title: str
    category: str
    status: str
    helpful: int
    not_helpful: int
    last_reviewed_at: datetime
    review_due_at: datetime
    overdue: bool  # published and past its review date
    snippet: str  # the words that matched, in [brackets]; empty without a search


@dataclass(frozen=True)
class ArticleList:
    rows: list[ArticleRow]
    total: int  # how many matched (rows holds at most LIST_LIMIT)


@dataclass(frozen=True)
class ArticleView:
    id: str
    title: str
    category: str
    status: str
    body: str  # Markdown
    owner: str  # display name, "" when none
    written_at: datetime
    last_reviewed_at: datetime
    review_every_days: int
    review_due_at: datetime
    overdue: bool
    helpful: int
    not_helpful: int
    my_vote: bool | None  # the signed-in user's last vote on it (None: not voted)
    related: list[tuple[str, str]]  # (id, title) of related articles that still exist
    open_suggestions: int


@dataclass(frozen=True)
class SuggestionRow:
    id: str
    article_id: str | None  # None: a missing article
    article_title: str
    text: str
    suggested_by: str
    suggested_at: datetime


def may_edit(ctx: ServiceContext) -> bool:
    return can(ctx.actor.role, Permission.EDIT_ARTICLES)


def _due(article: KbArticle) -> datetime:
    return article.last_reviewed_at + timedelta(days=article.review_every_days)


def _overdue(article: KbArticle, now: datetime) -> bool:
    return article.status is ArticleStatus.PUBLISHED and _due(article) <= now


def article_rows(ctx: ServiceContext, words: str = "", *, category: ArticleCategory | str | None = None,
                 overdue_only: bool = False, limit: int = LIST_LIMIT) -> ArticleList:
    """The articles list: with ``words``, those holding every word (the last as a prefix) best first, as
    ``knowledge.search_articles`` ranks them; without, every article by title. Editors also see drafts and
    retired ones; ``overdue_only`` keeps the published articles past their review date, most overdue first."""
    ctx.require(Permission.VIEW_INQUIRIES)
    wanted = ArticleCategory.parse(category) if category else None
    everything = may_edit(ctx)
    now = ctx.now()
    if words.strip():
        match = fts_query(words)
        if not match:
            return ArticleList([], 0)
        sql = ("SELECT a.id, snippet(kb_fts, 1, '[', ']', '…', 12) AS snippet "
               "FROM kb_fts JOIN kb_article a ON a.rowid = kb_fts.rowid WHERE kb_fts MATCH :q AND a.deleted = 0 "
               + ("" if everything else "AND a.status = 'Published' ")
               + ("AND a.category = :category " if wanted else "")
               + f"ORDER BY bm25(kb_fts, {knowledge._WEIGHTS})")
        params: dict[str, Any] = {"q": match}
        if wanted:
            params["category"] = wanted.value
        found = ctx.session.execute(text(sql), params).all()
        snippets = {r.id: r.snippet for r in found}
        order = [r.id for r in found]
        by_id = {a.id: a for a in ctx.session.scalars(select(KbArticle).where(KbArticle.id.in_(order)))}
        articles = [by_id[i] for i in order if i in by_id]
    else:
        query = select(KbArticle).where(KbArticle.deleted.is_(False))
        if not everything:
            query = query.where(KbArticle.status == ArticleStatus.PUBLISHED)
        if wanted:
            query = query.where(KbArticle.category == wanted)
        articles = list(ctx.session.scalars(query.order_by(func.lower(KbArticle.title))))
        snippets = {}
    if overdue_only:
        articles = sorted((a for a in articles if _overdue(a, now)), key=_due)
    shown = articles[:limit]
    votes = knowledge._votes(ctx, [a.id for a in shown])
    rows = [ArticleRow(a.id, a.title, a.category.value, a.status.value, *votes.get(a.id, (0, 0)),
                       a.last_reviewed_at, _due(a), _overdue(a, now), snippets.get(a.id, "")) for a in shown]
    return ArticleList(rows, len(articles))


def article_view(ctx: ServiceContext, article_id: str) -> ArticleView:
    """One article as the reader shows it. A draft or retired article is shown to editors only."""
    article = knowledge.get_article(ctx, article_id)
    if article.status is not ArticleStatus.PUBLISHED and not may_edit(ctx):
        raise NotFound(f"the article {article.title!r} is not published")
    owner = ctx.session.get(StaffUser, article.owner_id) if article.owner_id else None
    helpful, not_helpful = knowledge._votes(ctx, [article.id]).get(article.id, (0, 0))
    mine = ctx.session.scalars(select(KbVote.helpful).where(
        KbVote.article_id == article.id, KbVote.voter_id == ctx.actor.id, KbVote.deleted.is_(False))
        .order_by(KbVote.voted_at.desc()).limit(1)).first()
    related_rows = {a.id: a for a in ctx.session.scalars(select(KbArticle).where(
        KbArticle.id.in_(article.related_ids or []), KbArticle.deleted.is_(False)))}
    related = [(i, related_rows[i].title) for i in article.related_ids or [] if i in related_rows
               and (related_rows[i].status is ArticleStatus.PUBLISHED or may_edit(ctx))]
    suggestions = ctx.session.scalar(select(func.count()).where(
        KbSuggestion.article_id == article.id, KbSuggestion.outcome.is_(None), KbSuggestion.deleted.is_(False))) or 0
    return ArticleView(article.id, article.title, article.category.value, article.status.value, article.body,
                       owner.display_name if owner else "", article.written_at, article.last_reviewed_at,
                       article.review_every_days, _due(article), _overdue(article, ctx.now()), helpful,
                       not_helpful, mine, related, suggestions)


def article_choices(ctx: ServiceContext) -> list[tuple[str, str, str]]:
    """(id, title, status) of every article, by title: what an editor may relate an article to."""
    ctx.require(Permission.VIEW_INQUIRIES)
    rows = ctx.session.execute(select(KbArticle.id, KbArticle.title, KbArticle.status)
                               .where(KbArticle.deleted.is_(False)).order_by(func.lower(KbArticle.title)))
    return [(i, t, s.value) for i, t, s in rows]


def suggestion_rows(ctx: ServiceContext) -> list[SuggestionRow]:
    """The open suggested edits, oldest first."""
    rows = knowledge.open_suggestions(ctx)
    titles = dict(ctx.session.execute(select(KbArticle.id, KbArticle.title).where(
        KbArticle.id.in_([r.article_id for r in rows if r.article_id]))).all())
    names = dict(ctx.session.execute(select(StaffUser.id, StaffUser.display_name).where(
        StaffUser.id.in_([r.suggested_by_id for r in rows if r.suggested_by_id]))).all())
    return [SuggestionRow(r.id, r.article_id, titles.get(r.article_id, "") if r.article_id else "",
                          r.text, names.get(r.suggested_by_id, ""), r.suggested_at) for r in rows]
