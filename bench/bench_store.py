"""Foundation benchmark: 100,000 inquiries over 12 months in the local store.

    .venv/bin/python bench/bench_store.py [--inquiries 100000] [--months 12] [--rebuild]

Measures the demo-data build, creating one inquiry (one transaction, commit included), search by
word, one month's list filtered by status, and the KPI dataset of one month.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import generated_store, timed
from saypro_desktop.core.periods import Period
from saypro_desktop.core.validation import InquiryDraft
from saypro_desktop.core.vocab import Status
from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import create_inquiry
from saypro_desktop.services.inquiry_queries import InquiryFilter, count_inquiries, list_inquiries
from saypro_desktop.services.kpi import kpi_dataset
from saypro_desktop.services.search import search_inquiries


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inquiries", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    store, built = generated_store(args.inquiries, args.months, rebuild=args.rebuild)
    results: dict[str, object] = {"inquiries": args.inquiries, "months": args.months}
    if built is not None:
        results["demo_data_build_s"] = round(built, 1)
        results["demo_data_ms_per_inquiry"] = round(built * 1000 / args.inquiries, 2)
    results["database_mb"] = round(store.paths.database.stat().st_size / 1e6, 1)

    rng = random.Random(5)

    def create() -> None:
        with acting(store) as ctx:
            create_inquiry(ctx, InquiryDraft(subject="Payment declined with valid card", category="Payment/Billing",
                                             mode="Phone", user_type="Advertiser",
                                             user_full_name=f"Bench User {rng.randrange(10**6)}",
                                             user_email="bench@example.org"))

    results["create_inquiry"] = timed(create, repeat=100)
    words = iter(["refund", "password", "renewal", "jobs", "nkosi", "approval", "duplicate", "invoice"] * 10)

    def search() -> None:
        with store.session() as s:
            search_inquiries(s, next(words), limit=50)

    results["search_word_top50"] = timed(search, repeat=40)
    month = Period.month("2025-06")

    def month_list() -> None:
        with store.session() as s:
            f = InquiryFilter(status=Status.CLOSED, month=month, limit=200)
            list_inquiries(s, f)
            count_inquiries(s, f)

    results["month_list_by_status_200_rows_and_count"] = timed(month_list)

    def kpi() -> None:
        with acting(store) as ctx:
            kpi_dataset(ctx.session, month, ctx.now())

    results["kpi_one_month"] = timed(kpi, repeat=10)
    store.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
