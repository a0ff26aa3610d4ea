"""Shared fixtures: a real temporary store made by the real open function, and a movable clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from saypro_desktop.core.validation import InquiryDraft
from saypro_desktop.services.context import ServiceContext, bind
from saypro_desktop.services.staff import ensure_first_admin
from saypro_desktop.store import DataPaths, Store, open_store


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
    # No test may touch the user's real data folder.
    monkeypatch.setenv("SAYPRO_DATA_DIR", str(tmp_path / "default-data"))


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
