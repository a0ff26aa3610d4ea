"""The server's own work on a push batch, in-process on PostgreSQL: 25 batches of 100 new inquiries with their
audit rows (200 mutations each) through ``saypro_server.push.push`` (sequence checks, every field and role
checked, merge, feed, push log). Prints the median time per batch of the last 20 (the first five warm up).

    .venv/bin/python bench/bench_push_checks.py [--no-push-log]

``--no-push-log`` leaves out writing the push log, to see what it costs. A database named after this
process is made on the local PostgreSQL (``SAYPRO_BENCH_PG_URL``) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SAYPRO_SCRYPT_TEST_COST", "1024")  # the one user's password is not what is measured

import psycopg
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from saypro_desktop.core.hlc import Stamp
from saypro_desktop.core.permissions import Role
from saypro_desktop.core.uuids import new_id
from saypro_desktop.models.base import utcnow
from saypro_server import push
from saypro_server.accounts import create_user
from saypro_server.merge import Mutation, Pusher
from saypro_server.store.db import Database
from saypro_server.store.migrate import init_db
from saypro_server.store.schema import device

ADMIN_URL = os.environ.get("SAYPRO_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BATCHES, WARM_UP = 25, 5


class Batches:
    """Batches as one desktop sends them: each inquiry insert followed by its audit row."""

    def __init__(self, user_id: str, device_id: str) -> None:
        self.user_id, self.tail = user_id, device_id.replace("-", "")[-12:]
        self.wall, self.counter, self.seq = int(time.time() * 1000), 0, 0
        now = datetime.now(UTC).replace(microsecond=0)
        self.now = now
        self.inquiry = {
            "logged_at": now.isoformat(), "logged_date": now.date().isoformat(), "mode": "Email",
            "user_full_name": "Thandiwe Nkosi", "user_email": "thandiwe@example.org", "user_type": "Advertiser",
            "subject": "Ad still pending", "category": "Technical Issue", "description": "Submitted two days ago.",
            "priority": "Normal", "priority_overridden": False, "ack_due_at": (now + timedelta(hours=1)).isoformat(),
            "resolution_due_at": (now + timedelta(hours=48)).isoformat(), "resolved_on_first_contact": False,
            "status": "New", "escalated": False, "auto_escalated": False, "reopen_count": 0,
            "in_monthly_report": False, "in_quarterly_file": False, "quarter": "Q4", "deleted": False}

    def _mutation(self, table: str, row_id: str, fields: dict[str, Any]) -> Mutation:
        self.seq += 1
        self.counter += 1
        return Mutation(self.seq, new_id(), table, row_id, "insert", str(Stamp(self.wall, self.counter, self.tail)),
                        fields)

    def next(self, inquiries: int = 100) -> list[Mutation]:
        out = []
        for _ in range(inquiries):
            row_id = new_id()
            out.append(self._mutation("inquiry", row_id, dict(self.inquiry)))
            out.append(self._mutation("audit_entry", new_id(), {
                "at": self.now.isoformat(), "actor_id": self.user_id, "entity": "inquiry", "entity_id": row_id,
                "action": "create", "summary": "SCMR", "changes": {}, "deleted": False}))
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-push-log", action="store_true", help="leave out writing the push log")
    args = ap.parse_args()
    if args.no_push_log:
        push._log = lambda *a, **k: None  # type: ignore[assignment]
    name = f"saypro_bench_push_{os.getpid()}"
    admin = make_url(ADMIN_URL)
    with psycopg.connect(host=admin.host, port=admin.port or 5432, user=admin.username, password=admin.password,
                         dbname=admin.database, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = Database(admin.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False))
    try:
        init_db(db)
        user_id = create_user(db, "boss", Role.ADMIN, "correct-horse-1", utcnow())
        device_id = new_id()
        with db.write(feed_lock=False) as conn:
            conn.execute(insert(device).values(id=device_id, user_id=user_id, name="bench", token_gen=0,
                                               revoked=False, created_at=utcnow()))
        pusher, batches, outbox = Pusher(user_id, Role.ADMIN, device_id), Batches(user_id, device_id), \
            secrets.token_hex(16)
        times = []
        for _ in range(BATCHES):
            batch = batches.next()
            start = time.perf_counter()
            push.push(db, pusher, outbox, 1, batch, utcnow())
            times.append(time.perf_counter() - start)
        median = statistics.median(times[WARM_UP:])
        print(f"{'without' if args.no_push_log else 'with'} the push log: median {median * 1000:.1f} ms per batch "
              f"of 200 mutations ({median * 5:.2f} ms each)")
    finally:
        db.dispose()
        with psycopg.connect(host=admin.host, port=admin.port or 5432, user=admin.username,
                             password=admin.password, dbname=admin.database, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
