"""Feedback: suggestions from the text, recording, the survey worklist, ratings imported by Inquiry ID, and the
weekly analysis on a known dataset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from saypro_desktop.core.feedback import FeedbackPriority, FeedbackTheme, Sentiment, SurveyState, suggest
from saypro_desktop.core.permissions import PermissionDenied, Role
from saypro_desktop.core.validation import ValidationError
from saypro_desktop.services import feedback as fb
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.csv_io import ImportRejected
from saypro_desktop.services.staff import create_staff_user
from tests.conftest import draft


@pytest.mark.parametrize(("text", "rating", "theme", "sentiment", "priority"), [
    ("The app keeps crashing when I upload photos, terrible", None, FeedbackTheme.TECHNICAL_ISSUE,
     Sentiment.NEGATIVE, FeedbackPriority.HIGH),
    ("Great support, the agent was very helpful and friendly", None, FeedbackTheme.CUSTOMER_SERVICE,
     Sentiment.POSITIVE, FeedbackPriority.LOW),
    ("Would be nice to have an option to save my searches", None, FeedbackTheme.FEATURE_REQUEST,
     Sentiment.POSITIVE, FeedbackPriority.MEDIUM),
    ("The agent was not helpful at all", None, FeedbackTheme.CUSTOMER_SERVICE, Sentiment.NEGATIVE,
     FeedbackPriority.MEDIUM),
    ("I was charged twice and the refund never came", 1, FeedbackTheme.PAYMENTS, Sentiment.NEGATIVE,
     FeedbackPriority.HIGH),
    ("ok", 3, FeedbackTheme.OTHER, Sentiment.NEUTRAL, FeedbackPriority.LOW),
    ("Screen reader does not read the price field", None, FeedbackTheme.ACCESSIBILITY, Sentiment.NEUTRAL,
     FeedbackPriority.LOW),  # a phrase of one theme outweighs a word of another
])
def test_theme_sentiment_and_priority_are_suggested_with_their_reasons(text, rating, theme, sentiment, priority):
    s = suggest(text, rating)
    assert (s.theme, s.sentiment, s.priority) == (theme, sentiment, priority), s.why
    assert (theme.value in s.why) or theme is FeedbackTheme.OTHER


def test_recording_feedback_takes_the_suggestion_unless_told_otherwise(ctx, clock):
    item = fb.record(ctx, "Site is so slow to load in the evening", "Social media")
    assert (item.theme, item.sentiment) == (FeedbackTheme.PERFORMANCE, Sentiment.NEGATIVE)
    fb.classify(ctx, item, theme="Technical issue", priority="High")
    assert (item.theme, item.priority) == (FeedbackTheme.TECHNICAL_ISSUE, FeedbackPriority.HIGH)
    with pytest.raises(ValidationError) as bad:
        fb.record(ctx, "", "Email", rating=7, received_at=clock.t + timedelta(days=1))
    assert {e.field for e in bad.value.errors} == {"text", "rating", "received_at"}
    with pytest.raises(ValueError, match="not a valid feedback source"):
        fb.record(ctx, "Fine", "Carrier pigeon")
    viewer = create_staff_user(ctx, "viv", "Viv", Role.VIEWER, password="Correct-horse-9")
    ctx.session.flush()
    ctx.act_as(viewer)
    with pytest.raises(PermissionDenied):
        fb.record(ctx, "Nice site", "Email")


def _resolved(ctx, subject: str, **over):
    inquiry = svc.create_inquiry(ctx, draft(subject=subject, **over))
    svc.assign(ctx, inquiry, ctx.actor)
    svc.change_status(ctx, inquiry, "Resolved", resolution="The issue was fixed and the user informed.")
    return inquiry


def test_the_survey_worklist_and_its_states(ctx, clock):
    made = []
    for subject in ("Ad pending", "Charged twice", "Password reset"):
        clock.advance(minutes=5)
        made.append(_resolved(ctx, subject))
    a, b, c = made
    still_open = svc.create_inquiry(ctx, draft(subject="Open one"))
    assert [i.id for i in fb.survey_worklist(ctx)] == [a.id, b.id, c.id]
    fb.mark_survey(ctx, a, "Asked")
    fb.mark_survey(ctx, b, SurveyState.DECLINED)
    assert [i.id for i in fb.survey_worklist(ctx)] == [c.id]
    assert [i.id for i in fb.survey_worklist(ctx, include_asked=True)] == [a.id, c.id]
    svc.record_feedback(ctx, a, 5, "Quick and friendly")
    assert a.survey_state is SurveyState.ANSWERED
    assert [i.id for i in fb.survey_worklist(ctx, include_asked=True)] == [c.id]
    with pytest.raises(ValidationError, match="for resolved inquiries"):
        fb.mark_survey(ctx, still_open, "Asked")
    with pytest.raises(ValidationError, match="record the rating"):
        fb.mark_survey(ctx, c, "Answered")


def test_ratings_import_by_inquiry_id_all_or_nothing(ctx, tmp_path):
    a, b = _resolved(ctx, "Ad pending"), _resolved(ctx, "Charged twice")
    still_open = svc.create_inquiry(ctx, draft(subject="Open one"))
    bad = tmp_path / "bad.csv"
    bad.write_text("inquiry_id,rating,comment\n"
                   f"{a.display_id},5,Great\n"
                   "SCMR-2501-9999,4,\n"
                   f"{b.display_id},7,\n"
                   f"{still_open.display_id},3,\n"
                   f"{a.display_id},2,again\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        fb.import_ratings(ctx, bad)
    lines = [line for line, _ in refused.value.problems]
    assert lines == [3, 4, 5, 6]
    text = str(refused.value)
    assert "1 to 5" in text and "collected once the inquiry is resolved" in text and "rated again (line 2)" in text
    assert a.feedback_rating is None, "nothing was imported"
    good = tmp_path / "good.csv"
    good.write_text(f"inquiry_id,rating,comment\n{a.display_id},5,Great\n{b.display_id.lower()},2,Slow refund\n",
                    encoding="utf-8")
    assert fb.import_ratings(ctx, good) == 2
    assert (a.feedback_rating, b.feedback_rating, b.feedback_comment) == (5, 2, "Slow refund")


def test_the_weekly_analysis_on_a_known_dataset(ctx, clock):
    # Week 2025-W02 (6-12 January) is analysed; W01 is in the trend.
    monday = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    clock.t = monday - timedelta(days=7)
    _resolved(ctx, "Charged twice for my ad")  # W01, rated 4 below
    svc.record_feedback(ctx, ctx.session.query(svc.Inquiry).one(), 4)
    ratings = {"Charged twice for featured ad": 1, "Charged twice on card": 2, "Password reset link expired": 5,
               "Ad pending approval": 4}
    for n, (subject, rating) in enumerate(ratings.items()):
        clock.t = monday + timedelta(hours=2 * n)
        inquiry = _resolved(ctx, subject)
        svc.record_feedback(ctx, inquiry, rating, "The refund took two weeks, terrible" if rating == 1 else None)
    clock.t = monday + timedelta(days=1)
    texts = [("The app keeps crashing when I upload photos", "High"), ("Upload fails every time", "Low"),
             ("Would be nice to have saved searches", None), ("Great support, very helpful agent", None),
             ("Scam advert still online, unsafe", None)]
    for text, priority in texts:
        fb.record(ctx, text, "Survey", priority=priority)
    fb.record(ctx, "Old complaint about slow pages", "Email", received_at=monday - timedelta(days=3))
    clock.t = monday + timedelta(days=7)
    result = fb.analysis(ctx, monday, monday + timedelta(days=7), trend_weeks=2)
    assert [(w.week, w.average, w.responses) for w in result.csat_trend] == [("2025-W01", 4.0, 1),
                                                                                ("2025-W02", 3.0, 4)]
    by_theme = {t.theme: t for t in result.themes}
    assert by_theme["Technical issue"].count == 2 and by_theme["Technical issue"].high >= 1
    assert by_theme["Safety and fraud"].negative == 1 and "Performance" not in by_theme, "outside the week"
    assert result.themes[0].high >= result.themes[-1].high, "the most urgent themes first"
    assert result.feedback_items == 5 and result.ratings == 4
    assert result.top_queries[0] == fb.TopItem("Charged twice for featured ad", 2, "inquiries 2")
    complaints = {c.label: c for c in result.top_complaints}
    assert complaints["Payments"].count == 2 and complaints["Payments"].detail == "inquiries 2"
    assert complaints["Technical issue"].detail == "feedback 2"
    assert result.verbatims["Technical issue"][0] == "The app keeps crashing when I upload photos", "High first"
    assert "The refund took two weeks, terrible (1/5)" in result.verbatims["Payments"]
    assert all(len(q) <= fb.VERBATIMS for q in result.verbatims.values())
