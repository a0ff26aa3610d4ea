"""A desktop used on its own, with inquiries by its local users, connects to the real server later."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from saypro_desktop.models import AuditEntry, ChangeLogEntry, Inquiry, Setting, StaffUser
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.context import acting
from saypro_desktop.services.staff import create_staff_user, find_staff, sign_in
from saypro_desktop.store import DataPaths, open_store
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.sync.engine import ENROLLED, SyncEngine, enroll, make_client, pending_count
from saypro_desktop.sync.enrolment import EnrolmentRefused
from tests.conftest import draft
from tests.server_fixtures import DEFAULT_PASSWORD, LiveServer
from tests.sync.conftest import Desktop


def _standalone(tmp_path: Path, *agents: str):
    """A desktop used alone: the first local Admin created the agents, who logged and worked inquiries."""
    store = open_store(DataPaths(tmp_path / "standalone"))
    for k, name in enumerate(agents):  # each joins, then works: removed user rows leave holes in the outbox
        with acting(store) as ctx:  # the first local Admin
            create_staff_user(ctx, name, name.title(), "Support Agent", password=DEFAULT_PASSWORD)
        with acting(store, name) as ctx:
            inquiry = svc.create_inquiry(ctx, draft(subject=f"Logged offline by {name}"))
            svc.add_action_step(ctx, inquiry, f"{name} called the user back")
            svc.assign(ctx, inquiry, find_staff(ctx.session, agents[k - 1]))
    return store


def _snapshot(store):
    with store.session() as s:
        return (s.scalar(select(func.count()).select_from(Inquiry)), pending_count(store),
                sorted(s.scalars(select(StaffUser.username))), s.get(Setting, ENROLLED))


def _connect(store, server: LiveServer, username: str):
    client = make_client(store, server.url, MemoryTokenStore(), username)
    return client, enroll(store, client, username, DEFAULT_PASSWORD)


def _works(store, server: LiveServer, tmp_path: Path, client) -> Desktop:
    """Sync the enrolled desktop, and return a second, new desktop that pulled everything."""
    report = SyncEngine(store, client).run()
    assert report.rejected == [] and report.set_aside == [], report
    assert pending_count(store) == 0
    server.create_user("observer", "Supervisor")
    other = open_store(DataPaths(tmp_path / "other"))
    other_client = make_client(other, server.url, MemoryTokenStore(), "observer")
    enroll(other, other_client, "observer", DEFAULT_PASSWORD)
    SyncEngine(other, other_client).run()
    return Desktop("other", other, "observer", other_client)


def _who(store) -> dict[str, tuple[str, str, list[str]]]:
    with store.session() as s:
        return {i.subject: (i.received_by.username, i.assigned_to.username if i.assigned_to else "",
                            [step.author.username for step in i.action_steps])
                for i in s.scalars(select(Inquiry))}


def test_an_agent_cannot_connect_a_desktop_holding_colleagues_work_and_nothing_changes(live_server, tmp_path):
    """The server records the signed-in user as the author of what an agent sends: thabo's queued work would
    arrive as lerato's. A Supervisor or an Admin connects such a desktop instead."""
    live_server.create_user("lerato", "Support Agent")
    live_server.create_user("thabo", "Support Agent")
    store = _standalone(tmp_path, "lerato", "thabo")
    before = _snapshot(store)
    client = make_client(store, live_server.url, MemoryTokenStore(), "lerato")
    with pytest.raises(EnrolmentRefused, match=r"work by thabo.*Supervisor or an Admin"):
        enroll(store, client, "lerato", DEFAULT_PASSWORD)
    assert _snapshot(store) == before, "still local, with every user, inquiry and queued change"
    client.close()
    store.close()


def test_local_users_become_the_servers_users_of_the_same_name(live_server, tmp_path):
    live_server.create_user("lerato", "Support Agent", display_name="Lerato Mokoena")
    live_server.create_user("thabo", "Support Agent")
    live_server.create_user("nandi", "Supervisor")
    store = _standalone(tmp_path, "lerato", "thabo")
    before = _who(store)
    with store.session() as s:
        refs = {i.subject: i.inquiry_ref for i in s.scalars(select(Inquiry))}
    client, user = _connect(store, live_server, "nandi")  # a Supervisor: each person's work keeps their name
    assert user["username"] == "nandi" and "2 local user(s) matched" in user["local_users"]
    with store.session() as s:
        server_ids = {u.username: u.id for u in s.scalars(select(StaffUser))}
        assert server_ids["nandi"] == user["id"]
        assert "admin" not in server_ids, "the untouched local Admin is gone"
        assert s.get(StaffUser, server_ids["lerato"]).display_name == "Lerato Mokoena", "the local row is the server's"
        # History still says who did what, now with the server's users.
        actors = set(s.scalars(select(AuditEntry.actor_id).where(AuditEntry.entity == "inquiry")))
        assert actors == {server_ids["lerato"], server_ids["thabo"]}
    assert _who(store) == before
    other = _works(store, live_server, tmp_path, client)
    assert _who(other.store) == before
    with other.store.session() as s:  # the IDs people were told stay as they were
        assert {i.subject: i.inquiry_ref for i in s.scalars(select(Inquiry))} == refs
    with acting(store) as ctx:  # the command line's default user is the enrolled one, not some Admin
        assert ctx.actor.username == "nandi"
    # Offline sign-in on this desktop takes the server's user name and password.
    with store.session() as s:
        assert sign_in(s, "nandi", DEFAULT_PASSWORD).id == user["id"]
    other.client.close()
    other.store.close()
    client.close()
    store.close()


def test_a_non_admin_cannot_bring_users_the_server_lacks_and_nothing_changes(live_server, tmp_path):
    live_server.create_user("lerato", "Support Agent")
    store = _standalone(tmp_path, "lerato", "sipho")  # the server has no sipho
    before = _snapshot(store)
    client = make_client(store, live_server.url, MemoryTokenStore(), "lerato")
    with pytest.raises(EnrolmentRefused, match=r"sipho.*create-user.*connect as an Admin"):
        enroll(store, client, "lerato", DEFAULT_PASSWORD)
    assert _snapshot(store) == before, "still local, with every user, inquiry and queued change"
    # An Admin connects instead: sipho is created on the server, lerato is matched.
    live_server.create_user("boss", "Admin")
    client.close()
    client, user = _connect(store, live_server, "boss")
    assert "new on the server: sipho" in user["local_users"]
    before_who = _who(store)
    other = _works(store, live_server, tmp_path, client)
    assert _who(other.store) == before_who
    with other.store.session() as s:
        assert find_staff(s, "sipho") is not None
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(ChangeLogEntry).where(ChangeLogEntry.state == "rejected")) == 0
    other.client.close()
    other.store.close()
    client.close()
    store.close()
