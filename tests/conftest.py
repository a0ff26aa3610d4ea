"""Shared fixtures: a real temporary store made by the real open function, and a movable clock."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from saypro_desktop.core.passwords import TEST_COST_ENV
from saypro_desktop.core.validation import InquiryDraft
from saypro_desktop.services.context import ServiceContext, bind
from saypro_desktop.services.staff import ensure_first_admin
from saypro_desktop.store import DataPaths, Store, open_store

# Passwords are hashed at scrypt N=2**10 in tests (production: 2**17, a quarter of a second and 128 MiB
# each), since the suite creates users and signs in very often. Set at import, so that session fixtures and
# subprocesses get it too. tests/core/test_passwords.py checks the production default without it.
os.environ.setdefault(TEST_COST_ENV, str(2**10))


@dataclass
class FakeClock:
    t: datetime

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **kw: float) -> datetime:
        self.t += timedelta(**kw)
        return self.t


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No test may touch the user's real data folder, nor the server's (its token secret lives there).
    monkeypatch.setenv("SAYPRO_DATA_DIR", str(tmp_path / "default-data"))
    # Device keys live outside the data folder (the user's settings folder): never the real one in a test.
    monkeypatch.setenv("SAYPRO_KEY_DIR", str(tmp_path / "device-keys"))
    monkeypatch.setenv("SAYPRO_SERVER_DATA", str(tmp_path / "server-data"))
    monkeypatch.delenv("SAYPRO_SERVER_SECRET", raising=False)


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture
def store(paths: DataPaths) -> Iterator[Store]:
    s = open_store(paths)
    yield s
    s.close()


@pytest.fixture
def clock() -> FakeClock:
    # Tuesday 14 January 2025, 10:00 in Johannesburg.
    return FakeClock(datetime(2025, 1, 14, 8, 0, tzinfo=UTC))


@pytest.fixture
def ctx(store: Store, clock: FakeClock) -> Iterator[ServiceContext]:
    """An open unit of work as the first Admin; committed when the test ends."""
    with store.session() as session:
        yield bind(session, ensure_first_admin(session), clock, store.paths.attachments)


def draft(**overrides: object) -> InquiryDraft:
    values: dict[str, object] = dict(
        subject="Ad still pending approval", category="Ad Moderation/Approval", mode="Email",
        user_type="Advertiser", user_full_name="Thandiwe Nkosi", user_email="thandiwe@example.org",
        description="Submitted a Jobs ad two days ago; still pending.",
    )
    values.update(overrides)
    return InquiryDraft(**values)  # type: ignore[arg-type]


@pytest.fixture
def saypro(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """The ``saypro`` command line in-process on a data folder of the test's own: (exit code, stdout, stderr)."""
    from saypro_desktop.cli.main import main

    data = tmp_path / "cli-data"

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--data-dir", str(data)])
        out, err = capsys.readouterr()
        return code, out, err

    return run
