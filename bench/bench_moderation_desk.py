"""The moderator's desk on 50,000 pending ads: scoring them as they arrive, opening the queue, and the time from
a decision to the next ad on screen (as the workspace does it: the next ad's detail read on the read pool while
the decision is written on the writer thread).

    .venv/bin/python bench/bench_moderation_desk.py [--ads 50000] [--decisions 200]

The store is built once in bench/out/moderation-<N>/ (ads inserted through the ORM, outbox and all) and reused.
Medians of the repeated steps; the first run of each step is reported apart (cold caches).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from saypro_desktop.core.moderation import AdStatus, AdType, DecisionKind, ad_row_id
from saypro_desktop.core.vocab import ClassifiedCategory
from saypro_desktop.models import Ad, AdScore
from saypro_desktop.services import ad_views, ads, demo_ads, moderation
from saypro_desktop.services.ad_scoring import score_missing, warm_index
from saypro_desktop.services.context import acting
from saypro_desktop.services.demo_data import CITIES, FIRST, LAST, ensure_demo_staff
from saypro_desktop.store import DataPaths, open_store

OUT = Path(__file__).resolve().parent / "out"


def build(root: Path, count: int) -> float:
    """Insert ``count`` pending ads (varied text) and score them; returns the scoring rate (ads/s)."""
    store = open_store(DataPaths(root))
    ensure_demo_staff(store)
    rng = random.Random(5)
    now = datetime.now(UTC)
    have = 0
    with store.session() as s:
        have = s.scalar(select(func.count()).select_from(Ad)) or 0
    if have < count:
        advertisers = [f"U{n}" for n in range(count // 3)]
        for first in range(have, count, 5000):
            with acting(store, "nomsa.dlamini") as ctx:
                for n in range(first, min(count, first + 5000)):
                    category = rng.choices(list(demo_ads.WEIGHTS), weights=list(demo_ads.WEIGHTS.values()))[0]
                    title, text, prices, ad_type = rng.choice(demo_ads.ITEMS[category])
                    city = rng.choice(CITIES).split(",")[0]
                    extra = " ".join(d.format(city=city, day=rng.randrange(1, 29), month="March",
                                              n=rng.randrange(2, 40), ref=rng.randrange(10**5, 10**6))
                                     for d in rng.sample(demo_ads.DETAILS, 2))
                    if rng.random() < 0.08:
                        extra += " " + rng.choice(demo_ads.BAD)[0]
                    ext = f"B-{n}"
                    ctx.session.add(Ad(
                        id=ad_row_id(ext, 1), external_id=ext, version=1, title=f"{title} ({rng.choice(FIRST)})",
                        description=f"{text} {extra}", currency="ZAR", category=ClassifiedCategory(category),
                        price_minor=None if prices is None else rng.randrange(*prices) // 100 * 100,
                        ad_type=AdType(ad_type), advertiser_id=rng.choice(advertisers),
                        advertiser_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", location=city, images=[],
                        submitted_at=now - timedelta(minutes=rng.randrange(60 * 48)), source="demo",
                        status=AdStatus.PENDING, report_count=int(rng.random() < 0.03)))
    with store.session() as s:
        todo = s.scalar(select(func.count()).select_from(Ad).outerjoin(AdScore, AdScore.ad_id == Ad.id)
                        .where(AdScore.ad_id.is_(None))) or 0
    rate = float("nan")
    if todo:
        started = time.perf_counter()
        with store.session() as s:
            known = warm_index(s)
        built = time.perf_counter() - started
        print(f"index of the {known:,} known ads built in {built:.1f} s ({known / built:,.0f} ads/s)")
        started, cpu = time.perf_counter(), time.process_time()
        with store.session() as s:
            done = score_missing(s)
        rate = done / (time.perf_counter() - started)
        print(f"scoring by the process's CPU time: {done / (time.process_time() - cpu):,.0f} ads/s")
    store.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ads", type=int, default=50_000)
    parser.add_argument("--decisions", type=int, default=200)
    args = parser.parse_args()
    root = OUT / f"moderation-{args.ads}"
    started = time.perf_counter()
    rate = build(root, args.ads)
    print(f"store of {args.ads:,} pending ads ready in {time.perf_counter() - started:.1f} s"
          + (f"; each ad scored against the others at {rate:,.0f} ads/s (rules, duplicates, bulk write)" if rate == rate
             else " (reused)"))
    store = open_store(DataPaths(root))
    opens = []
    for _ in range(6):
        t0 = time.perf_counter()
        with acting(store, "zanele.khumalo") as ctx:
            rows = ad_views.queue_rows(ctx, ads.QueueFilter(limit=500))
            ad_views.ad_detail(ctx, rows[0].id)
        opens.append(time.perf_counter() - t0)
    print(f"queue open (first 500 of {args.ads:,} pending, ordered by age past 12 h and risk, plus the first ad): "
          f"cold {1000 * opens[0]:.0f} ms, median {1000 * statistics.median(opens[1:]):.0f} ms")
    writes, reads = [], []
    for n in range(args.decisions):
        ad_id, next_id = rows[2 * n].id, rows[2 * n + 1].id

        def write(ad_id: str = ad_id) -> None:  # the writer thread's transaction
            t0 = time.perf_counter()
            with acting(store, "zanele.khumalo") as ctx:
                moderation.decide(ctx, ads.get_ad(ctx, ad_id), DecisionKind.APPROVE)
            writes.append(time.perf_counter() - t0)

        writer = threading.Thread(target=write)
        t0 = time.perf_counter()
        writer.start()
        with acting(store, "zanele.khumalo") as ctx:  # meanwhile the read pool: the next ad's detail
            ad_views.ad_detail(ctx, next_id)
        reads.append(time.perf_counter() - t0)
        writer.join()
    print(f"decision to next ad on screen ({args.decisions} decisions; the workspace shows the next ad while the "
          f"decision is written): median {1000 * statistics.median(reads):.1f} ms, "
          f"p95 {1000 * sorted(reads)[int(0.95 * len(reads))]:.1f} ms; the decision's write behind it: median "
          f"{1000 * statistics.median(writes):.1f} ms")
    store.close()


if __name__ == "__main__":
    main()
