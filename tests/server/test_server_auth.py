"""Sign-in, tokens, devices, versions."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from saypro_server.store.schema import auth_event
from tests.server_fixtures import DEFAULT_PASSWORD

P = {"X-SayPro-Protocol": "1"}
DEV = "0190a0b0-0000-7000-8000-00000000000a"


def _login(server, username, password=DEFAULT_PASSWORD, device_id=DEV):
    return httpx.post(f"{server.api}/auth/login", headers=P, json={
        "username": username, "password": password, "device_id": device_id, "device_name": "front desk"})


def _events(server, username):
    with server.db.read() as conn:
        return [r.event for r in conn.execute(select(auth_event.c.event).where(auth_event.c.username == username)
                                              .order_by(auth_event.c.id))]


def test_login_with_the_right_password_gives_tokens_and_the_user(live_server):
    live_server.create_user("anna", "Supervisor")
    r = _login(live_server, "anna")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["access_expires_in"] == 900
    assert body["user"]["username"] == "anna" and body["user"]["role"] == "Supervisor"
    assert body["refresh_token"] and body["access_token"] and body["server_epoch"]
    assert _events(live_server, "anna")[-1] == "login_ok"


def test_wrong_password_and_unknown_user_are_refused_alike_and_audited(live_server):
    live_server.create_user("anna")
    wrong = _login(live_server, "anna", "not-the-password-1")
    unknown = _login(live_server, "nobody", "not-the-password-1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "wrong user name or password"
    assert _events(live_server, "anna")[-1] == "login_failed"
    assert _events(live_server, "nobody") == ["login_failed"]


def test_five_failures_lock_the_user_name_even_for_the_right_password(live_server):
    live_server.create_user("anna")
    for _ in range(5):
        assert _login(live_server, "anna", "guess-guess-1").status_code == 401
    locked = _login(live_server, "anna")
    assert locked.status_code == 429
    assert "try again in" in locked.json()["detail"]
    assert int(locked.headers["Retry-After"]) > 14 * 60
    assert _events(live_server, "anna") == ["user_created"] + ["login_failed"] * 5 + ["login_locked"]
    # Another user is not affected.
    live_server.create_user("ben")
    assert _login(live_server, "ben", device_id="0190a0b0-0000-7000-8000-00000000000b").status_code == 200


def test_the_lock_ends_after_the_window(live_server_factory, server_db_url):
    from datetime import UTC, datetime

    from saypro_server.config import ServerSettings
    from tests.conftest import FakeClock

    clock = FakeClock(datetime(2025, 1, 14, 8, 0, tzinfo=UTC))
    server = live_server_factory(settings=ServerSettings(clock=clock))
    server.create_user("anna")
    for _ in range(5):
        _login(server, "anna", "guess-guess-1")
    assert _login(server, "anna").status_code == 429
    clock.advance(minutes=16)
    assert _login(server, "anna").status_code == 200


def test_a_successful_sign_in_resets_the_failure_count(live_server):
    live_server.create_user("anna")
    for _ in range(4):
        _login(live_server, "anna", "guess-guess-1")
    assert _login(live_server, "anna").status_code == 200
    for _ in range(4):
        _login(live_server, "anna", "guess-guess-1")
    assert _login(live_server, "anna").status_code == 200


def test_deactivated_users_cannot_sign_in(live_server):
    from sqlalchemy import update

    from saypro_server.store.schema import SYNCED

    live_server.create_user("anna")
    with live_server.db.write() as conn:
        conn.execute(update(SYNCED["staff_user"]).where(SYNCED["staff_user"].c.username == "anna").values(active=False))
    r = _login(live_server, "anna")
    assert r.status_code == 403 and "deactivated" in r.json()["detail"]
    assert _events(live_server, "anna")[-1] == "login_refused"


def _auth(token, device=DEV):
    return {**P, "Authorization": f"Bearer {token}", "X-SayPro-Device": device}


def _refresh(server, token, device=DEV):
    return httpx.post(f"{server.api}/auth/refresh", headers=P, json={"refresh_token": token, "device_id": device})


def test_refresh_rotates_the_token_and_a_lost_answer_can_be_retried_once(live_server):
    live_server.create_user("anna")
    first = _login(live_server, "anna").json()
    second = _refresh(live_server, first["refresh_token"])
    assert second.status_code == 200
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert httpx.post(f"{live_server.api}/conflicts", headers=_auth(second["access_token"])).status_code == 405
    assert httpx.get(f"{live_server.api}/conflicts", headers=_auth(second["access_token"])).status_code == 200
    # The answer to that refresh was "lost": the desktop retries with the token it had, once.
    retry = _refresh(live_server, first["refresh_token"])
    assert retry.status_code == 200
    third = _refresh(live_server, retry.json()["refresh_token"])
    assert third.status_code == 200
    # Now the first token is two rotations old: dead.
    dead = _refresh(live_server, first["refresh_token"])
    assert dead.status_code == 401
    assert "refresh_failed" in _events(live_server, "anna")


def test_revoked_device_loses_access_refresh_and_sign_in(live_server):
    live_server.create_user("anna")
    tokens = _login(live_server, "anna").json()
    live_server.revoke_device(DEV)
    assert httpx.get(f"{live_server.api}/conflicts", headers=_auth(tokens["access_token"])).status_code == 401
    assert _refresh(live_server, tokens["refresh_token"]).status_code == 401
    again = _login(live_server, "anna")
    assert again.status_code == 403 and "revoked" in again.json()["detail"]
    assert _events(live_server, "anna")[-3:] == ["device_revoked", "refresh_failed", "login_refused"]


def test_logout_ends_the_access_and_refresh_tokens(live_server):
    live_server.create_user("anna")
    tokens = _login(live_server, "anna").json()
    r = httpx.post(f"{live_server.api}/auth/logout", headers=_auth(tokens["access_token"]))
    assert r.status_code == 204
    assert httpx.get(f"{live_server.api}/conflicts", headers=_auth(tokens["access_token"])).status_code == 401
    assert _refresh(live_server, tokens["refresh_token"]).status_code == 401
    assert "logout" in _events(live_server, "anna")


def test_the_device_header_must_name_a_device_of_the_token_user(live_server):
    live_server.create_user("anna")
    live_server.create_user("ben")
    anna = _login(live_server, "anna").json()
    ben_device = "0190a0b0-0000-7000-8000-00000000000b"
    assert _login(live_server, "ben", device_id=ben_device).status_code == 200
    url = f"{live_server.api}/conflicts"
    assert httpx.get(url, headers=_auth(anna["access_token"])).status_code == 200
    wrong = httpx.get(url, headers=_auth(anna["access_token"], ben_device))
    assert wrong.status_code == 403 and "not a device" in wrong.json()["detail"]
    missing = {**P, "Authorization": f"Bearer {anna['access_token']}"}
    assert httpx.get(url, headers=missing).status_code == 403


def test_a_desktop_used_by_another_user_moves_to_them_and_ends_the_first_users_tokens(live_server):
    live_server.create_user("anna")
    live_server.create_user("ben")
    anna = _login(live_server, "anna").json()
    assert _login(live_server, "ben").status_code == 200
    assert httpx.get(f"{live_server.api}/conflicts", headers=_auth(anna["access_token"])).status_code == 401
    assert _events(live_server, "ben")[-2:] == ["device_reassigned", "login_ok"]


def test_bad_or_expired_tokens_get_401_with_a_bearer_challenge(live_server_factory):
    from datetime import UTC, datetime

    from saypro_server.config import ServerSettings
    from tests.conftest import FakeClock

    clock = FakeClock(datetime.now(UTC))
    server = live_server_factory(settings=ServerSettings(clock=clock))
    server.create_user("anna")
    token = _login(server, "anna").json()["access_token"]
    url = f"{server.api}/conflicts"
    assert httpx.get(url, headers=_auth(token)).status_code == 200
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (forged, "nonsense", "a.b", "x" * 3000):
        r = httpx.get(url, headers=_auth(bad))
        assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    clock.advance(minutes=16)
    r = httpx.get(url, headers=_auth(token))
    assert r.status_code == 401 and "expired" in r.json()["detail"]


def test_version_needs_no_sign_in_and_other_protocols_get_426(live_server):
    v = httpx.get(f"{live_server.api}/version")
    assert v.status_code == 200
    assert v.json()["protocol"] == {"min": 1, "max": 1}
    assert v.json()["schema"] == "0001"
    for header in ({"X-SayPro-Protocol": "2"}, {"X-SayPro-Protocol": "zero"}, {}):
        r = httpx.post(f"{live_server.api}/auth/login", headers=header, json={})
        assert r.status_code == 426
        assert r.json()["min_protocol"] == 1 and r.json()["max_protocol"] == 1
    assert httpx.get(f"{live_server.url}/openapi.json").json()["info"]["title"]
