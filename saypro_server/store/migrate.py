"""The server schema's Alembic migrations, run by code (``saypro-server init-db`` and at ``serve`` start).

Like the desktop, the server refuses a database made by a newer version instead of touching it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.types import TypeDecorator

from .db import MIGRATION_LOCK_KEY, Database, ensure_meta

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
VERSION_TABLE = "saypro_server_schema"


class SchemaError(Exception):
    """The database cannot be served as it is; the message says what to do."""


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def _refuse_foreign(conn: Connection, current: str | None) -> None:
    if current is not None:
        try:
            ScriptDirectory.from_config(alembic_config()).get_revision(current)
        except Exception as exc:
            raise SchemaError(
                f"The database was made by a newer SayPro server (schema {current}); this one knows schemas up to "
                f"{head_revision()}. Install the newer server. Nothing was changed.") from exc
        return
    tables = set(inspect(conn).get_table_names())
    if {"change_log", "device_state"} <= tables:
        raise SchemaError("This is a SayPro Desk desktop database, not a server database. Give the server a "
                          "database of its own. Nothing was changed.")
    if tables - {VERSION_TABLE}:
        raise SchemaError("The database already holds tables that are not the SayPro server's: "
                          f"{', '.join(sorted(tables)[:5])}. Give the server an empty database. Nothing was changed.")


def check_schema(db: Database) -> str:
    """The schema revision, when it is exactly the one this server serves; otherwise a SchemaError."""
    with db.read() as conn:
        current = current_revision(conn)
        _refuse_foreign(conn, current)
    if current != head_revision():
        raise SchemaError(f"The database schema is {current or 'empty'}, this server needs {head_revision()}: "
                          "run 'saypro-server init-db'.")
    return current


def init_db(db: Database) -> tuple[str | None, str]:
    """Create or upgrade the schema to the newest revision and give a new database its identity."""
    cfg = alembic_config()
    with db.write(feed_lock=False) as conn:
        if db.is_postgres:
            # Two servers starting together must not both run the migrations.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        before = current_revision(conn)
        _refuse_foreign(conn, before)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        ensure_meta(conn)
    after = head_revision()
    if before != after:
        log.info("server database migrated from %s to %s", before or "empty", after)
    return before, after


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Autogenerate writes the desktop's column types (UtcDateTime, Vocab) as their plain SQL types."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl if not isinstance(obj.impl, type) else obj.impl()
        return f"sa.{impl!r}"
    return False
