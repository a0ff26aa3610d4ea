"""Real damaged SQLite files: the quick check at open, `db check` in words, and no traceback anywhere."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from saypro_desktop.cli.main import main
from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import create_inquiry
from saypro_desktop.store import DataPaths, health, open_store
from tests.conftest import draft


@pytest.fixture
def cli(tmp_path, capsys):
    data = tmp_path / "cli-data"

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--data-dir", str(data)])
        out, err = capsys.readouterr()
        return code, out, err

    run.paths = DataPaths(data)  # type: ignore[attr-defined]
    return run


@pytest.fixture(autouse=True)
def _fresh_process_cache(monkeypatch):
    monkeypatch.setattr(health, "_checked", {})
    from saypro_desktop.cli import common

    monkeypatch.setattr(common, "_warned", set())


def _store_with_inquiries(paths: DataPaths, clock, n: int = 40) -> None:
    store = open_store(paths)
    with acting(store, clock=clock) as ctx:
        for i in range(n):
            create_inquiry(ctx, draft(subject=f"Ad still pending approval {i}"))
    store.close()


def _corrupt_index_page(db: Path, index: str = "ix_inquiry_list") -> None:
    """Overwrite the first bytes of an index's root page, as a failing disk would."""
    con = sqlite3.connect(db)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
    con.close()
    with db.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * 200)


def _index_out_of_step(db: Path) -> None:
    """An index whose entries no longer match its table (its definition edited with writable_schema, as a
    tool that "repairs" a file by hand would): integrity_check finds one problem per row."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA writable_schema = ON")
    con.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX ix_inquiry_logged_date ON inquiry (subject)' "
                "WHERE name = 'ix_inquiry_logged_date'")
    con.close()


def test_a_damaged_index_page_is_found_at_open_and_reported_in_words(cli, clock):
    _store_with_inquiries(cli.paths, clock)
    _corrupt_index_page(cli.paths.database)
    code, out, err = cli("inquiry", "list")
    assert "WARNING: the database" in err and "is damaged" in err and "saypro db check" in err
    assert "page " in err and "Traceback" not in err
    code, out, err = cli("db", "check")
    assert code == 1 and "Traceback" not in out + err
    assert "problem(s) found" in out and "of the file is damaged" in out and "SQLite: " in out
    assert "What to do" in out


def test_an_index_out_of_step_makes_db_check_say_so_and_exit_non_zero(cli, clock):
    _store_with_inquiries(cli.paths, clock, n=3)
    _index_out_of_step(cli.paths.database)
    open_store(cli.paths).close()  # quick_check does not compare indexes with tables: open is quiet
    code, _, _ = cli("db", "backup")
    assert code == 0
    code, out, err = cli("db", "check")
    assert code == 1 and "MultipleResultsFound" not in err and "Traceback" not in err
    assert "index ix_inquiry_logged_date has no entry for row" in out  # one line per row: several findings
    assert out.count("ix_inquiry_logged_date") >= 3
    assert "'saypro db restore' puts back the newest backup, saypro-" in out


def test_a_sound_store_says_ok(cli, clock):
    _store_with_inquiries(cli.paths, clock, n=1)
    code, out, _ = cli("db", "check")
    assert code == 0 and "integrity ok, foreign keys ok, search index ok" in out


def test_the_check_at_open_runs_only_when_the_file_changed_outside_the_app(paths, clock, monkeypatch):
    _store_with_inquiries(paths, clock, n=3)
    calls = []
    real = health.integrity_findings
    monkeypatch.setattr(health, "integrity_findings", lambda e, quick: calls.append(quick) or real(e, quick=quick))
    monkeypatch.setattr(health, "_checked", {})
    open_store(paths).close()
    assert calls == []  # closed cleanly last time, unchanged since: no page is read
    con = sqlite3.connect(paths.database)  # another tool writes the file
    con.execute("UPDATE inquiry SET subject = subject || '.'")
    con.commit()
    con.close()
    store = open_store(paths)
    assert calls == [True] and store.problems == []
    store.close()
    open_store(paths).close()
    assert calls == [True]


def test_a_full_disk_on_the_command_line_is_one_clear_line(cli, clock, tmp_path):
    import csv

    from saypro_desktop.services.csv_io import COLUMNS

    _store_with_inquiries(cli.paths, clock, n=1)
    source = tmp_path / "in.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for n in range(200):
            w.writerow({"Subject": f"Renew ad {n}", "Category": "Other", "Other Category": "x",
                        "Mode of Inquiry": "Email", "User Type": "Partner", "Full Name": "Kagiso Molefe",
                        "Description": "text " * 300, "Logged At": "2025-01-10T09:00:00+02:00"})

    def full(dbapi_conn, _record):
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 3}")

    event.listen(Pool, "connect", full)
    try:
        code, out, err = cli("import", "inquiries", str(source))
    finally:
        event.remove(Pool, "connect", full)
    assert code == 1 and "Traceback" not in err
    assert "the disk is full" in err and "'saypro import' stopped and nothing of it was stored" in err
    code, out, _ = cli("inquiry", "list")
    assert "(1 of 1 shown)" in out


def test_a_full_disk_writing_a_file_is_one_clear_line(cli, clock, monkeypatch):
    from saypro_desktop.services import csv_io

    _store_with_inquiries(cli.paths, clock, n=1)

    def full(*_a, **_k):
        raise OSError(28, "No space left on device", "out.csv")

    monkeypatch.setattr(csv_io, "export_inquiries", full)
    code, _, err = cli("export", "inquiries", "out.csv")
    assert code == 1 and "the disk is full writing out.csv" in err and "Traceback" not in err
