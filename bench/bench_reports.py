"""Reports benchmark: the SCMR-5 monthly report of a 10,000-inquiry month and 1,000 inquiry template PDFs.

    .venv/bin/python bench/bench_reports.py [--inquiries 10000] [--pdfs 1000] [--rebuild]

The store (demo data, one month ending 31/01/2025) is built once and kept under bench/out. Everything
runs in one process, as the desktop app would: fonts are registered by the first report.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader
from sqlalchemy import select

from saypro_desktop.core.periods import Period
from saypro_desktop.models import Inquiry
from saypro_desktop.reports.fonts import register_fonts
from saypro_desktop.services import demo_data
from saypro_desktop.services.context import acting
from saypro_desktop.services.report_data import id_order, in_period
from saypro_desktop.services.report_files import write_inquiry_pdf, write_monthly_csv, write_monthly_pdf
from saypro_desktop.store import DataPaths, Store, open_store

OUT = Path(__file__).resolve().parent / "out"
MONTH = Period.month("2025-01")
AS_OF = datetime(2025, 2, 15, 8, 0, tzinfo=UTC)


def store_with(inquiries: int, rebuild: bool) -> tuple[Store, float | None]:
    root = OUT / f"reports-store-{inquiries}-1-1"
    built = None
    if rebuild or not (root / ".complete").exists():
        shutil.rmtree(root, ignore_errors=True)
        store = open_store(DataPaths(root))
        t = time.perf_counter()
        demo_data.generate(store, inquiries, months=1, seed=1, until=date(2025, 1, 31), batch=1000)
        built = time.perf_counter() - t
        store.close()
        (root / ".complete").write_text(f"{built:.1f}\n")
    return open_store(DataPaths(root)), built


def seconds(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inquiries", type=int, default=10_000)
    parser.add_argument("--pdfs", type=int, default=1_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    store, built = store_with(args.inquiries, args.rebuild)
    results: dict[str, object] = {"inquiries_in_month": args.inquiries}
    if built is not None:
        results["demo_build_s"] = round(built, 1)
    work = Path(tempfile.mkdtemp(prefix="saypro-bench-reports-"))
    try:
        results["font_registration_s"] = round(seconds(register_fonts), 3)
        with acting(store) as ctx:
            monthly = work / "monthly.pdf"
            runs = [seconds(lambda: write_monthly_pdf(ctx, MONTH, monthly, as_of=AS_OF, generated_at=AS_OF))
                    for _ in range(3)]
            results["monthly_pdf_s"] = {"first": round(runs[0], 3), "median": round(statistics.median(runs), 3)}
            results["monthly_pdf_pages"] = len(PdfReader(monthly).pages)
            results["monthly_pdf_kb"] = round(monthly.stat().st_size / 1024)
            results["monthly_csv_s"] = round(seconds(lambda: write_monthly_csv(ctx, MONTH, work / "monthly.csv",
                                                                               as_of=AS_OF)), 3)
            refs = ctx.session.scalars(select(Inquiry.inquiry_ref).where(*in_period(MONTH))
                                       .order_by(*id_order()).limit(args.pdfs)).all()
            folder = work / "inquiries"
            t = time.perf_counter()
            for ref in refs:
                write_inquiry_pdf(ctx, ref, folder / f"{ref}.pdf", generated_at=AS_OF)
            total = time.perf_counter() - t
            results["inquiry_pdfs"] = {"count": len(refs), "total_s": round(total, 2),
                                       "per_pdf_ms": round(1000 * total / max(1, len(refs)), 1)}
            ctx.session.rollback()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        store.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
