"""Generated requests for every operation of /openapi.json against the live server (SQLite): never a 5xx."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from tests.desk_client import Desk  # noqa: E402
from tests.server_fixtures import DEFAULT_PASSWORD, LiveServer  # noqa: E402


@pytest.fixture
def api_server(sqlite_server_db_url):
    server = LiveServer(sqlite_server_db_url).start()
    server.create_user("fuzz", "Admin")
    desk = Desk(server, "fuzz")
    server.desk = desk
    yield server
    desk.close()
    server.close()


def _published_schema() -> dict:
    """The schema the server publishes at /openapi.json (the app is built without touching a database,
    with a throw-away token secret; the test below checks that the live server publishes the same)."""
    from saypro_server.app import create_app
    from saypro_server.config import ServerSettings

    return create_app("sqlite://", settings=ServerSettings(secret="only-to-build-the-schema-" * 2)).openapi()


schema = schemathesis.openapi.from_dict(_published_schema())


def test_the_live_server_publishes_this_schema(api_server):
    import httpx

    assert httpx.get(f"{api_server.url}/openapi.json").json() == _published_schema()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_operation_answers_with_a_server_error(case, api_server):
    # Signed in with valid protocol headers, so generated bodies reach the handlers (not just the 426/401).
    desk = api_server.desk
    response = case.call(base_url=api_server.url, headers=desk.headers, timeout=30)
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:500]}"
    if case.path.endswith("/auth/logout") and response.status_code == 204:
        desk.token = desk.sign_in("fuzz", DEFAULT_PASSWORD)["access_token"]  # signed out: sign in again
