"""A small HTTP client that speaks the sync protocol as one desktop (its own sequence, clock and keys), and
the ``desk`` fixture that signs such desktops in: for tests of the server, and of a modified desktop that
sends whatever it likes. Use the fixture from a conftest.py: ``from tests.desk_client import desk``."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from saypro_desktop.core.hlc import Stamp
from saypro_desktop.core.uuids import new_id
from saypro_desktop.sync.protocol import PROTOCOL_VERSION
from tests.server_fixtures import DEFAULT_PASSWORD, LiveServer

__all__ = ["Desk", "desk", "inquiry_fields", "stamp", "today"]


def stamp(device: str, wall_ms: int | None = None, counter: int = 0) -> str:
    wall = wall_ms if wall_ms is not None else int(datetime.now(UTC).timestamp() * 1000)
    return str(Stamp(wall, counter, device.replace("-", "")[-12:]))


def inquiry_fields(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    values: dict[str, Any] = {
        "logged_at": now.isoformat(), "logged_date": now.date().isoformat(), "mode": "Email",
        "user_full_name": "Thandiwe Nkosi", "user_email": "thandiwe@example.org", "user_phone": "+27 82 555 0101",
        "user_type": "Advertiser", "user_account_id": "ADV-1", "subject": "Ad still pending",
        "category": "Ad Moderation/Approval", "description": "Submitted a Jobs ad two days ago.", "priority": "Normal",
        "priority_overridden": False, "ack_due_at": (now + timedelta(hours=1)).isoformat(),
        "resolution_due_at": (now + timedelta(hours=48)).isoformat(), "resolved_on_first_contact": False,
        "status": "New", "escalated": False, "auto_escalated": False, "reopen_count": 0, "in_monthly_report": False,
        "in_quarterly_file": False, "quarter": f"Q{(now.month - 1) // 3 + 1}", "deleted": False,
    }
    values.update(overrides)
    return values


class Desk:
    """One desktop signed in as one user: builds mutations with its own sequence and clock."""

    def __init__(self, server: LiveServer, username: str, password: str = DEFAULT_PASSWORD,
                 device_id: str | None = None, device_key: str | None = None) -> None:
        self.server = server
        self.device_id = device_id or new_id()
        self.device_key = device_key or secrets.token_urlsafe(32)
        self.outbox_id = secrets.token_hex(16)
        self.oldest_held = 1  # what this desk would still hold: its pushes start from 1
        self.http = httpx.Client(base_url=server.api, timeout=30)
        self.seq = 0
        self.wall = int(datetime.now(UTC).timestamp() * 1000)
        self.counter = 0
        self.login = self.sign_in(username, password)
        self.token = self.login["access_token"]
        self.refresh_token = self.login["refresh_token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"X-SayPro-Protocol": str(PROTOCOL_VERSION), "X-SayPro-Schema": "0001", "X-SayPro-Build": "test",
                "X-SayPro-Device": self.device_id, "Authorization": f"Bearer {self.token}"}

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        r = self.http.post("/auth/login", json={"username": username, "password": password,
                                                "device_id": self.device_id, "device_name": "test desk",
                                                "device_key": self.device_key},
                           headers={"X-SayPro-Protocol": str(PROTOCOL_VERSION)})
        assert r.status_code == 200, r.text
        return r.json()

    def tick(self) -> str:
        self.counter += 1
        return str(Stamp(self.wall, self.counter, self.device_id.replace("-", "")[-12:]))

    def mutation(self, table: str, row_id: str, fields: dict[str, Any], op: str = "update",
                 hlc: str | None = None, **extra: Any) -> dict[str, Any]:
        self.seq += 1
        return {"seq": self.seq, "mutation_id": new_id(), "table": table, "row_id": row_id, "op": op,
                "hlc": hlc or self.tick(), "fields": fields, **extra}

    def insert_inquiry(self, **fields: Any) -> tuple[str, dict[str, Any]]:
        row_id = new_id()
        return row_id, self.mutation("inquiry", row_id, inquiry_fields(**fields), op="insert")

    def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return self.http.post(path, json=body, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def envelope(self, mutations: Any) -> dict[str, Any]:
        """A push body: the outbox this desk counts in, what it still holds, and the mutations."""
        return {"outbox_id": self.outbox_id, "oldest_held": self.oldest_held, "mutations": mutations}

    def push(self, *mutations: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        r = self.post("/sync/push", self.envelope(list(mutations)))
        assert r.status_code == expect, r.text
        return r.json()

    def pull_all(self, cursor: dict[str, Any] | None = None, max_bytes: int = 262144) -> list[dict[str, Any]]:
        changes: list[dict[str, Any]] = []
        while True:
            r = self.post("/sync/pull", {"cursor": cursor, "max_bytes": max_bytes})
            assert r.status_code == 200, r.text
            page = r.json()
            assert not page["reset"]
            changes += page["changes"]
            cursor = page["next"]
            if not page["more"]:
                self.cursor = cursor
                return changes

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def desk(live_server: LiveServer) -> Iterator[Callable[..., Desk]]:
    """``desk(username, role)``: create the user (once) and sign in a new desktop as them."""
    made: list[Desk] = []
    users: set[str] = set()

    def factory(username: str = "agent", role: str = "Support Agent", **kw: Any) -> Desk:
        if username not in users:
            live_server.create_user(username, role)
            users.add(username)
        d = Desk(live_server, username, **kw)
        made.append(d)
        return d

    yield factory
    for d in made:
        d.close()


def today() -> date:
    return datetime.now(UTC).date()
