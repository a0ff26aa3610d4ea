"""The knowledge base and the feedback analysis on realistic sizes: article search and suggestion over 5,000
articles, and the weekly feedback analysis over 200,000 feedback items (and the inquiries of those weeks).

    .venv/bin/python bench/bench_knowledge.py [--articles 5000] [--feedback 200000] [--rounds 30]

The store is built once in bench/out/knowledge-<articles>-<feedback>/ and reused: articles through the service
(outbox, audit trail and search index as in use), feedback items in bulk (a read benchmark; 200,000 through the
service would take many minutes). Medians of the repeated steps; p95 beside them.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select

from saypro_desktop.core.feedback import FeedbackSource, suggest
from saypro_desktop.core.knowledge import ArticleCategory
from saypro_desktop.models import Feedback, KbArticle
from saypro_desktop.services import feedback, knowledge
from saypro_desktop.services.context import acting
from saypro_desktop.services.demo_data import ensure_demo_staff
from saypro_desktop.store import DataPaths, open_store

OUT = Path(__file__).resolve().parent / "out"
TOPICS = {
    "Payment Issues": ["card", "refund", "charged", "twice", "invoice", "eft", "featured", "payment", "receipt",
                       "declined", "voucher", "billing", "vat", "bank"],
    "Account Management": ["password", "reset", "email", "login", "profile", "verify", "delete", "account", "phone",
                           "username", "locked", "two-factor"],
    "Ad Submission": ["photo", "category", "title", "price", "location", "draft", "publish", "edit", "renew",
                      "expire", "template", "description"],
    "Troubleshooting": ["error", "crash", "browser", "cache", "upload", "slow", "blank", "app", "android", "iphone",
                        "timeout", "cookies"],
    "Ad Moderation & Policies": ["rejected", "pending", "approval", "prohibited", "policy", "appeal", "removed",
                                 "review", "guidelines", "duplicate"],
    "Safety & Security": ["scam", "fraud", "deposit", "fake", "report", "meeting", "safe", "phishing", "courier"],
}
_FILLER = ("the of to and a in is it you that for on with as your this be at by or from have not are can if will "
           "when what all we more about which do how their there use an each other time")
FILLER = tuple(_FILLER.split())
FEEDBACK_TEXTS = [
    "The app keeps crashing when I upload photos", "Great support, very helpful agent", "Refund still not received",
    "Would be nice to save my searches", "Site is slow in the evening", "Scam advert still online",
    "Could not find where to renew my ad", "Charged twice for a featured ad", "Friendly and quick service",
    "The help page did not explain the fees", "Ad rejected without a clear reason", "Font is too small on mobile",
]


def _article_text(rng: random.Random, category: str) -> tuple[str, str]:
    words = TOPICS[category]
    title = " ".join(rng.sample(words, 3)).capitalize() + " " + rng.choice(["explained", "help", "questions",
                                                                           "what to do", "step by step"])
    body = " ".join(rng.choice(words) if rng.random() < 0.25 else rng.choice(FILLER) for _ in range(180))
    return title, body


def build(root: Path, articles: int, items: int) -> None:
    store = open_store(DataPaths(root))
    ensure_demo_staff(store)
    rng = random.Random(12)
    with store.session() as s:
        have_a = s.scalar(select(func.count()).select_from(KbArticle)) or 0
        have_f = s.scalar(select(func.count()).select_from(Feedback)) or 0
    started = time.perf_counter()
    for first in range(have_a, articles, 1000):
        with acting(store, "nomsa.dlamini") as ctx:
            for _ in range(first, min(articles, first + 1000)):
                category = rng.choice(list(TOPICS))
                title, body = _article_text(rng, category)
                knowledge.add_article(ctx, title, ArticleCategory.parse(category), body)
    if articles > have_a:
        print(f"{articles - have_a:,} articles written through the service in {time.perf_counter() - started:.1f} s")
    now = datetime.now(UTC)
    hints = {t: suggest(t) for t in FEEDBACK_TEXTS}
    started = time.perf_counter()
    for first in range(have_f, items, 20_000):
        with store.session() as s:
            rows = []
            for _ in range(first, min(items, first + 20_000)):
                text = rng.choice(FEEDBACK_TEXTS)
                hint = hints[text]
                received = now - timedelta(minutes=rng.randrange(60 * 24 * 365))
                rows.append({"id": str(uuid.uuid4()), "received_at": received,
                             "source": rng.choice(list(FeedbackSource)), "text": text, "theme": hint.theme,
                             "sentiment": hint.sentiment, "priority": hint.priority, "field_versions": {},
                             "deleted": False, "created_at": now, "updated_at": now})
            s.execute(insert(Feedback), rows)
    if items > have_f:
        print(f"{items - have_f:,} feedback items inserted in bulk in {time.perf_counter() - started:.1f} s")
    store.close()


def timed(fn, rounds: int) -> tuple[float, float, float]:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times[0] * 1000, statistics.median(times[1:]) * 1000, sorted(times)[int(0.95 * (len(times) - 1))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--feedback", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    root = OUT / f"knowledge-{args.articles}-{args.feedback}"
    build(root, args.articles, args.feedback)
    store = open_store(DataPaths(root))
    rng = random.Random(3)
    queries = [" ".join(rng.sample(TOPICS[c], 2)) for c in rng.choices(list(TOPICS), k=args.rounds)]
    typed = [(f"My {rng.choice(TOPICS[c])} is {rng.choice(['not working', 'wrong', 'missing'])}",
              " ".join(rng.choice([*TOPICS[c], *FILLER]) for _ in range(30))) for c in rng.choices(list(TOPICS),
                                                                                                 k=args.rounds)]
    with acting(store, "zanele.khumalo") as ctx:
        it = iter(queries)
        cold, med, p95 = timed(lambda: knowledge.search_articles(ctx, next(it)), args.rounds)
        print(f"article search over {args.articles:,} articles (two words, best 20): first {cold:.1f} ms, "
              f"median {med:.1f} ms, p95 {p95:.1f} ms")
        it2 = iter(typed)
        cold, med, p95 = timed(lambda: knowledge.suggest_articles(ctx, *next(it2)), args.rounds)
        print(f"suggestion while typing (subject and a 30-word description, best 5): first {cold:.1f} ms, "
              f"median {med:.1f} ms, p95 {p95:.1f} ms")
    with acting(store, "nomsa.dlamini") as ctx:
        end = datetime.now(UTC)
        in_week = ctx.session.scalar(select(func.count()).select_from(Feedback).where(
            Feedback.received_at >= end - timedelta(days=7)))
        cold, med, p95 = timed(lambda: feedback.analysis(ctx, end - timedelta(days=7), end), max(5, args.rounds // 5))
        print(f"weekly analysis over {args.feedback:,} feedback items ({in_week:,} in the week; 8-week CSAT trend, "
              f"themes, top 10s, quotes): first {cold:.0f} ms, median {med:.0f} ms, p95 {p95:.0f} ms")
    store.close()


if __name__ == "__main__":
    main()
