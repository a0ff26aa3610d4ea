"""Feedback (seeds 002-004): where it came from, its theme, sentiment and priority, the survey after a resolved
inquiry, and the suggestion of a theme and a sentiment from the text.

The suggestion is a word list that ships with the app and explains itself ("slow", "crash" -> Performance), not
a model downloaded at run time; the person recording the feedback confirms or changes it. (vaderSentiment was
considered for sentiment: unmaintained since 2020, it reads its lexicon beside its source file, which the
Windows bundle would have to carry, and needs ``requests``; the words that matter here are the office's own.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from .vocab import _Vocab


class FeedbackSource(_Vocab):
    """feedback source"""

    SURVEY = "Survey"
    EMAIL = "Email"
    SOCIAL_MEDIA = "Social media"
    INTERVIEW = "Interview"
    FOCUS_GROUP = "Focus group"
    IN_APP = "In-app"
    PHONE = "Phone"
    FORUM = "Forum"


class FeedbackTheme(_Vocab):
    """feedback theme"""

    USABILITY = "Usability"
    TECHNICAL_ISSUE = "Technical issue"
    CONTENT_CLARITY = "Content clarity"
    FEATURE_REQUEST = "Feature request"
    CUSTOMER_SERVICE = "Customer service"
    PERFORMANCE = "Performance"
    PAYMENTS = "Payments"
    MODERATION = "Ad moderation"
    SAFETY = "Safety and fraud"
    ACCESSIBILITY = "Accessibility"
    OTHER = "Other"


class Sentiment(_Vocab):
    """sentiment"""

    POSITIVE = "Positive"
    NEUTRAL = "Neutral"
    NEGATIVE = "Negative"


class FeedbackPriority(_Vocab):
    """feedback priority"""

    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"


class SurveyState(_Vocab):
    """survey state"""

    TO_ASK = "To ask"  # resolved, not asked yet (the state of a resolved inquiry with none recorded)
    ASKED = "Asked"
    ANSWERED = "Answered"
    DECLINED = "Declined"


PRIORITY_ORDER = {FeedbackPriority.HIGH: 0, FeedbackPriority.MEDIUM: 1, FeedbackPriority.LOW: 2}

# Word stems per theme; a stem matches words that start with it ("crash" finds "crashes", "crashed").
THEME_WORDS: dict[FeedbackTheme, tuple[str, ...]] = {
    FeedbackTheme.USABILITY: ("confus", "hard to find", "difficult", "navigat", "intuitive", "menu", "layout",
                              "user friendly", "user-friendly", "easy to use", "clunky", "steps", "button",
                              "cannot find", "can't find", "where is"),
    FeedbackTheme.TECHNICAL_ISSUE: ("error", "bug", "crash", "broken", "not working", "doesn't work", "does not work",
                                    "fail", "glitch", "blank page", "upload", "login", "log in", "sign in",
                                    "password", "app keeps", "freez"),
    FeedbackTheme.CONTENT_CLARITY: ("unclear", "clarity", "explain", "wording", "instructions", "faq", "help page",
                                    "guide", "terms", "policy is", "understand", "misleading"),
    FeedbackTheme.FEATURE_REQUEST: ("would be nice", "please add", "wish", "feature", "option to", "could you add",
                                    "suggest", "would like", "should have", "missing", "allow us", "ability to"),
    FeedbackTheme.CUSTOMER_SERVICE: ("support", "agent", "staff", "rude", "helpful", "friendly", "response",
                                     "respond", "reply", "replied", "call back", "waited", "waiting", "service"),
    FeedbackTheme.PERFORMANCE: ("slow", "loading", "load time", "takes ages", "takes forever", "lag", "timeout",
                                "time out", "speed", "fast", "quick"),
    FeedbackTheme.PAYMENTS: ("payment", "paid", "pay ", "charge", "refund", "invoice", "card", "eft", "billing",
                             "price", "fee", "cost", "expensive", "credit"),
    FeedbackTheme.MODERATION: ("ad rejected", "rejected", "approv", "pending", "moderat", "removed my ad",
                               "taken down", "my ad", "listing"),
    FeedbackTheme.SAFETY: ("scam", "fraud", "fake", "stolen", "phishing", "suspicious", "unsafe", "harass"),
    FeedbackTheme.ACCESSIBILITY: ("accessib", "screen reader", "font size", "contrast", "blind", "colour blind",
                                  "color blind", "zoom", "small text"),
}

_POSITIVE = ("great", "good", "excellent", "love", "helpful", "easy", "quick", "fast", "thank", "friendly", "happy",
             "satisf", "perfect", "amazing", "awesome", "well done", "resolved", "smooth", "recommend", "nice")
_NEGATIVE = ("bad", "poor", "terrible", "awful", "slow", "hate", "useless", "rude", "angry", "disappoint", "worst",
             "frustrat", "annoy", "broken", "crash", "error", "never", "still waiting", "waste", "scam", "problem",
             "complain", "unhappy", "confus", "difficult", "fail", "not working", "doesn't work", "ignored")
_NEGATIONS = ("not ", "no ", "never ", "n't ", "hardly ")
_SPLIT = re.compile(r"[^\w'’-]+", re.UNICODE)


@dataclass(frozen=True)
class Suggestion:
    theme: FeedbackTheme
    sentiment: Sentiment
    priority: FeedbackPriority
    why: str  # the words that decided it, for the person who confirms


def _norm(text: str) -> str:
    return " " + " ".join(_SPLIT.split(text.casefold().replace("’", "'"))) + " "


def _found(text: str, stems: tuple[str, ...]) -> list[str]:
    return [s for s in stems if f" {s}" in text]


def _negated(text: str, stem: str) -> bool:
    at = text.find(f" {stem}")
    before = text[max(0, at - 12):at + 1]
    return any(n in before for n in _NEGATIONS)


def suggest(text: str, rating: int | None = None) -> Suggestion:
    """A theme, a sentiment and a priority for a piece of feedback, with the words that decided them."""
    t = _norm(text)
    scores = {theme: _found(t, stems) for theme, stems in THEME_WORDS.items()}
    # A phrase says more than a word ("screen reader" beats "price"); ties go to the earlier theme of the list.
    theme, words = max(scores.items(), key=lambda kv: (sum(1 + w.strip().count(" ") for w in kv[1]),
                                                      -list(THEME_WORDS).index(kv[0])))
    if not words:
        theme = FeedbackTheme.OTHER
    positive = [w for w in _found(t, _POSITIVE) if not _negated(t, w)]
    negative = _found(t, _NEGATIVE) + [f"not {w}" for w in _found(t, _POSITIVE) if _negated(t, w)]
    score = len(positive) - len(negative)
    if rating is not None:  # a rating says more than a few words
        score += (rating - 3) * 2
    sentiment = Sentiment.POSITIVE if score > 0 else Sentiment.NEGATIVE if score < 0 else Sentiment.NEUTRAL
    urgent = theme in (FeedbackTheme.SAFETY, FeedbackTheme.PAYMENTS, FeedbackTheme.TECHNICAL_ISSUE)
    negative_tone = sentiment is Sentiment.NEGATIVE
    priority = (FeedbackPriority.HIGH if negative_tone and (urgent or len(negative) >= 3)
                else FeedbackPriority.MEDIUM if negative_tone or theme is FeedbackTheme.FEATURE_REQUEST
                else FeedbackPriority.LOW)
    parts = [f"{theme.value}: {', '.join(words[:4])}" if words else "no theme words found"]
    if positive or negative:
        parts.append(f"{sentiment.value.lower()}: {', '.join((positive + negative)[:4])}")
    if rating is not None:
        parts.append(f"rating {rating}/5")
    return Suggestion(theme, sentiment, priority, "; ".join(parts))


# -- the weekly analysis (computed by services.feedback, shown by the reports and the app) ---------------------

@dataclass(frozen=True)
class WeekCsat:
    week: str  # 2026-W48
    average: float | None  # unrounded; None: no rating
    responses: int


@dataclass(frozen=True)
class ThemeCount:
    theme: str
    count: int
    high: int
    medium: int
    low: int
    negative: int


@dataclass(frozen=True)
class TopItem:
    label: str
    count: int
    detail: str  # where they came from: "inquiries 12, feedback 3"


@dataclass
class FeedbackAnalysis:
    start: datetime
    end: datetime
    csat_trend: list[WeekCsat]
    themes: list[ThemeCount]
    top_queries: list[TopItem]
    top_complaints: list[TopItem]
    verbatims: dict[str, list[str]] = field(default_factory=dict)  # theme -> quotes, most urgent first
    feedback_items: int = 0
    ratings: int = 0
