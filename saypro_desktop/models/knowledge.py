"""The knowledge base (articles agents find while they type, votes, suggested edits, the articles an inquiry
was answered with), the office's canned replies, and users' feedback beyond one inquiry's rating."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.feedback import FeedbackPriority, FeedbackSource, FeedbackTheme, Sentiment
from ..core.knowledge import REVIEW_EVERY_DAYS, ArticleCategory, ArticleStatus, ReplyUse
from ..core.permissions import Permission as P
from .base import Base, Synced, UtcDateTime, Vocab
from .sync_spec import SyncSpec

_EDIT = frozenset({P.EDIT_ARTICLES})
_READERS_WHO_WRITE = frozenset({P.EDIT_ARTICLES, P.SUGGEST_ARTICLE_EDITS})


class KbArticle(Synced, Base):
    """A help article: Markdown body, related articles, an owner who reviews it every so many days."""

    __tablename__ = "kb_article"
    __sync__ = SyncSpec(
        insert=_EDIT, delete=_EDIT, audited=True, author="created_by_id",
        immutable=frozenset({"created_by_id", "written_at"}), conflict_text=frozenset({"title", "body"}),
    )
    __table_args__ = (Index("ix_kb_article_category", "category", "status", "deleted"),)

    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[ArticleCategory] = mapped_column(Vocab(ArticleCategory))
    status: Mapped[ArticleStatus] = mapped_column(Vocab(ArticleStatus), default=ArticleStatus.PUBLISHED)
    body: Mapped[str] = mapped_column(Text)  # Markdown
    related_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))  # reviews it
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    review_every_days: Mapped[int] = mapped_column(Integer, default=REVIEW_EVERY_DAYS)


class KbVote(Synced, Base):
    """Helpful or not, by an agent who used the article (append-only; each vote is a row, so that two desktops
    voting offline add up instead of overwriting a counter)."""

    __tablename__ = "kb_vote"
    __sync__ = SyncSpec(insert=_READERS_WHO_WRITE, append_only=True, author="voter_id", event_time="voted_at")
    __table_args__ = (Index("ix_kb_vote_article", "article_id"),)

    article_id: Mapped[str] = mapped_column(ForeignKey("kb_article.id"))
    helpful: Mapped[bool] = mapped_column(Boolean)
    voter_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    voted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    inquiry_id: Mapped[str | None] = mapped_column(ForeignKey("inquiry.id"))


class KbSuggestion(Synced, Base):
    """An agent's suggested edit of an article (or a new article, without one), accepted or declined by an
    editor."""

    __tablename__ = "kb_suggestion"
    __sync__ = SyncSpec(
        insert=_READERS_WHO_WRITE, update=_EDIT, audited=True, author="suggested_by_id",
        immutable=frozenset({"article_id", "suggested_by_id", "suggested_at", "text"}),
        field_permissions=dict.fromkeys(("outcome", "handled_by_id", "handled_at"), _EDIT),
    )
    __table_args__ = (Index("ix_kb_suggestion_article", "article_id"),)

    article_id: Mapped[str | None] = mapped_column(ForeignKey("kb_article.id"))
    text: Mapped[str] = mapped_column(Text)
    suggested_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    suggested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))  # accepted / declined; None: open
    handled_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class InquiryArticle(Synced, Base):
    """An article an inquiry was answered with (its id is made from the pair: linking twice, on two desktops,
    is one link)."""

    __tablename__ = "inquiry_article"
    __sync__ = SyncSpec(insert=frozenset({P.ADD_NOTE}), delete=frozenset({P.ADD_NOTE}), author="linked_by_id",
                        immutable=frozenset({"inquiry_id", "article_id", "linked_by_id"}))
    __table_args__ = (Index("ix_inquiry_article_inquiry", "inquiry_id"),
                      Index("ix_inquiry_article_article", "article_id"))

    inquiry_id: Mapped[str] = mapped_column(ForeignKey("inquiry.id"))
    article_id: Mapped[str] = mapped_column(ForeignKey("kb_article.id"))
    linked_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CannedReply(Synced, Base):
    """A reply agents insert into an action step or a resolution, with {placeholders} filled from the inquiry."""

    __tablename__ = "canned_reply"
    __sync__ = SyncSpec(insert=frozenset({P.MANAGE_REPLIES}), delete=frozenset({P.MANAGE_REPLIES}), audited=True,
                        author="edited_by_id", conflict_text=frozenset({"body"}))
    __table_args__ = (Index("ix_canned_reply_name", "name"),)

    name: Mapped[str] = mapped_column(String(60))  # what agents type: "ack", "refund-done"
    title: Mapped[str] = mapped_column(String(200))
    use: Mapped[ReplyUse] = mapped_column(Vocab(ReplyUse))
    body: Mapped[str] = mapped_column(Text)
    edited_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))


class Feedback(Synced, Base):
    """Feedback that is not one inquiry's rating: a survey answer, an email, a post, an interview note; with its
    theme, sentiment and priority (suggested from the text, confirmed by whoever records it)."""

    __tablename__ = "feedback"
    __sync__ = SyncSpec(
        insert=frozenset({P.RECORD_FEEDBACK}), delete=frozenset({P.RECORD_FEEDBACK}), audited=True,
        author="recorded_by_id", immutable=frozenset({"recorded_by_id"}), conflict_text=frozenset({"text"}),
        personal=frozenset({"from_name", "from_contact"}),
    )
    __table_args__ = (Index("ix_feedback_received", "deleted", "received_at", "theme", "priority", "sentiment"),)

    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    source: Mapped[FeedbackSource] = mapped_column(Vocab(FeedbackSource))
    text: Mapped[str] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1..5 when the source asked for one
    theme: Mapped[FeedbackTheme] = mapped_column(Vocab(FeedbackTheme))
    sentiment: Mapped[Sentiment] = mapped_column(Vocab(Sentiment))
    priority: Mapped[FeedbackPriority] = mapped_column(Vocab(FeedbackPriority))
    inquiry_id: Mapped[str | None] = mapped_column(ForeignKey("inquiry.id"))
    ad_id: Mapped[str | None] = mapped_column(ForeignKey("ad.id"))
    from_name: Mapped[str | None] = mapped_column(String(200))
    from_contact: Mapped[str | None] = mapped_column(String(254))
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
