"""An expired or deactivated user's sync stops at the server: push, pull and token refresh are refused
(issue 13). Expiry ends at midnight in the office's time zone, as on the desktop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from saypro_desktop.core.access import access_ends_at
from saypro_server.config import ServerSettings
from tests.conftest import FakeClock
from tests.desk_client import Desk


@pytest.fixture
def office(live_server_factory):
    """A server whose clock is 23:50 in Johannesburg today, an Admin's desk and an agent's desk."""
    today = datetime.now(UTC).astimezone(ZoneInfo("Africa/Johannesburg")).date()
    clock = FakeClock(access_ends_at(today) - timedelta(minutes=10))
    server = live_server_factory(settings=ServerSettings(clock=clock))
    server.create_user("boss", "Admin")
    agent_id = server.create_user("thandi", "Support Agent")
    admin, agent = Desk(server, "boss"), Desk(server, "thandi")
    yield clock, today, admin, agent, agent_id
    admin.close()
    agent.close()


def _refresh(desk):
    r = desk.http.post("/auth/refresh", json={"refresh_token": desk.refresh_token, "device_id": desk.device_id},
                       headers={"X-SayPro-Protocol": desk.headers["X-SayPro-Protocol"]})
    if r.status_code == 200:
        desk.token, desk.refresh_token = r.json()["access_token"], r.json()["refresh_token"]
    return r


def test_access_expiring_today_works_until_midnight_office_time_then_push_pull_and_refresh_are_refused(office):
    clock, today, admin, agent, agent_id = office
    # The Admin sets the expiry on a desktop; it reaches the server by sync.
    answer = admin.push(admin.mutation("staff_user", agent_id, {"access_expires_on": today.isoformat()}))
    assert answer["results"][0]["status"] == "applied", answer
    _, row = agent.insert_inquiry()
    assert agent.push(row)["results"][0]["status"] == "applied"  # 23:50: the last minutes of their access
    assert _refresh(agent).status_code == 200
    clock.advance(minutes=10)  # midnight in Johannesburg, 22:00 UTC: the UTC date is still "today"
    _, row = agent.insert_inquiry()
    refused = agent.post("/sync/push", agent.envelope([row]))
    assert refused.status_code == 401
    assert f"expired at the end of {today:%d/%m/%Y}" in refused.json()["detail"]
    assert agent.post("/sync/pull", {"cursor": None, "max_bytes": 65536}).status_code == 401
    again = _refresh(agent)
    assert again.status_code == 401 and "expired" in again.json()["detail"]
    assert admin.post("/sync/pull", {"cursor": None, "max_bytes": 65536}).status_code == 200


def test_a_user_deactivated_by_an_admins_sync_cannot_push_or_refresh(office):
    _, _, admin, agent, agent_id = office
    answer = admin.push(admin.mutation("staff_user", agent_id, {"active": False}))
    assert answer["results"][0]["status"] == "applied", answer
    _, row = agent.insert_inquiry()
    refused = agent.post("/sync/push", agent.envelope([row]))
    assert refused.status_code == 401 and "deactivated" in refused.json()["detail"]
    again = _refresh(agent)
    assert again.status_code == 401 and "deactivated" in again.json()["detail"]
    admin.push(admin.mutation("staff_user", agent_id, {"active": True}))
    assert agent.push(row)["results"][0]["status"] == "applied"  # the same access token works again


def test_only_an_admin_may_change_a_users_access_by_sync(office):
    _, _, _, agent, agent_id = office
    answer = agent.push(agent.mutation("staff_user", agent_id, {"access_expires_on": None, "role": "Admin"}))
    assert answer["results"][0]["status"] == "rejected"


def test_the_server_refuses_a_push_that_leaves_no_active_admin(office):
    _, _, admin, _, agent_id = office
    boss_id = admin.login["user"]["id"]
    for change in ({"active": False}, {"role": "Viewer"}, {"access_expires_on": "2001-01-01"}):
        answer = admin.push(admin.mutation("staff_user", boss_id, change))
        assert answer["results"][0]["status"] == "rejected", change
        assert "last active Admin" in answer["results"][0]["reason"]
    # With a second Admin (made so by sync), the first may step down.
    assert admin.push(admin.mutation("staff_user", agent_id, {"role": "Admin"}))["results"][0]["status"] == "applied"
    assert admin.push(admin.mutation("staff_user", boss_id, {"role": "Supervisor"}))["results"][0]["status"] == \
        "applied"
