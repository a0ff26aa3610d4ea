"""Read models of the Feedback workspace: the recent feedback list, the survey worklist as rows, and recording a
piece of feedback with its inquiry or ad given by reference. Plain data (no ORM rows) so results can leave the
session and the worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..core.feedback import FeedbackPriority, FeedbackSource, FeedbackTheme, Sentiment, SurveyState
from ..core.periods import Period
from ..core.permissions import Permission
from ..core.validation import FieldError, ValidationError
from ..core.workflow import DONE_STATUSES
from ..models import Ad, Feedback, Inquiry
from . import ads, feedback, inquiries
from .context import NotFound, ServiceContext
from .withholding import shown

RECENT = 200


@dataclass(frozen=True)
class FeedbackRow:
    id: str
    received_at: datetime
    source: str
    theme: str
    sentiment: str
    priority: str
    rating: int | None
    text: str
    about: str  # the inquiry's ID or the ad's site id, "" when neither


@dataclass(frozen=True)
class SurveyRow:
    id: str  # the inquiry's row id
    display_id: str
    resolved_at: datetime | None
    state: str  # "To ask" when none is recorded
    subject: str
    user: str  # name and how to reach them; the placeholder without VIEW_PERSONAL_DETAILS
    mode: str


def recent_feedback(ctx: ServiceContext, limit: int = RECENT) -> list[FeedbackRow]:
    """The newest feedback items (not the ratings of inquiries), newest first."""
    ctx.require(Permission.RECORD_FEEDBACK)
    rows = ctx.session.execute(
        select(Feedback, Inquiry.inquiry_ref, Inquiry.provisional_ref, Ad.external_id)
        .outerjoin(Inquiry, Inquiry.id == Feedback.inquiry_id).outerjoin(Ad, Ad.id == Feedback.ad_id)
        .where(Feedback.deleted.is_(False)).order_by(Feedback.received_at.desc(), Feedback.id.desc())
        .limit(limit)).all()
    return [FeedbackRow(f.id, f.received_at, f.source.value, f.theme.value, f.sentiment.value, f.priority.value,
                        f.rating, f.text, ref or provisional or ad or "")
            for f, ref, provisional, ad in rows]


def record_feedback(ctx: ServiceContext, text: str, source: FeedbackSource | str, *, received_at: datetime,
                    rating: int | None, theme: FeedbackTheme | str, sentiment: Sentiment | str,
                    priority: FeedbackPriority | str, inquiry_ref: str = "", ad_ref: str = "") -> str:
    """``services.feedback.record`` with the inquiry (by Inquiry ID) and the ad (by the site's id) looked up;
    a reference that finds nothing is a field error like the others. Returns the new item's id."""
    errors: list[FieldError] = []
    inquiry = ad = None
    if inquiry_ref.strip():
        try:
            inquiry = inquiries.get_inquiry(ctx, inquiry_ref)
        except NotFound as exc:
            errors.append(FieldError("inquiry", str(exc)))
    if ad_ref.strip():
        try:
            ad = ads.get_ad(ctx, ad_ref)
        except NotFound as exc:
            errors.append(FieldError("ad", str(exc)))
    try:
        item = feedback.record(ctx, text, source, received_at=received_at, rating=rating, theme=theme,
                               sentiment=sentiment, priority=priority, inquiry=inquiry, ad=ad)
    except ValidationError as exc:
        raise ValidationError(exc.errors + errors) from None
    if errors:
        raise ValidationError(errors)
    return item.id


def classify(ctx: ServiceContext, item_id: str, *, theme: str, sentiment: str, priority: str) -> str:
    item = ctx.session.get(Feedback, item_id)
    if item is None or item.deleted:
        raise NotFound("that feedback item is gone (deleted on another desktop?)")
    feedback.classify(ctx, item, theme=theme, sentiment=sentiment, priority=priority)
    return item.id


@dataclass(frozen=True)
class SurveyList:
    rows: list[SurveyRow]  # at most ``feedback.survey_worklist``'s limit, the longest resolved first
    to_ask: int  # all of them, not only the rows shown
    asked: int  # asked, no answer yet


def survey_rows(ctx: ServiceContext, *, include_asked: bool = False) -> SurveyList:
    """``services.feedback.survey_worklist`` as rows, with how many there are in all; the user's contact only for
    roles that may see it."""
    counts = dict(ctx.session.execute(
        select(func.coalesce(Inquiry.survey_state, SurveyState.TO_ASK.value), func.count()).where(
            Inquiry.deleted.is_(False), Inquiry.status.in_(tuple(DONE_STATUSES)),
            Inquiry.feedback_rating.is_(None),
            Inquiry.survey_state.is_(None) | Inquiry.survey_state.in_([SurveyState.TO_ASK, SurveyState.ASKED]))
        .group_by(func.coalesce(Inquiry.survey_state, SurveyState.TO_ASK.value))).all())
    out = []
    for i in feedback.survey_worklist(ctx, include_asked=include_asked):
        contact = ", ".join(x for x in (i.user_email, i.user_phone) if x)
        user = f"{i.user_full_name} ({contact})" if contact else i.user_full_name
        out.append(SurveyRow(i.id, i.display_id, i.resolved_at,
                             i.survey_state.value if i.survey_state else SurveyState.TO_ASK.value,
                             i.subject, shown(ctx.actor.role, user), i.mode.value))
    return SurveyList(out, counts.get(SurveyState.TO_ASK.value, 0), counts.get(SurveyState.ASKED.value, 0))


def inquiry_by_id(ctx: ServiceContext, inquiry_id: str) -> Inquiry:
    inquiry = ctx.session.get(Inquiry, inquiry_id)
    if inquiry is None or inquiry.deleted:
        raise NotFound("that inquiry is gone (deleted on another desktop?)")
    return inquiry


def last_full_week(today: date) -> Period:
    """The ISO week before the one ``today`` is in (the office's calendar day)."""
    year, week, _ = (today - timedelta(days=7)).isocalendar()
    return Period.week(f"{year}-W{week:02d}")


def weeks_back(today: date, count: int) -> list[Period]:
    """The last ``count`` full weeks, the newest first."""
    first = last_full_week(today).first
    out = []
    for n in range(count):
        year, week, _ = (first - timedelta(days=7 * n)).isocalendar()
        out.append(Period.week(f"{year}-W{week:02d}"))
    return out
