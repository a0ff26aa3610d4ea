"""Realistic, reproducible demo data: staff, and inquiries walked through their real workflow.

Everything goes through the same services as a person's work (so the audit trail, change log and
search index are real); only the clock is moved to each event's moment. The same seed and end
date give the same content.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from ..core.permissions import Role
from ..core.validation import InquiryDraft
from ..core.vocab import ActionKind, Category, ClassifiedCategory, Confirmation, EscalationTier, Mode, Status, UserType
from ..models import StaffUser
from ..store import Store
from . import demo_feedback
from . import inquiries as svc
from .context import ServiceContext, bind
from .settings import load_settings
from .staff import create_staff_user, ensure_first_admin, find_staff, has_password, set_password, sign_in

DEMO_PASSWORD = "SayPro-demo-1"  # demo staff only; printed by `saypro demo-data`

STAFF = [
    ("nomsa.dlamini", "Nomsa Dlamini", Role.SUPERVISOR),
    ("pieter.vanwyk", "Pieter van Wyk", Role.SUPPORT_AGENT),
    ("lerato.mokoena", "Lerato Mokoena", Role.SUPPORT_AGENT),
    ("sipho.ndlovu", "Sipho Ndlovu", Role.SUPPORT_AGENT),
    ("aisha.patel", "Aisha Patel", Role.SUPPORT_AGENT),
    ("thabo.molefe", "Thabo Molefe", Role.SUPPORT_AGENT),
    ("zanele.khumalo", "Zanele Khumalo", Role.MODERATOR),
    ("kagiso.sithole", "Kagiso Sithole", Role.MODERATOR),
    ("johan.botha", "Johan Botha", Role.MARKETING),
]

FIRST = ["Thandiwe", "Sibusiso", "Nomvula", "Johan", "Annelie", "Kagiso", "Lindiwe", "Mpho", "Zodwa", "Themba",
         "Ayanda", "Refilwe", "Naledi", "Bongani", "Precious", "Sello", "Karabo", "Lwazi", "Chantelle", "Riaan",
         "Fatima", "Yusuf", "Priya", "Rajesh", "Michael", "Sarah", "Tshepo", "Nandi", "Kwame", "Amahle", "Hélène",
         "Zoë", "Dumisani", "Nokuthula", "Kabelo", "Mariëtte", "Tumelo", "Busisiwe", "Olwethu", "Pule"]
LAST = ["Nkosi", "Dlamini", "Mahlangu", "Van der Merwe", "Botha", "Naidoo", "Mokoena", "Khumalo", "Sithole",
        "Pretorius", "Zulu", "Ngcobo", "Mthembu", "Govender", "Jacobs", "Smith", "Molefe", "Mabaso", "Le Roux",
        "Du Plessis", "Hendricks", "Tshabalala", "Mofokeng", "Ndlovu", "Pillay", "Coetzee", "Venter", "Shabalala"]
CITIES = ["Johannesburg, South Africa", "Cape Town, South Africa", "Durban, South Africa", "Pretoria, South Africa",
          "Gqeberha, South Africa", "Bloemfontein, South Africa", "Polokwane, South Africa", "Mbombela, South Africa",
          "East London, South Africa", "Soweto, South Africa", "Pietermaritzburg, South Africa",
          "Kimberley, South Africa", "Maseru, Lesotho", "Gaborone, Botswana", "Windhoek, Namibia",
          "Mbabane, Eswatini", "Harare, Zimbabwe"]

SUBJECTS: dict[Category, list[str]] = {
    Category.TECHNICAL_ISSUE: ["Cannot log in to my account", "Password reset email not received",
                               "Site loads slowly on mobile", "Images do not upload", "Error 500 on dashboard",
                               "Two-factor code not arriving", "Account locked after failed logins"],
    Category.CLASSIFIED_AD_POSTING: ["Ad submission fails at payment step", "Cannot choose the right category",
                                     "Ad posting error after adding photos", "How to post a job advert",
                                     "Formatting lost in ad description"],
    Category.PAYMENT_BILLING: ["Charged twice for premium listing", "Refund for unused subscription",
                               "Payment declined with valid card", "Invoice needed for company ad",
                               "Subscription renewal failed"],
    Category.AD_MODERATION_APPROVAL: ["Ad still pending approval", "Why was my ad rejected",
                                      "Ad flagged incorrectly", "Appeal a moderation decision"],
    Category.AD_REMOVAL_OR_EXPIRY: ["Renew expired ad", "Remove sold item", "Ad expired early",
                                    "Delete duplicate listing"],
    Category.FEATURE_REQUEST: ["Request saved searches", "Add dark mode", "Bulk upload for agencies",
                               "WhatsApp sharing for ads"],
    Category.POLICY_TERMS: ["Are firearm ads allowed", "Data retention question", "Terms for business accounts",
                            "POPIA request for my data"],
    Category.GENERAL_FEEDBACK: ["Great service from support", "Suggestions for the search page",
                                "Feedback on new layout"],
    Category.OTHER: ["Media enquiry", "Partnership proposal", "Account deletion request"],
}
CATEGORY_WEIGHTS = [22, 20, 16, 12, 10, 5, 6, 5, 4]
MODE_WEIGHTS = [34, 18, 22, 14, 8, 4]
USER_TYPE_WEIGHTS = [20, 45, 25, 6, 4]
RESOLUTIONS = ["Password reset link sent; the user confirmed access.",
               "The listing was re-submitted after the image size was reduced; it is now live.",
               "Duplicate charge refunded to the original card; reference sent to the user.",
               "The ad was reviewed again and approved under the Jobs category.",
               "The ad was renewed for 30 days and the renewal confirmation was emailed.",
               "The request was logged with the product team as a feature suggestion.",
               "The relevant section of the terms was explained with a link to the policy page.",
               "Account deletion completed and confirmed in writing."]


@dataclass
class _Clock:
    t: datetime

    def __call__(self) -> datetime:
        return self.t


@dataclass(frozen=True)
class DemoLogin:
    """One line of the sign-in table `saypro demo-data` prints."""

    username: str
    role: Role
    password: str | None  # None: the account has a password of its own, not the demo's


def ensure_demo_staff(store: Store) -> list[str]:
    """The demo staff, made once with DEMO_PASSWORD. A first Admin who has no password yet gets the demo's too,
    so a demo store opens on the sign-in, not on the first-start dialog."""
    made = []
    with store.session() as s:
        admin = ensure_first_admin(s)
        if not has_password(s, admin):
            set_password(s, admin, DEMO_PASSWORD)
        ctx = bind(s, admin)
        for username, name, role in STAFF:
            if find_staff(s, username) is None:
                create_staff_user(ctx, username, name, role, email=f"{username}@saypro.online",
                                  password=DEMO_PASSWORD)
                made.append(username)
    return made


def demo_logins(store: Store) -> list[DemoLogin]:
    """Who can sign in to a demo store, with the demo password where it still opens the account (one
    password check per account; an account whose password was changed shows None)."""
    with store.session() as s:
        admin = ensure_first_admin(s)
        users = [admin] + [u for u in (find_staff(s, name) for name, _, _ in STAFF) if u is not None]
        return [DemoLogin(u.username, u.role, DEMO_PASSWORD if sign_in(s, u.username, DEMO_PASSWORD) else None)
                for u in users]


def _logged_moment(rng: random.Random, day: date, tz: object) -> datetime:
    # Most inquiries arrive in office hours; some in the evening and at weekends (portal, email, chat).
    hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 3, 5, 9, 12, 12, 11, 10, 11, 11, 10, 9, 7, 5, 4, 3, 3,
                                           2, 1])[0]
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)  # type: ignore[arg-type]
    return local.astimezone(UTC)


def generate(store: Store, inquiries: int, months: int = 12, seed: int = 1, until: date | None = None,
             batch: int = 500, progress: Callable[[int], None] | None = None) -> int:
    """Create ``inquiries`` inquiries logged over the ``months`` months up to ``until`` (today by default)."""
    if inquiries < 0 or months < 1:
        raise ValueError("--inquiries must be 0 or more and --months at least 1")
    rng = random.Random(seed)
    ensure_demo_staff(store)
    with store.session() as s:
        agents = [u.username for u in s.scalars(select(StaffUser).where(
            StaffUser.role.in_([Role.SUPPORT_AGENT, Role.SUPERVISOR]), StaffUser.active.is_(True))
            .order_by(StaffUser.username))]
        tz = load_settings(s).calendar().tz
    end = until or datetime.now(tz).date()
    start = (end.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    span = (end - start).days + 1
    real_now = datetime.now(UTC)
    cutoff = min(real_now, datetime.combine(end, time(23, 59), tzinfo=tz).astimezone(UTC))
    days = sorted(start + timedelta(days=rng.randrange(span)) for _ in range(inquiries))
    done = 0
    while done < inquiries:
        chunk = days[done:done + batch]
        with store.session() as s:
            users = {u.username: u for u in s.scalars(select(StaffUser))}
            clock = _Clock(real_now)
            ctx = bind(s, users[agents[0]], clock)
            for day in chunk:
                _one(ctx, rng, users, agents, clock, _logged_moment(rng, day, tz), cutoff)
        done += len(chunk)
        if progress:
            progress(done)
    if inquiries:  # feedback from other channels over the same months, and the survey after resolution
        demo_feedback.generate_feedback(store, start, end, seed, now=cutoff)
    return done


def _one(ctx: ServiceContext, rng: random.Random, users: dict[str, StaffUser], agents: list[str], clock: _Clock,
         logged: datetime, cutoff: datetime) -> None:
    logged = min(logged, cutoff - timedelta(minutes=1))
    ctx.act_as(users[rng.choice(agents)])
    category = rng.choices(list(Category), weights=CATEGORY_WEIGHTS)[0]
    first, last = rng.choice(FIRST), rng.choice(LAST)
    clock.t = logged
    draft = InquiryDraft(
        subject=rng.choice(SUBJECTS[category]), category=category,
        category_other="Account administration" if category == Category.OTHER else None,
        mode=rng.choices(list(Mode), weights=MODE_WEIGHTS)[0],
        user_type=rng.choices(list(UserType), weights=USER_TYPE_WEIGHTS)[0],
        user_full_name=f"{first} {last}",
        user_email=f"{first}.{last}".lower().replace(" ", "").replace("é", "e").replace("ë", "e").replace("ö", "o")
        + f"{rng.randrange(100)}@example.org",
        user_phone=f"+27 {rng.randrange(60, 84)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
        user_location=rng.choice(CITIES), logged_at=logged,
        classified_category=rng.choice(list(ClassifiedCategory)),
        description=f"{first} reports: {rng.choice(SUBJECTS[category]).lower()}. "
                    "Steps to replicate were given over the contact channel.",
    )
    inquiry = svc.create_inquiry(ctx, draft)

    def at(minutes: float) -> bool:
        """Move the clock ``minutes`` on; False when that is past the end of the data."""
        clock.t = clock.t + timedelta(minutes=minutes)
        return clock.t < cutoff

    # Agents answer in office hours: most within the first business hour, a few late.
    opens = ctx.calendar.next_business_start(logged)
    delay = rng.choice([2, 5, 10, 15, 25, 35, 45, 55]) if rng.random() > 0.06 else rng.uniform(70, 300)
    if not at((opens - clock.t).total_seconds() / 60 + delay):
        return
    svc.acknowledge(ctx, inquiry)
    svc.assign(ctx, inquiry, users[rng.choice(agents)])
    if rng.random() < 0.4 and at(rng.uniform(1, 10)):
        svc.change_status(ctx, inquiry, Status.RESOLVED, resolution=rng.choice(RESOLUTIONS), first_contact=True,
                          user_confirmation=Confirmation.YES)
    else:
        if not at(rng.uniform(5, 60)):
            return
        if inquiry.status == Status.NEW:  # acknowledging has already started the work
            svc.change_status(ctx, inquiry, Status.IN_PROGRESS)
        contacted = rng.random() < 0.3 and at(rng.uniform(10, 300))
        if contacted:
            svc.add_action_step(ctx, inquiry, "Called the user to collect more detail", ActionKind.USER_CONTACT)
        if rng.random() < 0.08 and at(rng.uniform(30, 600)):
            svc.change_status(ctx, inquiry, Status.ESCALATED, tier=rng.choice(list(EscalationTier)),
                              reason="Needs access the first tier does not have")
        hours = rng.choices([0.5, 1, 2, 3, 5, 8, 16, 22, 30, 40, 60],
                            weights=[18, 20, 16, 12, 10, 8, 6, 4, 3, 2, 1])[0] * rng.uniform(0.7, 1.1)
        resolve_at = clock.t + timedelta(hours=hours)
        overdue_at = logged + timedelta(hours=ctx.settings.sla.auto_escalate_after_hours)
        if not inquiry.priority.is_high and not inquiry.escalated and overdue_at < min(resolve_at, cutoff):
            # What the auto-escalation job does when it runs past the 48 h mark.
            clock.t = max(clock.t, overdue_at)
            svc.change_status(ctx, inquiry, Status.ESCALATED, tier=EscalationTier.TIER_2, automatic=True,
                              reason="Unresolved 48 hours after it was logged (automatic escalation)")
        if not at((resolve_at - clock.t).total_seconds() / 60):
            return
        svc.change_status(ctx, inquiry, Status.RESOLVED, resolution=rng.choice(RESOLUTIONS),
                          first_contact=not contacted and not inquiry.escalated,
                          user_confirmation=rng.choice([Confirmation.YES, Confirmation.YES, Confirmation.NO,
                                                        Confirmation.NOT_APPLICABLE]))
    if rng.random() < 0.55 and at(rng.uniform(30, 1440)):
        svc.record_feedback(ctx, inquiry, rng.choices([1, 2, 3, 4, 5], weights=[2, 3, 7, 28, 60])[0])
    if rng.random() < 0.025 and at(rng.uniform(60, 2880)):
        svc.change_status(ctx, inquiry, Status.REOPENED, note="The user reports the problem is back")
        if at(rng.uniform(60, 1440)):
            svc.change_status(ctx, inquiry, Status.RESOLVED, resolution=rng.choice(RESOLUTIONS), first_contact=False)
    if inquiry.status == Status.RESOLVED and rng.random() < 0.8 and at(rng.uniform(60, 4320)):
        svc.change_status(ctx, inquiry, Status.CLOSED)
