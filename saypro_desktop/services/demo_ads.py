"""Demo classified ads, with the moderation that followed: realistic text per category, a share that breaks the
rules, decisions by the demo moderators through the real services (so the outbox and audit trail are real),
a few sanctions, appeals and a drawn audit. The same seed and end date give the same content."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from ..core.moderation import AdStatus, AdType, AppealOutcome, AuditVerdict, DecisionKind, SanctionKind, ad_row_id
from ..core.vocab import ClassifiedCategory
from ..models import Ad, StaffUser
from ..store import Store
from . import moderation as mod
from . import moderation_audit
from .ad_scoring import AdScoring
from .context import ServiceContext, bind
from .demo_data import CITIES, FIRST, LAST, _Clock, ensure_demo_staff
from .settings import load_settings

C = ClassifiedCategory
ITEMS: dict[ClassifiedCategory, list[tuple[str, str, tuple[int, int] | None, AdType]]] = {
    C.JOBS: [("Junior bookkeeper wanted", "Small accounting firm seeks a junior bookkeeper. Pastel experience "
              "preferred, matric required. Apply through the site with your CV.", None, AdType.JOB),
             ("Experienced waiter / waitress", "Busy restaurant needs experienced waiting staff for weekends. "
              "Good tips, friendly team.", None, AdType.JOB),
             ("Delivery driver with own bakkie", "Courier company looking for drivers with a code 10 licence "
              "and their own bakkie. Flexible hours.", None, AdType.JOB)],
    C.REAL_ESTATE: [("2 bedroom flat to rent", "Sunny two bedroom flat with secure parking, close to schools "
                     "and shops. Available from the 1st.", (550_000, 1_400_000), AdType.OFFER),
                    ("Family home for sale", "Three bedroom house with garden, double garage and a pool. "
                     "Viewing by appointment.", (95_000_000, 320_000_000), AdType.OFFER),
                    ("Room in shared house", "Furnished room in a quiet shared house, Wi-Fi and water included.",
                     (280_000, 520_000), AdType.OFFER)],
    C.VEHICLES: [("2015 Toyota Corolla 1.6", "One owner, full service history, 142 000 km. Roadworthy "
                  "certificate available.", (12_500_000, 19_000_000), AdType.OFFER),
                 ("VW Polo Vivo 2018", "Well looked after, new tyres, 88 000 km.", (13_000_000, 17_500_000),
                  AdType.OFFER),
                 ("Mountain bike, 29 inch", "Aluminium frame, hydraulic brakes, recently serviced.",
                  (450_000, 1_200_000), AdType.OFFER)],
    C.FOR_SALE: [("Samsung 55 inch smart TV", "Two years old, works perfectly, remote and box included.",
                  (450_000, 800_000), AdType.OFFER),
                 ("Solid wood dining table with 6 chairs", "Sturdy table, some wear on the chairs.",
                  (250_000, 600_000), AdType.OFFER),
                 ("Baby pram and car seat", "Used for one child, clean, no damage.", (90_000, 250_000),
                  AdType.OFFER)],
    C.SERVICES: [("Plumber available 24/7", "Burst pipes, geysers and blocked drains. Registered plumber, "
                  "free quotes.", (35_000, 90_000), AdType.SERVICE),
                 ("Maths and science tutoring", "Grade 8-12 tutoring by a qualified teacher, online or in person.",
                  (20_000, 40_000), AdType.SERVICE)],
    C.ANNOUNCEMENTS: [("Lost dog: brown Labrador", "Answers to Max, lost near the park on Saturday. Reward "
                       "offered.", None, AdType.NOTICE)],
    C.EVENTS: [("Saturday craft market", "Local crafts, food stalls and live music from 09:00 to 14:00.",
                None, AdType.EVENT),
               ("Charity fun run 5 km", "Register on the day; all proceeds go to the children's home.", None,
                AdType.EVENT)],
    C.COMMUNITY: [("Neighbourhood watch meeting", "Monthly meeting at the community hall, all residents welcome.",
                   None, AdType.NOTICE)],
}
WEIGHTS = {C.JOBS: 14, C.REAL_ESTATE: 16, C.VEHICLES: 18, C.FOR_SALE: 26, C.SERVICES: 12, C.ANNOUNCEMENTS: 4,
           C.EVENTS: 6, C.COMMUNITY: 4}
# Rule-breaking variants: (text added to the description, reason a moderator gives)
BAD = [
    ("Send a deposit first via Western Union and I will courier it to you.", "scam"),
    ("Contact me directly on WhatsApp 082 555 1234 or dealz4u@example.com", "contact_in_text"),
    ("Also selling an unlicensed firearm and ammunition, ask.", "prohibited"),
    ("Only for idiots who can't read, don't waste my time.", "offensive"),
]
MODERATORS = ("zanele.khumalo", "kagiso.sithole")
# Details that make each demo ad its own text (real ads differ; identical ones are flagged as duplicates).
DETAILS = ["Collection in {city} only.", "Can deliver in {city} for a small fee.", "Viewing on weekends in {city}.",
           "Serious buyers only, {city} area.", "Available from {day} {month}.", "Call after 17:00, based in {city}.",
           "Price negotiable for a quick sale.", "Photos on request.", "Listed for {n} days so far.",
           "Reference {ref} when you ask.", "First come, first served.", "Cash or EFT on collection."]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def generate_ads(store: Store, count: int, months: int = 3, seed: int = 1, until: date | None = None,
                 progress: Callable[[int], None] | None = None) -> int:
    """``count`` ads submitted over the ``months`` months up to ``until``; all but the last day's decided."""
    if count < 0 or months < 1:
        raise ValueError("--ads must be 0 or more and --months at least 1")
    rng = random.Random(seed * 7919 + 11)
    ensure_demo_staff(store)
    with store.session() as s:
        tz = load_settings(s).calendar().tz
    end = until or datetime.now(tz).date()
    start = end - timedelta(days=min(months, 3) * 30)
    advertisers = [(f"U{10_000 + n}", f"{rng.choice(FIRST)} {rng.choice(LAST)}") for n in range(max(5, count // 4))]
    bad_advertisers = set(rng.sample([a for a, _ in advertisers], max(1, len(advertisers) // 15)))
    real_now = datetime.now(UTC)
    plan = []
    for n in range(count):
        day = start + timedelta(days=rng.randrange((end - start).days + 1))
        moment = datetime.combine(day, time(rng.randrange(7, 22), rng.randrange(60)), tz).astimezone(UTC)
        plan.append((min(moment, real_now - timedelta(minutes=5)), n))
    plan.sort()
    made = 0
    for first in range(0, len(plan), 500):
        with store.session() as s:
            users = {u.username: u for u in s.scalars(select(StaffUser))}
            clock = _Clock(real_now)
            ctx = bind(s, users[MODERATORS[0]], clock)
            scoring = AdScoring.load(ctx)
            for submitted, n in plan[first:first + 500]:
                advertiser, name = rng.choice(advertisers)
                bad = (advertiser in bad_advertisers and rng.random() < 0.6) or rng.random() < 0.06
                ad = _ad(rng, n, advertiser, name, submitted, bad, tz)
                s.add(ad)
                s.flush()
                scoring.score_new(ad)
                decide_by = submitted + timedelta(hours=rng.choice([1, 2, 3, 5, 8, 11, 14, 20, 30]))
                if decide_by < real_now - timedelta(hours=2) and rng.random() < 0.97:
                    clock.t = decide_by
                    ctx.act_as(users[rng.choice(MODERATORS)])
                    _decide(ctx, rng, ad, bad, users, clock)
                made += 1
        if progress:
            progress(made)
    with store.session() as s:
        users = {u.username: u for u in s.scalars(select(StaffUser))}
        ctx = bind(s, users["nomsa.dlamini"], _Clock(real_now))
        week = moderation_audit.previous_week(ctx)
        drawn = moderation_audit.draw(ctx, week, seed=f"demo-{seed}")
        for row in drawn.drawn:  # the Supervisor audits: she made none of the decisions
            verdict = AuditVerdict.CORRECT if rng.random() < 0.97 else AuditVerdict.WRONG
            moderation_audit.mark(ctx, row, verdict, None if verdict is AuditVerdict.CORRECT else
                                  "the reason does not match the ad")
    return made


def _ad(rng: random.Random, n: int, advertiser: str, name: str, submitted: datetime, bad: bool, tz: object) -> Ad:
    category = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    title, text, prices, ad_type = rng.choice(ITEMS[category])
    city = rng.choice(CITIES)
    extra = rng.sample(DETAILS, 2)
    description = text + " " + " ".join(d.format(city=city.split(",")[0], day=rng.randrange(1, 29),
                                                 month=rng.choice(MONTHS), n=rng.randrange(2, 40),
                                                 ref=f"{rng.randrange(10**5, 10**6)}") for d in extra)
    if bad:
        description += " " + rng.choice(BAD)[0]
    price = None if prices is None else rng.randrange(prices[0], prices[1]) // 100 * 100
    external = f"A-{100_000 + n}"
    return Ad(id=ad_row_id(external, 1), external_id=external, version=1, title=title, description=description,
              price_minor=price, currency="ZAR", category=category, subcategory=None, ad_type=ad_type,
              advertiser_id=advertiser, advertiser_name=name,
              advertiser_email=f"{name.split()[0].lower()}.{advertiser.lower()}@example.com",
              advertiser_phone=f"0{rng.choice([72, 73, 82, 83, 61])} {rng.randrange(100, 999)} "
                               f"{rng.randrange(1000, 9999)}",
              location=city.split(",")[0], images=[], submitted_at=submitted,
              expires_at=submitted + timedelta(days=30), source="demo", status=AdStatus.PENDING, report_count=0)


def _decide(ctx: ServiceContext, rng: random.Random, ad: Ad, bad: bool, users: dict[str, StaffUser],
            clock: _Clock) -> None:
    if bad:
        reason = next((r for t, r in BAD if t in ad.description), "misleading")
        kind = DecisionKind.REJECT if rng.random() < 0.85 else DecisionKind.REQUEST_CHANGES
        mod.decide(ctx, ad, kind, [reason])
        if rng.random() < 0.25:
            mod.add_sanction(ctx, ad.advertiser_id, SanctionKind.WARNING, [reason], ad=ad)
        if rng.random() < 0.08:
            clock.t += timedelta(days=1)
            ctx.act_as(users["lerato.mokoena"])
            appeal = mod.add_appeal(ctx, ad, "The advertiser says the ad follows the rules.")
            ctx.act_as(users["nomsa.dlamini"])
            mod.decide_appeal(ctx, appeal, AppealOutcome.UPHELD if rng.random() < 0.8 else AppealOutcome.OVERTURNED)
    elif rng.random() < 0.95:
        mod.decide(ctx, ad, DecisionKind.APPROVE)
    else:
        mod.decide(ctx, ad, DecisionKind.REQUEST_CHANGES, ["missing_details"])
