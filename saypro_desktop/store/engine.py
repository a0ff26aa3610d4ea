"""The SQLite engine: WAL, foreign keys, busy timeout, durable commits, explicit transactions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from . import changelog

BUSY_TIMEOUT_MS = 10_000


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def make_engine(db_path: Path, **kwargs: Any) -> Engine:
    # Sessions run on the UI's worker threads; each connection is used by one thread at a time (pool).
    # hide_parameters: an error's text (a log line, a message on screen) never carries the values of a row,
    # such as an inquirer's personal details.
    engine = create_engine(f"sqlite:///{db_path}", connect_args={"check_same_thread": False},
                           json_serializer=_compact_json, hide_parameters=True, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy own BEGIN/COMMIT (the pysqlite driver's own handling breaks savepoints).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")  # a commit survives power loss, not just a crash
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.execute("PRAGMA cache_size = -8000")  # 8 MB per connection; the UI holds up to five
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    changelog.install(factory)
    return factory
