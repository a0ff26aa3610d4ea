"""Fixtures for tests of the server, and of the desktop's sync client against the real server.

Use them from a conftest.py: ``from tests.server_fixtures import *  # noqa: F403``.

- ``server_db_url``: parametrized ``sqlite`` / ``postgresql``: the URL of a fresh, migrated server database
  for one test (an SQLite file in tmp_path; a PostgreSQL database made from a migrated template on the
  local server and dropped afterwards). Each copy gets its own epoch.
- ``sqlite_server_db_url``: the same, SQLite only (not parametrized).
- ``live_server``: the real FastAPI app under uvicorn in a background thread on a free port of 127.0.0.1,
  on ``server_db_url`` (so parametrized too). ``.url``, ``.api`` (``.url + "/api/v1"``), ``.db_url``,
  ``.create_user(username, role, password)``, ``.stop()`` / ``.start()`` (same port, same database),
  ``.rotate_epoch()``, ``.revoke_device(id)``, ``.db`` (a ``saypro_server.store.db.Database`` to inspect).
- ``live_server_factory``: ``factory(db_url=None, settings=None) -> LiveServer`` (started; stopped at teardown).
- Token secrets (``.secret``): a ``LiveServer`` whose settings name no secret, and whose secret file does not
  exist (``SAYPRO_SERVER_DATA`` is a folder in tmp_path, see tests/conftest.py), gets its database's own,
  shared by every test server on that database as the servers of one deployment share theirs.

PostgreSQL is found at ``SAYPRO_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``); when it
cannot be reached the PostgreSQL variants are skipped, or fail when ``CI`` is set (CI must test both).
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from saypro_desktop.core.permissions import Role
from saypro_desktop.models.base import utcnow

PG_ADMIN_URL = os.environ.get("SAYPRO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
DEFAULT_PASSWORD = "correct-horse-1"
_PREFIX = "saypro_t"

__all__ = [
    "LiveServer", "_server_pg_template", "_server_sqlite_template", "live_server", "live_server_factory",
    "server_db_url", "sqlite_server_db_url",
]


def _pg_url(dbname: str) -> str:
    return make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg", database=dbname) \
        .render_as_string(hide_password=False)


def _pg_admin() -> Any:
    import psycopg

    u = make_url(PG_ADMIN_URL)
    return psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                           dbname=u.database or "postgres", autocommit=True, connect_timeout=5)


def _unreachable(reason: str) -> None:
    message = f"PostgreSQL at {make_url(PG_ADMIN_URL).render_as_string(hide_password=True)} is unavailable: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run the PostgreSQL tests; scripts/ensure_postgres.sh starts it)")
    pytest.skip(message)


def _drop_stale(conn: Any) -> None:
    """Databases left by test runs that were killed (their process is gone)."""
    rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{_PREFIX}%",)).fetchall()
    for (name,) in rows:
        try:
            pid = int(name.split("_")[2])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not Path(f"/proc/{pid}").exists():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _strip_identity(url: str) -> None:
    """A template has no epoch: every copy gets its own."""
    from saypro_server.store.db import Database
    from saypro_server.store.schema import server_meta

    db = Database(url)
    with db.write(feed_lock=False) as conn:
        conn.execute(delete(server_meta))
    db.dispose()


def _give_identity(url: str) -> None:
    from saypro_server.store.db import Database, ensure_meta

    db = Database(url)
    with db.write(feed_lock=False) as conn:
        ensure_meta(conn)
    db.dispose()


def _migrate(url: str) -> None:
    from saypro_server.store.db import Database
    from saypro_server.store.migrate import init_db

    db = Database(url)
    init_db(db)
    db.dispose()


@pytest.fixture(scope="session")
def _server_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("server-template") / "template.sqlite3"
    url = f"sqlite:///{path}"
    _migrate(url)
    _strip_identity(url)
    return path


@pytest.fixture(scope="session")
def _server_pg_template() -> Iterator[str]:
    try:
        admin = _pg_admin()
    except Exception as exc:
        _unreachable(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    name = f"{_PREFIX}_{os.getpid()}_template"
    with admin:
        _drop_stale(admin)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        _migrate(_pg_url(name))
        _strip_identity(_pg_url(name))
        yield name
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_counter = iter(range(1, 10**9))


def _fresh_url(request: pytest.FixtureRequest, tmp_path: Path, kind: str) -> Iterator[str]:
    if kind == "sqlite":
        template = request.getfixturevalue("_server_sqlite_template")
        path = tmp_path / f"server-{next(_counter)}.sqlite3"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        _give_identity(url)
        yield url
        return
    template = request.getfixturevalue("_server_pg_template")
    name = f"{_PREFIX}_{os.getpid()}_{next(_counter)}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = _pg_url(name)
    _give_identity(url)
    try:
        yield url
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def server_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from _fresh_url(request, tmp_path, request.param)


@pytest.fixture
def sqlite_server_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from _fresh_url(request, tmp_path, "sqlite")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_SECRETS: dict[str, str] = {}


def secret_for(db_url: str) -> str:
    """The token secret of the test servers on ``db_url`` (made at first use)."""
    return _SECRETS.setdefault(db_url, secrets.token_urlsafe(32))


def _with_secret(settings: Any, db_url: str) -> Any:
    from saypro_server.config import ServerSettings

    settings = settings if settings is not None else ServerSettings()
    if settings.secret or settings.secret_path.exists():  # as given, or made by a test's init-db
        return settings
    return dataclasses.replace(settings, secret=secret_for(db_url))


class LiveServer:
    """The real app under uvicorn in a thread. ``stop()`` then ``start()`` restarts it on the same port."""

    def __init__(self, db_url: str, settings: Any = None, port: int | None = None) -> None:
        self.db_url = db_url
        self.settings = _with_secret(settings, db_url)
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = f"{self.url}/api/v1"
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._db: Any = None

    def start(self) -> LiveServer:
        import uvicorn

        from saypro_server.app import create_app

        if self._thread is not None:
            raise RuntimeError("the server is already running")
        app = create_app(self.db_url, settings=self.settings)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False,
                                lifespan="on", timeout_graceful_shutdown=5)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=f"uvicorn-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._thread = None
                raise RuntimeError(f"the server did not start on port {self.port} (see the log above)")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(15)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(5)
        self._thread = None

    @property
    def secret(self) -> str:
        """The token secret the server signs with."""
        from saypro_server.secret import load_secret

        return load_secret(self.settings)

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def db(self) -> Any:
        if self._db is None:
            from saypro_server.store.db import Database

            self._db = Database(self.db_url)
        return self._db

    def create_user(self, username: str, role: Role | str = Role.SUPPORT_AGENT, password: str = DEFAULT_PASSWORD,
                    display_name: str | None = None) -> str:
        from saypro_server.accounts import create_user

        role = role if isinstance(role, Role) else Role.parse(role)
        return create_user(self.db, username, role, password, utcnow(), display_name=display_name)

    def rotate_epoch(self, number_gap: int | None = None) -> str:
        from saypro_server.accounts import rotate_epoch

        if number_gap is None:
            return rotate_epoch(self.db, utcnow())
        return rotate_epoch(self.db, utcnow(), number_gap)

    def revoke_device(self, device_id: str) -> None:
        from saypro_server.accounts import revoke_device

        revoke_device(self.db, device_id, utcnow())

    def close(self) -> None:
        self.stop()
        if self._db is not None:
            self._db.dispose()
            self._db = None


@pytest.fixture
def live_server_factory(server_db_url: str) -> Iterator[Callable[..., LiveServer]]:
    started: list[LiveServer] = []

    def factory(db_url: str | None = None, settings: Any = None) -> LiveServer:
        server = LiveServer(db_url or server_db_url, settings).start()
        started.append(server)
        return server

    yield factory
    for server in started:
        server.close()


@pytest.fixture
def live_server(live_server_factory: Callable[..., LiveServer]) -> LiveServer:
    return live_server_factory()
