"""Opening the local store: quick check, refuse newer schemas, back up, migrate, verify.

The order follows Vorta and Picard: nothing touches the user's data before a backup exists, and a
failed migration puts the backup back so the user keeps the database they had.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from ..core.uuids import new_id
from ..models import DeviceState
from .backup import make_backup, restore_backup
from .engine import make_engine, make_session_factory
from .failures import is_damaged
from .health import check_at_open, in_words, integrity_findings, record_sound
from .paths import DataPaths
from .private_files import private_database

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(Exception):
    """A problem opening the store, with a message for the person in front of the screen."""


class DatabaseTooNew(StoreError):
    pass


class DatabaseDamaged(StoreError):
    pass


class MigrationFailed(StoreError):
    pass


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass
class Store:
    paths: DataPaths
    engine: Engine
    sessions: sessionmaker[Session]
    # What SQLite's quick check found at open, in words ([] when sound or unchanged since last seen sound).
    problems: list[str] = field(default_factory=list)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        # Lets SQLite refresh the planner's statistics where they went stale (cheap; SQLite's advice).
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA optimize")
        except Exception:  # closing must not fail over a statistics refresh
            log.debug("PRAGMA optimize failed", exc_info=True)
        self.engine.dispose()
        if not self.problems:  # sound at open, written only by SQLite since: the next open need not check again
            record_sound(self.paths.database)


def _quick_check(engine: Engine) -> str:
    """'ok', or every finding of the quick check in words (a damaged file has several rows, not one)."""
    findings = integrity_findings(engine, quick=True)
    return "; ".join(in_words(f) for f in findings) if findings else "ok"


def _light_check(engine: Engine) -> str:
    """Opening check at every start: the file is a database and its schema reads. A full quick_check reads
    every page (a second per GB), so it runs at open only when the file changed outside the app (health.py),
    before migrations and in 'saypro db check'."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
        conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
    return "ok"


def _integrity_problems(engine: Engine) -> list[str]:
    problems = [in_words(f) for f in integrity_findings(engine, quick=False)]
    with engine.connect() as conn:
        fks = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        problems += [f"row {r[1]} of {r[0]} refers to a missing {r[2]}" for r in fks[:5]]
    return problems


def _upgrade(engine: Engine, target: str) -> None:
    cfg = alembic_config()
    with engine.connect() as conn:
        # Batch migrations copy tables; foreign keys are checked once afterwards instead of midway.
        # The pragma is a no-op inside a transaction, so it goes straight to the driver before BEGIN.
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def migrate(paths: DataPaths, engine: Engine, target: str = "head") -> Path | None:
    """Bring the schema to ``target``; returns the backup made first (None for a new database)."""
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    if current is not None:
        try:
            script.get_revision(current)
        except Exception as exc:
            raise DatabaseTooNew(
                f"The database in {paths.root} was made by a newer version of SayPro Desk (schema {current}). "
                "Install the newer version, or open a different data folder. Nothing was changed.") from exc
    wanted = script.get_current_head() if target == "head" else target
    if current == wanted:
        return None
    with engine.connect() as conn:
        has_tables = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'table'").scalar_one()
    if has_tables:
        result = _quick_check(engine)
        if result != "ok":
            raise DatabaseDamaged(f"The database {paths.database} is damaged ({result}); it was not updated. "
                                  f"Restore a copy from {paths.backups} with 'saypro db restore'.")
    backup = make_backup(paths, f"before-{wanted}") if has_tables else None
    try:
        _upgrade(engine, target)
        problems = _integrity_problems(engine)
        if problems:
            raise MigrationFailed("; ".join(problems))
    except Exception as exc:
        engine.dispose()
        if backup is not None:
            restore_backup(paths, backup)
            where = f"Your data is as it was before (restored from {backup.name})."
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{paths.database}{suffix}").unlink(missing_ok=True)
            where = "No data was stored yet."
        log.exception("migration to %s failed", wanted)
        reason = str(exc).rstrip(".")
        raise MigrationFailed(f"Updating the database to schema {wanted} failed: {reason}. {where}") from exc
    log.info("database migrated from %s to %s", current, wanted)
    return backup


def open_store(paths: DataPaths, *, run_migrations: bool = True) -> Store:
    paths.ensure()
    existed = paths.database.exists() and paths.database.stat().st_size > 0
    private_database(paths.database)  # 0600 on POSIX, its -wal and -shm follow (private_files.py)
    engine = make_engine(paths.database)
    problems: list[str] = []
    try:
        if existed:
            result = _light_check(engine)
            if result != "ok":
                raise DatabaseDamaged(
                    f"The database {paths.database} is damaged ({result}). Restore a copy from "
                    f"{paths.backups} with 'saypro db restore', or move the file away to start afresh.")
            problems = check_at_open(paths.database, engine)
        if run_migrations:
            migrate(paths, engine)
        elif current_revision(engine) != head_revision():
            raise StoreError("The database needs updating; run 'saypro db migrate'.")
    except StoreError:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        raise DatabaseDamaged(f"The database {paths.database} could not be opened: {exc}") from exc
    store = Store(paths, engine, make_session_factory(engine), problems)
    try:
        _ensure_device(store)
    except Exception as exc:
        if not is_damaged(exc):
            raise
        engine.dispose()
        raise DatabaseDamaged(f"The database {paths.database} is damaged ({'; '.join(problems[:3]) or exc}). "
                              f"Restore a copy from {paths.backups} with 'saypro db restore'.") from exc
    return store


def _ensure_device(store: Store) -> None:
    with store.session() as s:
        if s.get(DeviceState, 1) is None:
            s.add(DeviceState(id=1, device_id=new_id(), device_tag=secrets.token_hex(2).upper(),
                              hlc_wall_ms=0, hlc_counter=0, provisional_counter=0, outbox_id=secrets.token_hex(16)))


def search_tables_ok(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'inquiry_fts'")).scalar_one() == 1
