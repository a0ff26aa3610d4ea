"""Users' feedback: the survey after a resolved inquiry (a worklist of those to ask), ratings imported from
elsewhere, feedback that is not about one inquiry (theme, sentiment, priority suggested from the text), and the
weekly analysis: CSAT trend, themes, the top 10 queries and complaints, verbatim comments per theme."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.feedback import (
    PRIORITY_ORDER,
    FeedbackAnalysis,
    FeedbackPriority,
    FeedbackSource,
    FeedbackTheme,
    Sentiment,
    SurveyState,
    ThemeCount,
    TopItem,
    WeekCsat,
    suggest,
)
from ..core.knowledge import significant_words
from ..core.permissions import Permission
from ..core.validation import FieldError, ValidationError
from ..core.vocab import Status
from ..core.workflow import DONE_STATUSES
from ..models import Ad, Feedback, Inquiry
from .context import ServiceContext
from .csv_io import ImportRejected

DONE = tuple(DONE_STATUSES)
TOP = 10
VERBATIMS = 5  # comments quoted per theme


def _rating(value: Any, where: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        rating = int(str(value).strip())
    except ValueError:
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError([FieldError(where, f"a rating is a whole number from 1 to 5, not {value!r}")])
    return rating


def record(ctx: ServiceContext, text: str, source: FeedbackSource | str, *, received_at: datetime | None = None,
           rating: int | None = None, theme: FeedbackTheme | str | None = None,
           sentiment: Sentiment | str | None = None, priority: FeedbackPriority | str | None = None,
           inquiry: Inquiry | None = None, ad: Ad | None = None, from_name: str | None = None,
           from_contact: str | None = None) -> Feedback:
    """Record a piece of feedback; what is not given is suggested from the text (and the rating)."""
    ctx.require(Permission.RECORD_FEEDBACK)
    errors = []
    if len(text.strip()) < 3:
        errors.append(FieldError("text", "write what the user said"))
    when = received_at or ctx.now()
    if when > ctx.now() + timedelta(minutes=5):
        errors.append(FieldError("received_at", "feedback cannot be received in the future"))
    try:
        rating = _rating(rating, "rating")
    except ValidationError as exc:
        errors += exc.errors
    if errors:
        raise ValidationError(errors)
    hint = suggest(text, rating)
    item = Feedback(received_at=when, source=FeedbackSource.parse(source), text=text.strip(), rating=rating,
                    theme=FeedbackTheme.parse(theme) if theme else hint.theme,
                    sentiment=Sentiment.parse(sentiment) if sentiment else hint.sentiment,
                    priority=FeedbackPriority.parse(priority) if priority else hint.priority,
                    inquiry_id=inquiry.id if inquiry else None, ad_id=ad.id if ad else None,
                    from_name=(from_name or "").strip() or None, from_contact=(from_contact or "").strip() or None,
                    recorded_by_id=ctx.actor.id)
    ctx.session.add(item)
    ctx.session.flush()
    return item


def classify(ctx: ServiceContext, item: Feedback, *, theme: FeedbackTheme | str | None = None,
             sentiment: Sentiment | str | None = None, priority: FeedbackPriority | str | None = None) -> Feedback:
    """Confirm or change what was suggested."""
    ctx.require(Permission.RECORD_FEEDBACK)
    if theme:
        item.theme = FeedbackTheme.parse(theme)
    if sentiment:
        item.sentiment = Sentiment.parse(sentiment)
    if priority:
        item.priority = FeedbackPriority.parse(priority)
    ctx.session.flush()
    return item


# -- the survey after resolution ---------------------------------------------------------------------------------

def survey_worklist(ctx: ServiceContext, *, include_asked: bool = False, limit: int = 200) -> list[Inquiry]:
    """Resolved or closed inquiries without a rating that nobody asked yet (and, with ``include_asked``, those
    asked who have not answered), the longest resolved first."""
    ctx.require(Permission.VIEW_INQUIRIES)
    waiting = [SurveyState.TO_ASK, *([SurveyState.ASKED] if include_asked else [])]
    return list(ctx.session.scalars(
        select(Inquiry).where(Inquiry.deleted.is_(False), Inquiry.status.in_(DONE), Inquiry.feedback_rating.is_(None),
                              Inquiry.survey_state.is_(None) | Inquiry.survey_state.in_(waiting))
        .order_by(Inquiry.resolved_at, Inquiry.logged_at, Inquiry.id).limit(limit)))


def mark_survey(ctx: ServiceContext, inquiry: Inquiry, state: SurveyState | str) -> None:
    """Record that the user was asked, or declined (an answer is recorded with the rating)."""
    ctx.require(Permission.EDIT_INQUIRY)
    state = SurveyState.parse(state)
    if inquiry.status not in DONE:
        raise ValidationError([FieldError("survey_state", "the survey is for resolved inquiries; "
                                                          f"{inquiry.display_id} is {inquiry.status.value}")])
    if state is SurveyState.ANSWERED and inquiry.feedback_rating is None:
        raise ValidationError([FieldError("survey_state", "record the rating; it marks the survey answered")])
    inquiry.survey_state, inquiry.survey_at = state, ctx.now()
    ctx.session.flush()


def import_ratings(ctx: ServiceContext, path: Path) -> int:
    """Ratings collected elsewhere, by Inquiry ID: columns ``inquiry_id, rating`` and optionally ``comment``.
    All or nothing; every bad line is named."""
    from . import inquiries  # the inquiry service records the rating itself (its action step, its checks)

    ctx.require(Permission.EDIT_INQUIRY)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
            header = set(rows[0]) if rows else set()
    except UnicodeDecodeError as exc:
        raise ImportRejected([(1, f"{path.name} is not UTF-8 text ({exc.reason}); save it as CSV UTF-8")]) from None
    missing = {"inquiry_id", "rating"} - header
    if missing or not rows:
        raise ImportRejected([(1, "the file needs the columns inquiry_id and rating (optionally comment); "
                                  f"missing: {', '.join(sorted(missing)) or 'every row'}")])
    problems: list[tuple[int, str]] = []
    todo: list[tuple[Inquiry, int, str | None]] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):  # line 1 is the header
        ref = (row.get("inquiry_id") or "").strip().upper()
        try:
            inquiry = inquiries.get_inquiry(ctx, ref)
            rating = _rating(row.get("rating"), "rating")
            if rating is None:
                raise ValidationError([FieldError("rating", "no rating given")])
            if inquiry.status not in DONE:
                raise ValidationError([FieldError("rating", f"{ref} is {inquiry.status.value}: feedback is "
                                                            "collected once the inquiry is resolved")])
            if ref in seen:
                raise ValidationError([FieldError("inquiry_id", f"{ref} is rated again (line {seen[ref]})")])
        except (ValidationError, LookupError) as exc:
            problems.append((n, str(exc)))
            continue
        seen[ref] = n
        todo.append((inquiry, rating, (row.get("comment") or "").strip() or None))
    if problems:
        raise ImportRejected(problems)
    for inquiry, rating, comment in todo:
        inquiries.record_feedback(ctx, inquiry, rating, comment)
    return len(todo)


# -- the weekly analysis -----------------------------------------------------------------------------------------

def _week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def analysis(ctx: ServiceContext, start: datetime, end: datetime, *, trend_weeks: int = 8) -> FeedbackAnalysis:
    """Feedback and inquiries of [start, end) together: the CSAT trend of the ``trend_weeks`` weeks up to the
    end (inquiries logged in each week, as the KPIs count them), themes by count and priority, the top 10
    queries (inquiry subjects and feedback themes) and complaints (negative feedback and ratings of 1 or 2),
    and verbatim comments per theme."""
    ctx.require(Permission.VIEW_KPI)
    return analysis_of(ctx.session, ctx.settings.calendar().tz, start, end, trend_weeks=trend_weeks)


def analysis_of(s: Session, tz: tzinfo, start: datetime, end: datetime, *, trend_weeks: int = 8) -> FeedbackAnalysis:
    """``analysis`` for the reports, which read the store without a signed-in user's context."""
    trend_start = end - timedelta(weeks=trend_weeks)
    weekly: dict[str, list[int]] = {}
    for logged_at, rating in s.execute(select(Inquiry.logged_at, Inquiry.feedback_rating).where(
            Inquiry.deleted.is_(False), Inquiry.logged_at >= trend_start, Inquiry.logged_at < end,
            Inquiry.status != Status.CANCELLED, Inquiry.feedback_rating.is_not(None))):
        weekly.setdefault(_week_of(logged_at.astimezone(tz).date()), []).append(rating)
    weeks = []
    day = trend_start.astimezone(tz).date()
    while day < end.astimezone(tz).date():
        key = _week_of(day)
        if not weeks or weeks[-1] != key:
            weeks.append(key)
        day += timedelta(days=1)
    trend = [WeekCsat(w, sum(weekly[w]) / len(weekly[w]) if weekly.get(w) else None, len(weekly.get(w, [])))
             for w in weeks]

    in_period = (Feedback.deleted.is_(False), Feedback.received_at >= start, Feedback.received_at < end)
    counts: dict[str, dict[str, int]] = {}
    for theme, priority, sentiment, n in s.execute(
            select(Feedback.theme, Feedback.priority, Feedback.sentiment, func.count()).where(*in_period)
            .group_by(Feedback.theme, Feedback.priority, Feedback.sentiment)):
        c = counts.setdefault(theme.value, Counter())
        c[priority.value] += n
        c["all"] += n
        if sentiment is Sentiment.NEGATIVE:
            c["negative"] += n
    themes = sorted((ThemeCount(t, c["all"], c["High"], c["Medium"], c["Low"], c["negative"])
                     for t, c in counts.items()), key=lambda t: (-t.high, -t.count, t.theme))

    inquiries_in = s.execute(select(Inquiry.subject, Inquiry.category, Inquiry.feedback_rating,
                                    Inquiry.feedback_comment).where(
        Inquiry.deleted.is_(False), Inquiry.logged_at >= start, Inquiry.logged_at < end,
        Inquiry.status != Status.CANCELLED)).all()
    topics: dict[tuple[str, ...], Counter[str]] = {}
    for subject, category, _, _ in inquiries_in:
        key = tuple(sorted(significant_words(subject or "", 2))) or (category.value.casefold(),)
        topics.setdefault(key, Counter())[subject.strip()] += 1
    queries = sorted(((c.most_common(1)[0][0], sum(c.values()), f"inquiries {sum(c.values())}")
                      for c in topics.values()), key=lambda x: (-x[1], x[0]))
    top_queries = [TopItem(label, n, detail) for label, n, detail in queries[:TOP]]

    complaints: dict[str, Counter[str]] = {}
    for subject, _, rating, comment in inquiries_in:
        if rating is not None and rating <= 2:
            theme = suggest(f"{subject} {comment or ''}", rating).theme.value
            complaints.setdefault(theme, Counter())["inquiries"] += 1
    for theme, n in s.execute(select(Feedback.theme, func.count()).where(
            *in_period, Feedback.sentiment == Sentiment.NEGATIVE).group_by(Feedback.theme)):
        complaints.setdefault(theme.value, Counter())["feedback"] += n
    top_complaints = sorted((TopItem(theme, sum(c.values()), ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
                             for theme, c in complaints.items()), key=lambda t: (-t.count, t.label))[:TOP]

    verbatims: dict[str, list[str]] = {}
    quoted = s.execute(select(Feedback.theme, Feedback.priority, Feedback.text).where(*in_period)
                       .order_by(Feedback.received_at.desc()).limit(5000)).all()
    def quote(theme: str, text: str) -> None:  # the same words said twice are quoted once
        bucket = verbatims.setdefault(theme, [])
        if len(bucket) < VERBATIMS and text not in bucket:
            bucket.append(text)

    for theme, _, text in sorted(quoted, key=lambda r: PRIORITY_ORDER[r.priority]):
        quote(theme.value, text)
    for subject, _, rating, comment in inquiries_in:
        if comment and rating is not None:
            quote(suggest(f"{subject} {comment}", rating).theme.value, f"{comment} ({rating}/5)")
    n_items = sum(t.count for t in themes)
    n_ratings = sum(1 for r in inquiries_in if r.feedback_rating is not None)
    return FeedbackAnalysis(start, end, trend, themes, top_queries, top_complaints, verbatims, n_items, n_ratings)
