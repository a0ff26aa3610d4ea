"""A Support Agent's worst requests can at most get their own changes refused (live server, SQLite).

One office for the module: a server, an agent who sends generated requests (every operation of
/openapi.json, then push batches full of generated mutations), and two real desktops of colleagues. After
the agent is done, the colleagues still log, edit and sync, and end up holding the same data; the agent's
own honest changes still go through.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from saypro_desktop.core.uuids import new_id  # noqa: E402
from saypro_desktop.services import inquiries as svc  # noqa: E402
from saypro_desktop.store import DataPaths, open_store  # noqa: E402
from saypro_desktop.sync.credentials import MemoryTokenStore  # noqa: E402
from saypro_desktop.sync.engine import enroll, make_client  # noqa: E402
from saypro_desktop.sync.protocol import columns  # noqa: E402
from saypro_server.store.schema import SYNCED, push_log  # noqa: E402
from tests.desk_client import Desk, inquiry_fields  # noqa: E402
from tests.server.test_server_schemathesis import _published_schema  # noqa: E402
from tests.server_fixtures import DEFAULT_PASSWORD, LiveServer, _give_identity  # noqa: E402
from tests.sync.conftest import Desktop  # noqa: E402
from tests.sync.helpers import assert_converged, draft  # noqa: E402


class Office:
    def __init__(self, server: LiveServer, agent: Desk, colleagues: list[Desktop]) -> None:
        self.server, self.agent, self.colleagues = server, agent, colleagues


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory, _server_sqlite_template: Path) -> Iterator[Office]:
    folder = tmp_path_factory.mktemp("agent-fuzz")
    db = folder / "server.sqlite3"
    shutil.copyfile(_server_sqlite_template, db)
    _give_identity(f"sqlite:///{db}")
    server = LiveServer(f"sqlite:///{db}").start()
    colleagues = []
    for name in ("anna", "ben"):
        server.create_user(name, "Support Agent")
        store = open_store(DataPaths(folder / name))
        client = make_client(store, server.url, MemoryTokenStore(), name)
        enroll(store, client, name, DEFAULT_PASSWORD)
        desk = Desktop(name, store, name, client)
        with desk.work() as ctx:
            svc.create_inquiry(ctx, draft(f"Logged by {name} before the attack"))
        desk.sync()
        colleagues.append(desk)
    for desk in colleagues:
        desk.sync()
    server.create_user("mallory", "Support Agent")
    agent = Desk(server, "mallory")
    yield Office(server, agent, colleagues)
    agent.close()
    for desk in colleagues:
        desk.client.close()
        desk.store.close()
    server.close()


schema = schemathesis.openapi.from_dict(_published_schema())


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_with_generated_bodies_as_a_support_agent(case: Any, office: Office) -> None:
    agent = office.agent
    response = case.call(base_url=office.server.url, headers=agent.headers, timeout=30)
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:300]}"
    if response.status_code == 204 and case.path.endswith("/auth/logout"):
        agent.token = agent.sign_in("mallory", DEFAULT_PASSWORD)["access_token"]


_scalars = (st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(max_size=40)
            | st.floats(allow_nan=False, allow_infinity=False))
_json = st.recursive(_scalars,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner,
                                                                                max_size=3), max_leaves=6)
_tables = [*sorted(SYNCED), "ticket", ""]


@st.composite
def _mutation(draw: Any) -> dict[str, Any]:
    table = draw(st.sampled_from(_tables))
    known = sorted(columns(table)) if table in SYNCED else []
    names = draw(st.lists(st.sampled_from([*known, "colour", "id", "field_versions"]), max_size=6, unique=True))
    fields = {n: draw(_json) for n in names}
    if table == "inquiry" and draw(st.booleans()):
        fields = {**inquiry_fields(), **fields}
    return {"table": table, "row_id": draw(st.sampled_from([new_id(), "not-a-uuid", "0" * 36])) if draw(
        st.booleans()) else new_id(), "op": draw(st.sampled_from(["insert", "update", "delete", "upsert"])),
            "fields": fields, "hlc": draw(st.sampled_from(["", "1900000000000-00000-000000000001", "yesterday",
                                                          "9999999999999-fffff-ffffffffffff"])) or None,
            **({"base": draw(st.dictionaries(st.text(max_size=8), _json, max_size=2))} if draw(st.booleans())
               else {})}


@given(batch=st.lists(_mutation(), min_size=1, max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_push_batches_of_generated_mutations_are_refused_mutation_by_mutation(batch: list[dict[str, Any]],
                                                                              office: Office) -> None:
    agent = office.agent
    mutations = []
    for m in batch:
        agent.seq += 1
        mutations.append({"seq": agent.seq, "mutation_id": new_id(), **m, "hlc": m["hlc"] or agent.tick()})
    r = agent.post("/sync/push", agent.envelope(mutations))
    assert r.status_code in (200, 409, 413, 422), r.text[:300]
    if r.status_code != 200:  # a batch the server will not take whole: the agent's own sequence is reset
        agent.seq -= len(batch)
        return
    assert [x["seq"] for x in r.json()["results"]] == [m["seq"] for m in mutations]


def test_the_colleagues_still_sync_and_the_agent_still_works(office: Office) -> None:
    anna, ben = office.colleagues
    for desk in (anna, ben):
        with desk.work() as ctx:
            inquiry = svc.create_inquiry(ctx, draft(f"Logged by {desk.name} after the attack"))
            svc.add_action_step(ctx, inquiry, "Called the user back")
        report = desk.sync()
        assert report.rejected == [] and report.set_aside == [], report
    for desk in (anna, ben):
        report = desk.sync()
        assert report.rejected == [] and report.set_aside == [], report
    assert_converged(anna, ben)
    subjects = {row[3] for row in ben.inquiries()}
    assert {"Logged by anna after the attack", "Logged by ben after the attack"} <= subjects
    agent = office.agent
    _, m = agent.insert_inquiry(subject="An honest inquiry")
    r = agent.post("/sync/push", agent.envelope([m]))
    if r.status_code == 409:  # its sequence after the generated batches: push from where the server says
        agent.seq = r.json()["expected_seq"] - 1
        _, m = agent.insert_inquiry(subject="An honest inquiry")
        r = agent.post("/sync/push", agent.envelope([m]))
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied", r.text
    with office.server.db.read() as conn:  # the generated mutations did reach the merge, and were judged there
        answers = Counter(conn.scalars(select(push_log.c.status).where(
            push_log.c.user_id == agent.login["user"]["id"])))
    assert answers["rejected"] >= 50 and answers["applied"] >= 1, answers
