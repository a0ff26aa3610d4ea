"""Opening, migrating, backing up and refusing databases, on real SQLite files."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from saypro_desktop.models import Inquiry
from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import create_inquiry
from saypro_desktop.store import DatabaseDamaged, DatabaseTooNew, MigrationFailed, open_store
from saypro_desktop.store import database as dbmod
from saypro_desktop.store.backup import list_backups, make_backup
from tests.conftest import draft


def _count(paths) -> int:
    con = sqlite3.connect(paths.database)
    try:
        return con.execute("SELECT count(*) FROM inquiry").fetchone()[0]
    finally:
        con.close()


def test_new_store_has_wal_foreign_keys_and_durable_commits(store):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    assert dbmod.current_revision(store.engine) == dbmod.head_revision()


def test_a_database_from_a_newer_version_is_refused_untouched(paths):
    open_store(paths).close()
    con = sqlite3.connect(paths.database)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    before = paths.database.read_bytes()
    with pytest.raises(DatabaseTooNew, match="newer version of SayPro Desk"):
        open_store(paths)
    assert paths.database.read_bytes() == before
    assert list_backups(paths) == []


def test_a_damaged_file_gets_a_clear_message(paths):
    paths.ensure()
    paths.database.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseDamaged, match=r"could not be opened|damaged"):
        open_store(paths)


def _migrations_with(tmp_path: Path, body: str) -> Path:
    """A copy of the shipped migrations plus one more revision, as a newer app version would have."""
    target = tmp_path / "migrations"
    shutil.copytree(dbmod.MIGRATIONS, target, ignore=shutil.ignore_patterns("__pycache__"))
    (target / "versions" / "0999_test.py").write_text(
        f'revision = "0999"\ndown_revision = "{dbmod.head_revision()}"\nbranch_labels = None\n'
        f"depends_on = None\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n{body}\n\n\n"
        "def downgrade():\n    pass\n")
    return target


def _store_with_one_inquiry(paths, clock):
    store = open_store(paths)
    with acting(store, clock=clock) as ctx:
        create_inquiry(ctx, draft())
    store.close()


def test_migration_backs_up_first_and_keeps_the_data(paths, tmp_path, monkeypatch, clock):
    _store_with_one_inquiry(paths, clock)
    shipped_head = dbmod.head_revision()
    monkeypatch.setattr(dbmod, "MIGRATIONS", _migrations_with(tmp_path, (
        "    with op.batch_alter_table('inquiry') as b:\n"
        "        b.add_column(sa.Column('channel_detail', sa.String(40), nullable=True))")))
    store = open_store(paths)
    try:
        assert dbmod.current_revision(store.engine) == "0999"
        with store.engine.connect() as conn:
            cols = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(inquiry)")]
        assert "channel_detail" in cols
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(Inquiry)) == 1
    finally:
        store.close()
    backups = list_backups(paths)
    assert len(backups) == 1 and "before-0999" in backups[0].name
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == shipped_head
    con.close()


def test_a_failed_migration_leaves_the_old_database_and_says_so(paths, tmp_path, monkeypatch, clock):
    _store_with_one_inquiry(paths, clock)
    monkeypatch.setattr(dbmod, "MIGRATIONS", _migrations_with(tmp_path, (
        "    op.execute('DELETE FROM action_step')\n"
        "    op.execute('UPDATE inquiry SET subject = NULL')")))  # violates NOT NULL midway
    with pytest.raises(MigrationFailed, match="Your data is as it was before"):
        open_store(paths)
    monkeypatch.undo()
    store = open_store(paths)
    try:
        assert dbmod.current_revision(store.engine) == dbmod.head_revision()
        with store.session() as s:
            assert s.scalar(select(Inquiry.subject)) == "Ad still pending approval"
    finally:
        store.close()


def test_backups_are_pruned_to_the_newest_few(store):
    made = [make_backup(store.paths, f"n{i}", keep=3) for i in range(5)]
    assert list_backups(store.paths) == made[-3:]
    assert _count(store.paths) == 0


def test_the_migrations_build_exactly_the_models(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from saypro_desktop.models import Base

    with store.engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_object": lambda obj, name, type_, *a: not (
                (type_ == "table" and name.startswith(("inquiry_fts", "kb_fts")))
                # Alembic cannot compare expression indexes (COLLATE NOCASE) on SQLite; checked below.
                or (type_ == "index" and name == "ix_inquiry_list"))})
        assert compare_metadata(mc, Base.metadata) == []
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'ix_inquiry_list'").scalar_one()
        assert "subject COLLATE NOCASE" in sql and "user_full_name COLLATE NOCASE" in sql


def test_a_database_error_never_carries_the_values_of_the_row(store):
    """An error's text reaches logs and screens: it must not show an inquirer's details."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError) as caught, store.engine.begin() as conn:
        conn.execute(text("INSERT INTO inquiry (id, user_full_name) VALUES (:id, :name)"),
                     {"id": "x", "name": "Thandiwe Nkosi"})
    assert "Thandiwe" not in str(caught.value) and "hidden" in str(caught.value)
