"""Sync tests: a real server on loopback (SQLite and PostgreSQL) and desktop stores that enrol with it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from saypro_desktop.models import Inquiry
from saypro_desktop.services.context import ServiceContext, acting
from saypro_desktop.store import DataPaths, Store, open_store
from saypro_desktop.sync.client import SyncClient
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.sync.engine import SyncEngine, SyncReport, enroll, make_client
from tests.desk_client import desk  # noqa: F401  (a fixture: a desktop that sends any body)
from tests.server_fixtures import *  # noqa: F403
from tests.server_fixtures import DEFAULT_PASSWORD, LiveServer


@dataclass
class Desktop:
    name: str
    store: Store
    username: str
    client: SyncClient

    def sync(self) -> SyncReport:
        return SyncEngine(self.store, self.client).run()

    def work(self) -> Any:
        return acting(self.store, self.username)

    def inquiries(self) -> list[tuple[Any, ...]]:
        with self.store.session() as s:
            rows = s.scalars(select(Inquiry).order_by(Inquiry.id)).all()
            return [(i.id, i.inquiry_ref, i.provisional_ref, i.subject, i.description, i.status.value,
                     i.deleted) for i in rows]


@pytest.fixture
def desktops(live_server: LiveServer, tmp_path: Path) -> Iterator[Any]:
    made: list[Desktop] = []

    def make(name: str, username: str, role: str = "Support Agent") -> Desktop:
        live_server.create_user(username, role)
        store = open_store(DataPaths(tmp_path / name))
        client = make_client(store, live_server.url, MemoryTokenStore(), username)
        enroll(store, client, username, DEFAULT_PASSWORD)
        made_desk = Desktop(name, store, username, client)
        made_desk.sync()  # the office's staff arrive, numbers are leased
        made.append(made_desk)
        return made_desk

    yield make
    for d in made:
        d.client.close()
        d.store.close()


def edit(ctx: ServiceContext, ref: str) -> Inquiry:
    from saypro_desktop.services.inquiries import get_inquiry

    return get_inquiry(ctx, ref)
