"""A throw-away sync server for the benchmarks: its own database (PostgreSQL on 127.0.0.1, or an SQLite file)
and ``saypro-server serve`` in a child process on a free loopback port.

    with BenchServer("postgresql", workdir) as server:
        server.create_user("bench.admin", "Admin")
        ... server.url ...

The PostgreSQL database is created on ``SAYPRO_BENCH_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/
postgres``) under a name with this process's id, and dropped when the server stops (also leftovers of killed
runs whose process is gone).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

PG_ADMIN_URL = os.environ.get("SAYPRO_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PREFIX = "saypro_bench"
PASSWORD = "bench-horse-battery-1"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_admin() -> Any:
    import psycopg

    u = make_url(PG_ADMIN_URL)
    return psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                           dbname=u.database or "postgres", autocommit=True, connect_timeout=5)


def _pg_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg", database=name) \
        .render_as_string(hide_password=False)


def drop_stale_databases() -> None:
    with _pg_admin() as admin:
        for (name,) in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                     (f"{PREFIX}_%",)).fetchall():
            try:
                pid = int(name.split("_")[2])
            except (IndexError, ValueError):
                continue
            if pid != os.getpid() and not Path(f"/proc/{pid}").exists():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class BenchServer:
    _count = 0

    def __init__(self, backend: str, workdir: Path, *, workers: int = 1, label: str = "") -> None:
        if backend not in ("postgresql", "sqlite"):
            raise ValueError("backend is postgresql or sqlite")
        BenchServer._count += 1
        self.backend, self.workdir, self.workers = backend, Path(workdir), workers
        self.name = f"{PREFIX}_{os.getpid()}_{BenchServer._count}{('_' + label) if label else ''}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_url = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.workdir / f"{self.name}.log"
        self._db: Any = None

    # database ---------------------------------------------------------------------------------------------
    def _create_database(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.backend == "sqlite":
            path = self.workdir / f"{self.name}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            self.db_url = f"sqlite:///{path}"
        else:
            drop_stale_databases()
            with _pg_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.db_url = _pg_url(self.name)
        from saypro_server.store.db import Database
        from saypro_server.store.migrate import init_db

        db = Database(self.db_url)
        init_db(db)
        db.dispose()

    def _drop_database(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None
        if self.backend == "postgresql" and self.db_url:
            with _pg_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        elif self.db_url:
            path = Path(self.db_url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        self.db_url = ""

    @property
    def db(self) -> Any:
        if self._db is None:
            from saypro_server.store.db import Database

            self._db = Database(self.db_url)
        return self._db

    def database_size_mb(self) -> float | None:
        if self.backend == "postgresql":
            with _pg_admin() as admin:
                size = admin.execute("SELECT pg_database_size(%s)", (self.name,)).fetchone()[0]
            return round(size / 1e6, 1)
        path = Path(self.db_url.removeprefix("sqlite:///"))
        return round(sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())
                     / 1e6, 1)

    def create_user(self, username: str, role: str, password: str = PASSWORD) -> str:
        from saypro_desktop.core.permissions import Role
        from saypro_desktop.models.base import utcnow
        from saypro_server.accounts import create_user

        return create_user(self.db, username, Role.parse(role), password, utcnow())

    # process ----------------------------------------------------------------------------------------------
    def start(self) -> BenchServer:
        self._create_database()
        # Its own data folder: the token secret is made there, never in the account's real one.
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "SAYPRO_SERVER_DATA": str(self.workdir / "server-data")}
        cmd = [str(VENV_BIN / "saypro-server"), "--database-url", self.db_url, "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--workers", str(self.workers)]
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"saypro-server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/api/v1/version", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"saypro-server did not answer on {self.url}; see {self.log_path}")
            time.sleep(0.1)

    def stop(self, drop: bool = True) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)  # uvicorn's graceful stop; the group holds its workers
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
        if drop:
            self._drop_database()

    def __enter__(self) -> BenchServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
