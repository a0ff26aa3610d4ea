"""Engines, transactions and server meta on PostgreSQL (psycopg 3) or SQLite.

Every write that can add to the change feed runs in ``Database.write()``: on PostgreSQL it first takes
one transaction-level advisory lock, on SQLite ``BEGIN IMMEDIATE`` takes the single writer lock. Writers
therefore commit in the order they got their feed sequence numbers, and a reader never sees 12 before
11 (PostgreSQL hands out sequence values before commit; without the lock a pull could skip 11 forever).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, select, text, update

from saypro_desktop.core.hlc import HybridLogicalClock, Stamp

from .schema import server_meta

# pg_advisory_xact_lock keys: one for writers of the change feed, one for schema migrations.
FEED_LOCK_KEY = 0x5341_5950_0001
MIGRATION_LOCK_KEY = 0x5341_5950_0002
SQLITE_BUSY_TIMEOUT_MS = 15_000
SERVER_CLOCK_DEVICE = "000000000000"  # stamps the server makes itself lose ties against every desktop


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                               json_serializer=_compact_json, hide_parameters=True, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # A writer takes the write lock up front: a deferred transaction that reads first and writes
            # later fails with SQLITE_BUSY_SNAPSHOT when another writer committed in between.
            immediate = conn.get_execution_options().get("saypro_writer", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # hide_parameters: a logged error never carries a row's values (inquirers' personal details, hashes).
    return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=16, json_serializer=_compact_json,
                         hide_parameters=True, **kwargs)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._writer = self.engine.execution_options(saypro_writer=True)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self, *, feed_lock: bool = True) -> Iterator[Connection]:
        """A write transaction; with ``feed_lock`` it is serialised with every other feed writer."""
        with self._writer.connect() as conn, conn.begin():
            if self.is_postgres and feed_lock:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK_KEY})
            conn.info["feed_lock"] = feed_lock
            try:
                yield conn
            finally:
                conn.info.pop("feed_lock", None)

    def dispose(self) -> None:
        self.engine.dispose()


# -- server meta: epoch and the server's clock (never the token secret: see saypro_server/secret.py) --

def get_meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(server_meta.c.value).where(server_meta.c.key == key)).scalar_one_or_none()


def set_meta(conn: Connection, key: str, value: str) -> None:
    if get_meta(conn, key) is None:
        conn.execute(insert(server_meta).values(key=key, value=value))
    else:
        conn.execute(update(server_meta).where(server_meta.c.key == key).values(value=value))


def new_epoch() -> str:
    return secrets.token_hex(8)


def ensure_meta(conn: Connection) -> None:
    """Give a new database its epoch and its clock (kept in the database so every process shares them)."""
    if get_meta(conn, "epoch") is None:
        set_meta(conn, "epoch", new_epoch())
    if get_meta(conn, "hlc") is None:
        set_meta(conn, "hlc", "0:0")


class ServerClock:
    """The server's hybrid logical clock inside one feed-locked transaction; saved when the work is done."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        if not conn.info.get("feed_lock"):
            raise RuntimeError("the server clock is only used inside a feed-locked write transaction")
        self.conn = conn
        wall, counter = (int(x) for x in (get_meta(conn, "hlc") or "0:0").split(":"))
        now_ms = int(now.timestamp() * 1000)
        self.clock = HybridLogicalClock(SERVER_CLOCK_DEVICE, wall, counter, now_ms=lambda: now_ms)

    def observe(self, stamp: Stamp) -> None:
        self.clock.observe(stamp)

    def tick(self) -> Stamp:
        return self.clock.tick()

    def save(self) -> None:
        set_meta(self.conn, "hlc", f"{self.clock.wall_ms}:{self.clock.counter}")
