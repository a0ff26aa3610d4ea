"""Shared helpers of the benchmark scripts: a cached generated store and a timer."""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from saypro_desktop.services import demo_data
from saypro_desktop.store import DataPaths, Store, open_store

OUT = Path(__file__).resolve().parent / "out"
UNTIL = date(2025, 12, 31)


def generated_store(inquiries: int, months: int, seed: int = 1, rebuild: bool = False) -> tuple[Store, float | None]:
    """A store of demo data, built once and kept under bench/out; returns (store, build seconds or None)."""
    root = OUT / f"store-{inquiries}-{months}-{seed}"
    built = None
    if rebuild or not (root / ".complete").exists():
        shutil.rmtree(root, ignore_errors=True)
        store = open_store(DataPaths(root))
        t = time.perf_counter()
        demo_data.generate(store, inquiries, months, seed, UNTIL, batch=1000)
        built = time.perf_counter() - t
        store.close()
        (root / ".complete").write_text(f"{built:.1f}\n")
    return open_store(DataPaths(root)), built


def timed(fn: Callable[[], object], repeat: int = 20, warmup: int = 2) -> dict[str, float]:
    """Median and 95th percentile wall time in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2)}
