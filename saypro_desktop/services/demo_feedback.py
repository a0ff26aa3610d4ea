"""Demo feedback: a handful of items a week from surveys, email, social media, interviews, focus groups and the
app, in users' words, classified by the same suggestion a person confirms; and the survey after resolution
(resolved inquiries without a rating were mostly asked: some users declined, some never answered, the newest are
still to ask). Reproducible from the seed, like the rest of the demo."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from ..core.feedback import FeedbackSource, FeedbackTheme, SurveyState
from ..core.permissions import Permission, Role, can
from ..core.workflow import DONE_STATUSES
from ..models import Inquiry, StaffUser
from ..store import Store
from . import feedback
from .context import bind
from .settings import load_settings

# What users tell the office, by the way they tell it. A rating where the channel asks for one.
SAYINGS: list[tuple[str, int | None]] = [
    ("The site is so slow to load in the evening, pages take ages on my phone.", None),
    ("Loading the search results takes forever on mobile data.", 2),
    ("Posting my ad was quick and easy, thank you!", 5),
    ("I was charged twice for the featured listing and still waiting for the refund.", 1),
    ("The payment page failed three times with my card before it worked.", 2),
    ("Please add an option to save my searches and get alerts for new ads.", None),
    ("Would be nice to have a dark mode on the app.", 4),
    ("It would help if we could renew several ads at once; please add that feature.", None),
    ("Your support agent Lerato was very helpful and friendly, problem resolved same day.", 5),
    ("Waited three days for a reply to my email, not good enough.", 2),
    ("The agent on the phone was rude and did not listen.", 1),
    ("Great service, the team replied within the hour.", 5),
    ("My ad was rejected and the email did not explain why.", 2),
    ("Ad still pending approval after two days; I need it live for the weekend.", 2),
    ("Moderation is fair, my listing was approved quickly.", 4),
    ("Someone posted a fake rental in Durban and asked for a deposit: this is a scam, please remove it.", None),
    ("I received a phishing message pretending to be SayPro; is this fraud?", None),
    ("The instructions for the Jobs category are unclear; what counts as a recruiter?", 3),
    ("The FAQ on refunds is confusing and does not explain the steps.", 2),
    ("Terms about ad expiry were easy to understand once I found the help page.", 4),
    ("The app keeps crashing when I upload more than five photos.", 1),
    ("Login error every morning, I have to reset my password again.", 1),
    ("Could not find where to edit my ad; the menu layout is confusing.", 2),
    ("The new layout is much easier to use, well done.", 5),
    ("Text is too small on the listing page; a larger font size option would help.", 3),
    ("Screen reader does not read the price field on the ad form.", 2),
    ("Good site overall, I sold my car in a week.", 5),
    ("Prices for featured ads are too expensive for small sellers.", 2),
    ("The invoice for my business account shows the wrong VAT number.", 2),
    ("Happy with the new category for Events, easy to find.", 4),
]
# Where the suggestion misreads the words, the person recording it corrects the theme (as in the app).
CORRECTED: dict[str, FeedbackTheme] = {
    "Posting my ad was quick and easy, thank you!": FeedbackTheme.USABILITY,
    "The FAQ on refunds is confusing and does not explain the steps.": FeedbackTheme.CONTENT_CLARITY,
    "Text is too small on the listing page; a larger font size option would help.": FeedbackTheme.ACCESSIBILITY,
    "Screen reader does not read the price field on the ad form.": FeedbackTheme.ACCESSIBILITY,
    "Happy with the new category for Events, easy to find.": FeedbackTheme.USABILITY,
}
SOURCES = list(FeedbackSource)
SOURCE_WEIGHTS = [30, 18, 16, 5, 3, 20, 5, 3]  # survey, email, social media, interview, focus group, in-app, ...
ASKED_AFTER = timedelta(days=2)  # the newest resolved inquiries are still to ask
SETTLED_AFTER = timedelta(days=21)  # by then every user was asked (some declined, some never answered)


@dataclass(frozen=True)
class DemoFeedback:
    items: int
    asked: int
    declined: int


def generate_feedback(store: Store, start: date, end: date, seed: int = 1, per_week: tuple[int, int] = (3, 8),
                      now: datetime | None = None) -> DemoFeedback:
    """Feedback items from ``start`` to ``end`` (office days), and survey states for resolved inquiries."""
    rng = random.Random(f"feedback-{seed}")  # its own stream: the inquiries' demo stays as it was
    real_now = now or datetime.now(UTC)
    clock = _Moved(real_now)
    with store.session() as s:
        tz = load_settings(s).calendar().tz
        staff = {u.role: u for u in s.scalars(select(StaffUser).where(StaffUser.active.is_(True))
                                              .order_by(StaffUser.username))}
        recorder = staff.get(Role.MARKETING) or staff.get(Role.SUPERVISOR) or staff[Role.ADMIN]
        surveyor = staff.get(Role.SUPERVISOR) or staff[Role.ADMIN]  # asks when the assignee cannot
        ctx = bind(s, recorder, clock)
        items = 0
        monday = start - timedelta(days=start.weekday())
        while monday <= end:
            for _ in range(rng.randint(*per_week)):
                day = monday + timedelta(days=rng.randrange(7))
                moment = datetime.combine(day, time(rng.randint(7, 20), rng.randrange(60)), tzinfo=tz).astimezone(UTC)
                if day < start or day > end or moment > real_now:
                    continue
                text, rating = rng.choice(SAYINGS)
                source = rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0]
                if source not in (FeedbackSource.SURVEY, FeedbackSource.IN_APP):
                    rating = None
                clock.t = moment + timedelta(minutes=rng.randint(5, 240))
                feedback.record(ctx, text, source, received_at=moment, rating=rating, theme=CORRECTED.get(text))
                items += 1
            monday += timedelta(days=7)

        asked = declined = 0
        unrated = s.scalars(select(Inquiry).where(
            Inquiry.deleted.is_(False), Inquiry.status.in_(tuple(DONE_STATUSES)), Inquiry.feedback_rating.is_(None),
            Inquiry.survey_state.is_(None), Inquiry.resolved_at.is_not(None),
            Inquiry.resolved_at < real_now - ASKED_AFTER).order_by(Inquiry.resolved_at, Inquiry.id)).all()
        for inquiry in unrated:
            roll = rng.random()
            recent = inquiry.resolved_at >= real_now - SETTLED_AFTER
            if recent and roll < 0.3:
                continue  # not asked yet: on the worklist
            who = inquiry.assigned_to
            ctx.act_as(who if who is not None and who.active and can(who.role, Permission.EDIT_INQUIRY)
                       else surveyor)
            clock.t = inquiry.resolved_at + timedelta(hours=rng.uniform(2, 30))
            state = SurveyState.DECLINED if roll < (0.5 if recent else 0.35) else SurveyState.ASKED
            feedback.mark_survey(ctx, inquiry, state)
            declined += state is SurveyState.DECLINED
            asked += state is SurveyState.ASKED
    return DemoFeedback(items, asked, declined)


@dataclass
class _Moved:
    t: datetime

    def __call__(self) -> datetime:
        return self.t
