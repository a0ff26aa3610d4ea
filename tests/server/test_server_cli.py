"""The saypro-server command and the schema: migrations, users, devices, epochs, serving."""

from __future__ import annotations

import io
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from saypro_desktop.models.base import utcnow
from saypro_server.cli import main
from saypro_server.store.db import Database, get_meta
from saypro_server.store.migrate import VERSION_TABLE, SchemaError, check_schema
from saypro_server.store.schema import SYNCED, credential, metadata


def _run(capsys, *args, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_migrations_build_exactly_the_models_schema(server_db_url):
    db = Database(server_db_url)
    with db.read() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE, "compare_type": True})
        diff = compare_metadata(ctx, metadata)
    db.dispose()
    assert diff == [], "a synced model or server table changed without a server migration"


def test_the_server_has_the_desktops_synced_tables_and_none_of_its_local_ones():
    assert set(SYNCED) == {"staff_user", "inquiry", "action_step", "attachment", "inquiry_link", "audit_entry",
                           "moderation_policy", "ad", "ad_decision", "ad_report", "sanction", "appeal",
                           "moderation_audit", "kb_article", "kb_vote", "kb_suggestion", "inquiry_article",
                           "canned_reply", "feedback"}
    assert not {"change_log", "device_state", "id_block", "setting", "local_credential",
                "ad_score"} & set(metadata.tables)


def test_init_db_creates_then_reports_up_to_date(tmp_path, capsys):
    from saypro_server.store.migrate import head_revision

    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    code, out, _ = _run(capsys, "--database-url", url, "init-db")
    assert code == 0 and f"schema {head_revision()} (was empty)" in out
    code, out, _ = _run(capsys, "--database-url", url, "init-db")
    assert code == 0 and "up to date" in out


def test_the_default_database_is_a_file_in_the_server_data_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SAYPRO_DATABASE_URL", raising=False)
    monkeypatch.setenv("SAYPRO_SERVER_DATA", str(tmp_path / "srv"))
    assert _run(capsys, "init-db")[0] == 0
    assert (tmp_path / "srv" / "saypro-server.sqlite3").exists()


def test_a_newer_schema_or_a_desktop_database_is_refused_untouched(tmp_path, capsys, sqlite_server_db_url):
    db = Database(sqlite_server_db_url)
    with db.write(feed_lock=False) as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '0099'"))
    db.dispose()
    code, _, err = _run(capsys, "--database-url", sqlite_server_db_url, "init-db")
    assert code == 1 and "newer SayPro server (schema 0099)" in err

    db = Database(sqlite_server_db_url)
    with pytest.raises(SchemaError, match="newer"):
        check_schema(db)  # what the app checks at start-up
    db.dispose()

    desktop = tmp_path / "desk.sqlite3"
    with sqlite3.connect(desktop) as conn:
        conn.execute("CREATE TABLE change_log (seq INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE device_state (id INTEGER PRIMARY KEY)")
    code, _, err = _run(capsys, "--database-url", f"sqlite:///{desktop}", "init-db")
    assert code == 1 and "desktop database" in err
    with sqlite3.connect(desktop) as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master")} == {"change_log", "device_state"}


def test_create_user_checks_its_input(capsys, monkeypatch, sqlite_server_db_url):
    url = ("--database-url", sqlite_server_db_url)
    code, _, err = _run(capsys, *url, "create-user", "anna", "--role", "Boss", "--password-stdin", stdin="pw-123456\n",
                        monkeypatch=monkeypatch)
    assert code == 1 and "choose one of: Admin, Supervisor" in err
    code, _, err = _run(capsys, *url, "create-user", "anna", "--role", "admin", "--password-stdin", stdin="short\n",
                        monkeypatch=monkeypatch)
    assert code == 1 and "at least 8 characters" in err
    code, out, _ = _run(capsys, *url, "create-user", "anna", "--role", "admin", "--display-name", "Anna K",
                        "--password-stdin", stdin="correct-horse-1\n", monkeypatch=monkeypatch)
    assert code == 0 and "created anna (Admin)" in out
    code, _, err = _run(capsys, *url, "create-user", "Anna", "--role", "Viewer", "--password-stdin",
                        stdin="correct-horse-1\n", monkeypatch=monkeypatch)
    assert code == 1 and "already exists" in err
    code, _, err = _run(capsys, *url, "set-password", "nobody", "--password-stdin", stdin="correct-horse-2\n",
                        monkeypatch=monkeypatch)
    assert code == 1 and "no staff user named 'nobody'" in err
    assert _run(capsys, *url, "set-password", "anna", "--password-stdin", stdin="correct-horse-2\n",
                monkeypatch=monkeypatch)[0] == 0
    db = Database(sqlite_server_db_url)
    with db.read() as conn:
        user = conn.execute(select(SYNCED["staff_user"])).mappings().one()
        assert (user["display_name"], user["role"].value) == ("Anna K", "Admin")
        assert conn.execute(select(credential.c.password_hash)).scalar_one().startswith("scrypt$")
    db.dispose()


def test_devices_are_listed_and_revoked_and_the_epoch_rotates(live_server, capsys):
    from tests.desk_client import Desk

    live_server.create_user("anna")
    d = Desk(live_server, "anna")
    d.push(d.insert_inquiry()[1])
    url = ("--database-url", live_server.db_url)
    code, out, _ = _run(capsys, *url, "list-devices")
    assert code == 0 and d.device_id in out and "anna" in out and "active" in out
    code, _, err = _run(capsys, *url, "revoke-device", "no-such-device")
    assert code == 1 and "no device" in err
    with live_server.db.read() as conn:
        epoch = get_meta(conn, "epoch")
    code, _, err = _run(capsys, *url, "rotate-epoch", "--number-gap", "-5")
    assert code == 1 and "--number-gap must be 0 to" in err
    with live_server.db.read() as conn:
        assert get_meta(conn, "epoch") == epoch, "a refused rotation changes nothing"
    code, out, _ = _run(capsys, *url, "rotate-epoch", "--number-gap", "300")
    assert code == 0 and "new epoch" in out and "300 higher" in out
    with live_server.db.read() as conn:
        assert get_meta(conn, "epoch") != epoch
    # The pushed inquiry used number 1; the next 300 are skipped.
    assert d.post("/ids/lease", {"month": f"{utcnow():%y%m}", "count": 1}).json()["first"] == 302
    assert _run(capsys, *url, "revoke-device", d.device_id)[0] == 0
    assert "REVOKED" in _run(capsys, *url, "list-devices")[1]
    assert d.post("/sync/pull", {}).status_code == 401
    d.close()


def test_unusable_database_urls_get_one_clear_line(capsys):
    code, _, err = _run(capsys, "--database-url", "nonsense", "init-db")
    assert code == 1 and "not a database URL" in err
    code, _, err = _run(capsys, "--database-url", "postgresql://nobody@127.0.0.1:1/none", "init-db")
    assert code == 1 and "cannot use the database" in err and "Traceback" not in err


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_migrates_and_serves_with_several_workers(tmp_path):
    port = _free_port()
    env = {**os.environ, "SAYPRO_DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite3'}"}
    proc = subprocess.Popen([sys.executable, "-m", "saypro_server", "serve", "--port", str(port), "--workers", "2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/v1/version", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(proc.stdout.read() if proc.poll() is not None else "no answer") from None
                time.sleep(0.2)
        from saypro_server.store.migrate import head_revision

        assert r.json()["schema"] == head_revision()
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert "serving sqlite:///" in out and "2 worker(s)" in out
    # serve made the token secret in the data folder (SAYPRO_SERVER_DATA, set by tests/conftest.py).
    secret = Path(os.environ["SAYPRO_SERVER_DATA"]) / "token-secret"
    assert f"token secret: created {secret}" in out and secret.read_text().strip() not in out
