"""How fast the server takes the classified site's ads: ``POST /api/v1/ads`` end to end, over HTTP on loopback,
against ``saypro-server serve`` on its own PostgreSQL database (or SQLite).

    .venv/bin/python bench/bench_site_ingest.py [--ads 20000] [--batch 500] [--clients 1] [--backend postgresql]

Posts ``--ads`` new ads (each with one image entry, contact details and an expiry) in requests of ``--batch``
ads from ``--clients`` parallel senders, after a warm-up of two batches; then posts the first batch again
(every ad a duplicate). Prints ads per second, the time per request, and what the database holds. The
database is made under a name with this process's id (``SAYPRO_BENCH_PG_URL``) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import func, select

from bench.sync_server import BenchServer
from saypro_server import site
from saypro_server.store.schema import SYNCED, change_feed

CATEGORIES = ("Vehicles", "Real Estate", "Jobs", "Services", "For Sale", "Events")


def ads(first: int, count: int, run: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC).replace(microsecond=0)
    out = []
    for n in range(first, first + count):
        out.append({
            "external_id": f"B{run}-{n}", "version": 1, "title": f"Toyota Corolla 2015, {n % 200} 000 km",
            "description": "One owner, full service history. " * 8, "price": f"{1000 + n % 100_000}.50",
            "currency": "ZAR",
            "category": CATEGORIES[n % len(CATEGORIES)], "subcategory": "Cars", "ad_type": "Offer",
            "advertiser_id": f"U-{n % 5000}", "advertiser_name": "Sipho Dlamini",
            "advertiser_email": f"seller{n % 5000}@example.org", "advertiser_phone": "+27 82 555 0199",
            "location": "Pretoria", "submitted_at": (now - timedelta(seconds=n)).isoformat(),
            "expires_at": (now + timedelta(days=30)).isoformat(),
            "images": [{"sha256": f"{n:064x}", "filename": f"ad-{n}.jpg", "size": 180_000, "width": 1024,
                        "height": 768}],
        })
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ads", type=int, default=20_000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--clients", type=int, default=1)
    p.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    args = p.parse_args()
    if not 1 <= args.batch <= site.MAX_ADS:
        p.error(f"--batch must be 1 to {site.MAX_ADS}")
    run = f"{int(time.time())}"
    with tempfile.TemporaryDirectory() as tmp, BenchServer(args.backend, Path(tmp)) as server:
        key = site.create_integration(server.db, "bench-site", datetime.now(UTC))
        headers = {"Authorization": f"Bearer {key}"}
        batches = [ads(k, min(args.batch, args.ads - k), run) for k in range(0, args.ads, args.batch)]
        warm = [ads(10**8 + k * args.batch, args.batch, run) for k in range(2)]
        clients = [httpx.Client(base_url=f"{server.url}/api/v1", headers=headers, timeout=120)
                   for _ in range(args.clients)]
        bodies = [json.dumps({"ads": b}).encode() for b in batches]  # encoded beforehand: the client is not measured

        def send(client: httpx.Client, body: bytes) -> float:
            t = time.perf_counter()
            r = client.post("/ads", content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 200, r.text[:300]
            out = r.json()
            assert out["refused"] == 0, out["results"][:3]
            return time.perf_counter() - t

        for b in warm:
            send(clients[0], json.dumps({"ads": b}).encode())
        t = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            times = list(pool.map(lambda i: send(clients[i % args.clients], bodies[i]), range(len(bodies))))
        elapsed = time.perf_counter() - t
        t = time.perf_counter()
        again = clients[0].post("/ads", content=bodies[0], headers={"Content-Type": "application/json"}).json()
        duplicate_s = time.perf_counter() - t
        assert again["duplicate"] == len(batches[0])
        for c in clients:
            c.close()
        with server.db.read() as conn:
            stored = conn.execute(select(func.count()).select_from(SYNCED["ad"])).scalar_one()
            feed = conn.execute(select(func.count()).select_from(change_feed)).scalar_one()
        print(json.dumps({
            "backend": args.backend, "ads": args.ads, "batch": args.batch, "clients": args.clients,
            "ads_per_s": round(args.ads / elapsed), "seconds": round(elapsed, 2),
            "request_ms_median": round(statistics.median(times) * 1000), "request_ms_max": round(max(times) * 1000),
            "duplicate_batch_ms": round(duplicate_s * 1000), "ads_stored": stored, "feed_entries": feed,
            "database_mb": server.database_size_mb()}, indent=2))


if __name__ == "__main__":
    main()
