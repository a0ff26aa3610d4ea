"""The knowledge base: writing and reviewing articles, finding them (FTS5, offline), suggesting them while an
agent types an inquiry, votes, suggested edits, and the articles an inquiry was answered with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..core.knowledge import (
    REVIEW_EVERY_DAYS,
    ArticleCategory,
    ArticleStatus,
    KnowledgeMeasures,
    link_row_id,
    significant_words,
)
from ..core.permissions import Permission, can
from ..core.validation import FieldError, ValidationError
from ..models import Inquiry, InquiryArticle, KbArticle, KbSuggestion, KbVote, StaffUser
from .context import NotFound, ServiceContext
from .search import fts_query

# bm25 weights of the index's columns (title, body, category): a word in the title says most.
_WEIGHTS = "10.0, 1.0, 2.0"


@dataclass(frozen=True)
class ArticleHit:
    id: str
    title: str
    category: str
    snippet: str  # the matching words in [brackets]
    helpful: int
    not_helpful: int


def _check(title: str, body: str, review_every_days: int) -> list[FieldError]:
    errors = []
    if not 5 <= len(title.strip()) <= 200:
        errors.append(FieldError("title", "give a title of 5 to 200 characters that says what the article answers"))
    if len(body.strip()) < 20:
        errors.append(FieldError("body", "write the article (at least 20 characters)"))
    if not 7 <= review_every_days <= 730:
        errors.append(FieldError("review_every_days", "review an article every 7 to 730 days"))
    return errors


def _related(ctx: ServiceContext, ids: list[str], own: str | None = None) -> list[str]:
    ids = list(dict.fromkeys(i for i in ids if i != own))
    known = set(ctx.session.scalars(select(KbArticle.id).where(KbArticle.id.in_(ids), KbArticle.deleted.is_(False))))
    missing = [i for i in ids if i not in known]
    if missing:
        raise ValidationError([FieldError("related", f"no article {', '.join(missing)}")])
    return ids


def add_article(ctx: ServiceContext, title: str, category: ArticleCategory | str, body: str, *,
                related: list[str] | None = None, owner: StaffUser | None = None,
                status: ArticleStatus = ArticleStatus.PUBLISHED,
                review_every_days: int = REVIEW_EVERY_DAYS) -> KbArticle:
    ctx.require(Permission.EDIT_ARTICLES)
    errors = _check(title, body, review_every_days)
    if errors:
        raise ValidationError(errors)
    article = KbArticle(title=title.strip(), category=ArticleCategory.parse(category), body=body.strip(),
                        status=status, related_ids=_related(ctx, related or []), owner_id=(owner or ctx.actor).id,
                        created_by_id=ctx.actor.id, written_at=ctx.now(), last_reviewed_at=ctx.now(),
                        review_every_days=review_every_days)
    ctx.session.add(article)
    ctx.session.flush()
    return article


def update_article(ctx: ServiceContext, article: KbArticle, **changes: Any) -> KbArticle:
    """Change an article (title, category, body, status, related, owner_id, review_every_days). An edit of the
    text counts as a review."""
    ctx.require(Permission.EDIT_ARTICLES)
    allowed = {"title", "category", "body", "status", "related", "owner_id", "review_every_days"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"an article has no {', '.join(sorted(unknown))}")
    title, body = changes.get("title", article.title), changes.get("body", article.body)
    errors = _check(title, body, changes.get("review_every_days", article.review_every_days))
    if errors:
        raise ValidationError(errors)
    if "related" in changes:
        article.related_ids = _related(ctx, changes.pop("related"), article.id)
    if "category" in changes:
        changes["category"] = ArticleCategory.parse(changes["category"])
    if "status" in changes:
        changes["status"] = ArticleStatus.parse(changes["status"])
    for name, value in changes.items():
        setattr(article, name, value.strip() if isinstance(value, str) and name in ("title", "body") else value)
    if "title" in changes or "body" in changes:
        article.last_reviewed_at = ctx.now()
    ctx.session.flush()
    return article


def mark_reviewed(ctx: ServiceContext, article: KbArticle) -> KbArticle:
    ctx.require(Permission.EDIT_ARTICLES)
    article.last_reviewed_at = ctx.now()
    ctx.session.flush()
    return article


def get_article(ctx: ServiceContext, ref: str) -> KbArticle:
    """By row id (or its first 8 characters, as lists show it) or exact title, any case."""
    ctx.require(Permission.VIEW_INQUIRIES)
    ref = ref.strip()
    article = ctx.session.get(KbArticle, ref)
    if article is None and len(ref) >= 8:
        article = ctx.session.scalars(select(KbArticle).where(KbArticle.id.startswith(ref)).limit(2)).first()
    if article is None:
        article = ctx.session.scalars(select(KbArticle).where(func.lower(KbArticle.title) == ref.lower())).first()
    if article is None or article.deleted:
        raise NotFound(f"no article {ref!r}; give its id (the first 8 characters do) or its exact title")
    return article


def overdue_for_review(ctx: ServiceContext, now: datetime | None = None) -> list[KbArticle]:
    """Published articles whose last review is older than their review period, the most overdue first."""
    ctx.require(Permission.VIEW_INQUIRIES)
    return _overdue(ctx.session, now or ctx.now())


def _overdue(session: Session, now: datetime) -> list[KbArticle]:
    rows = session.scalars(select(KbArticle).where(KbArticle.deleted.is_(False),
                                                   KbArticle.status == ArticleStatus.PUBLISHED))
    due = [a for a in rows if a.last_reviewed_at + timedelta(days=a.review_every_days) <= now]
    return sorted(due, key=lambda a: a.last_reviewed_at + timedelta(days=a.review_every_days))


def _hits(ctx: ServiceContext, match: str, limit: int, category: ArticleCategory | None) -> list[ArticleHit]:
    sql = ("SELECT a.id, a.title, a.category, snippet(kb_fts, 1, '[', ']', '…', 12) AS snippet "
           "FROM kb_fts JOIN kb_article a ON a.rowid = kb_fts.rowid "
           "WHERE kb_fts MATCH :q AND a.deleted = 0 AND a.status = 'Published' "
           + ("AND a.category = :category " if category else "")
           + f"ORDER BY bm25(kb_fts, {_WEIGHTS}) LIMIT :n")
    params: dict[str, Any] = {"q": match, "n": limit}
    if category:
        params["category"] = category.value
    rows = ctx.session.execute(text(sql), params).all()
    votes = _votes(ctx, [r.id for r in rows])
    return [ArticleHit(r.id, r.title, r.category, r.snippet, *votes.get(r.id, (0, 0))) for r in rows]


def _votes(ctx: ServiceContext, ids: list[str]) -> dict[str, tuple[int, int]]:
    if not ids:
        return {}
    rows = ctx.session.execute(select(KbVote.article_id, KbVote.helpful, func.count())
                               .where(KbVote.article_id.in_(ids), KbVote.deleted.is_(False))
                               .group_by(KbVote.article_id, KbVote.helpful))
    out: dict[str, list[int]] = {}
    for article_id, helpful, n in rows:
        out.setdefault(article_id, [0, 0])[0 if helpful else 1] += n
    return {k: (v[0], v[1]) for k, v in out.items()}


def search_articles(ctx: ServiceContext, user_text: str, *, limit: int = 20,
                    category: ArticleCategory | str | None = None) -> list[ArticleHit]:
    """Published articles with every word typed (the last as a prefix), best first."""
    ctx.require(Permission.VIEW_INQUIRIES)
    match = fts_query(user_text)
    if not match:
        return []
    return _hits(ctx, match, limit, ArticleCategory.parse(category) if category else None)


def suggest_articles(ctx: ServiceContext, subject: str, description: str = "", *, limit: int = 5) -> list[ArticleHit]:
    """Articles for an inquiry being typed: any of its significant words, best first (bm25 ranks articles that
    share more and rarer words higher). The subject's words count twice."""
    ctx.require(Permission.VIEW_INQUIRIES)
    words = significant_words(f"{subject} {subject} {description}")
    if not words:
        return []
    match = " OR ".join(f'"{w}"*' if len(w) >= 4 else f'"{w}"' for w in words)
    return _hits(ctx, match, limit, None)


# -- votes, links, suggested edits ------------------------------------------------------------------------------

def _require_contributor(ctx: ServiceContext) -> None:
    """Agents and moderators (who suggest edits) and editors vote and suggest; Viewers only read."""
    if not can(ctx.actor.role, Permission.EDIT_ARTICLES):
        ctx.require(Permission.SUGGEST_ARTICLE_EDITS)


def vote(ctx: ServiceContext, article: KbArticle, helpful: bool, inquiry: Inquiry | None = None) -> KbVote:
    """One vote a person per article and inquiry (or per article, without an inquiry): votes are counted, so a
    second one would count the same opinion twice."""
    _require_contributor(ctx)
    inquiry_id = inquiry.id if inquiry else None
    again = ctx.session.scalar(select(KbVote.id).where(
        KbVote.article_id == article.id, KbVote.voter_id == ctx.actor.id, KbVote.deleted.is_(False),
        KbVote.inquiry_id.is_(None) if inquiry_id is None else KbVote.inquiry_id == inquiry_id).limit(1))
    if again is not None:
        where = f" for {inquiry.display_id}" if inquiry else ""
        raise ValidationError([FieldError("vote", f"you have already voted on “{article.title}”{where}")])
    row = KbVote(article_id=article.id, helpful=helpful, voter_id=ctx.actor.id, voted_at=ctx.now(),
                 inquiry_id=inquiry.id if inquiry else None)
    ctx.session.add(row)
    ctx.session.flush()
    return row


def link_article(ctx: ServiceContext, inquiry: Inquiry, article: KbArticle) -> InquiryArticle:
    """The inquiry was answered with this article (one click while working it). Linking again is a no-op;
    linking again after an unlink restores the link."""
    ctx.require(Permission.ADD_NOTE)
    row_id = link_row_id(inquiry.id, article.id)
    link = ctx.session.get(InquiryArticle, row_id)
    if link is None:
        link = InquiryArticle(id=row_id, inquiry_id=inquiry.id, article_id=article.id, linked_by_id=ctx.actor.id,
                              linked_at=ctx.now())
        ctx.session.add(link)
    elif link.deleted:
        link.deleted = False
    ctx.session.flush()
    return link


def unlink_article(ctx: ServiceContext, inquiry: Inquiry, article: KbArticle) -> None:
    ctx.require(Permission.ADD_NOTE)
    link = ctx.session.get(InquiryArticle, link_row_id(inquiry.id, article.id))
    if link is not None and not link.deleted:
        link.deleted = True
        ctx.session.flush()


def articles_of(ctx: ServiceContext, inquiry: Inquiry) -> list[KbArticle]:
    ctx.require(Permission.VIEW_INQUIRIES)
    return list(ctx.session.scalars(
        select(KbArticle).join(InquiryArticle, InquiryArticle.article_id == KbArticle.id)
        .where(InquiryArticle.inquiry_id == inquiry.id, InquiryArticle.deleted.is_(False))
        .order_by(InquiryArticle.linked_at)))


def suggest_edit(ctx: ServiceContext, article: KbArticle | None, suggestion: str) -> KbSuggestion:
    """An agent's suggested change to an article (or, without one, an article that is missing)."""
    _require_contributor(ctx)
    if len(suggestion.strip()) < 10:
        raise ValidationError([FieldError("text", "say what should change (at least 10 characters)")])
    row = KbSuggestion(article_id=article.id if article else None, text=suggestion.strip(),
                       suggested_by_id=ctx.actor.id, suggested_at=ctx.now())
    ctx.session.add(row)
    ctx.session.flush()
    return row


def handle_suggestion(ctx: ServiceContext, suggestion: KbSuggestion, accepted: bool) -> KbSuggestion:
    ctx.require(Permission.EDIT_ARTICLES)
    if suggestion.outcome is not None:
        raise ValidationError([FieldError("suggestion", f"already {suggestion.outcome}")])
    suggestion.outcome = "accepted" if accepted else "declined"
    suggestion.handled_by_id, suggestion.handled_at = ctx.actor.id, ctx.now()
    ctx.session.flush()
    return suggestion


def open_suggestions(ctx: ServiceContext) -> list[KbSuggestion]:
    ctx.require(Permission.VIEW_INQUIRIES)
    return list(ctx.session.scalars(select(KbSuggestion).where(KbSuggestion.outcome.is_(None),
                                                               KbSuggestion.deleted.is_(False))
                                    .order_by(KbSuggestion.suggested_at)))


def measures(ctx: ServiceContext, start: datetime, end: datetime) -> KnowledgeMeasures:
    """The knowledge base's figures of a period [start, end): the share of inquiries resolved with an article,
    votes, and the articles published and overdue for review at the end."""
    ctx.require(Permission.VIEW_KPI)
    return measures_of(ctx.session, start, end)


def measures_of(session: Session, start: datetime, end: datetime) -> KnowledgeMeasures:
    """``measures`` for the reports."""
    resolved = select(Inquiry.id).where(Inquiry.deleted.is_(False), Inquiry.resolved_at >= start,
                                        Inquiry.resolved_at < end)
    n_resolved = session.scalar(select(func.count()).select_from(resolved.subquery())) or 0
    with_article = session.scalar(
        select(func.count(func.distinct(InquiryArticle.inquiry_id)))
        .where(InquiryArticle.deleted.is_(False), InquiryArticle.inquiry_id.in_(resolved))) or 0
    votes = dict(session.execute(select(KbVote.helpful, func.count()).where(
        KbVote.deleted.is_(False), KbVote.voted_at >= start, KbVote.voted_at < end).group_by(KbVote.helpful)).all())
    published = session.scalar(select(func.count()).where(
        KbArticle.deleted.is_(False), KbArticle.status == ArticleStatus.PUBLISHED, KbArticle.written_at < end)) or 0
    return KnowledgeMeasures(n_resolved, with_article, votes.get(True, 0), votes.get(False, 0), published,
                             len(_overdue(session, end)))
