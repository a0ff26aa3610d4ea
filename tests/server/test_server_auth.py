"""Sign-in, tokens, devices, versions."""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select, update

from saypro_desktop.core.passwords import cost_of, current_n, hash_password, verify_password
from saypro_desktop.sync.protocol import PROTOCOL_VERSION
from saypro_server.config import ServerSettings
from saypro_server.store.schema import auth_event, credential, device
from tests.conftest import FakeClock
from tests.server_fixtures import DEFAULT_PASSWORD

P = {"X-SayPro-Protocol": str(PROTOCOL_VERSION)}
DEV = "0190a0b0-0000-7000-8000-00000000000a"
DEV_B = "0190a0b0-0000-7000-8000-00000000000b"


def _key(device_id):
    """The device key this test's desktop with ``device_id`` holds."""
    return f"device-key-of-{device_id}"


def _login(server, username, password=DEFAULT_PASSWORD, device_id=DEV, device_key=None):
    return httpx.post(f"{server.api}/auth/login", headers=P, timeout=30, json={
        "username": username, "password": password, "device_id": device_id, "device_name": "front desk",
        "device_key": device_key or _key(device_id)})


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
    assert _login(live_server, "ben", device_id=DEV_B).status_code == 200


def test_the_lock_ends_after_the_window(live_server_factory, server_db_url):
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
    return httpx.post(f"{server.api}/auth/refresh", headers=P, timeout=30,
                      json={"refresh_token": token, "device_id": device})


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
    ben_device = DEV_B
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
    # The sign-in's row was reserved before its password was checked, so it comes first.
    assert _events(live_server, "ben")[-2:] == ["login_ok", "device_reassigned"]


def test_bad_or_expired_tokens_get_401_with_a_bearer_challenge(live_server_factory):
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
    from saypro_server.store.migrate import head_revision

    v = httpx.get(f"{live_server.api}/version")
    assert v.status_code == 200
    assert v.json()["protocol"] == {"min": PROTOCOL_VERSION, "max": PROTOCOL_VERSION}
    assert v.json()["schema"] == head_revision()
    for header in ({"X-SayPro-Protocol": str(PROTOCOL_VERSION + 1)}, {"X-SayPro-Protocol": "zero"}, {}):
        r = httpx.post(f"{live_server.api}/auth/login", headers=header, json={})
        assert r.status_code == 426
        assert r.json()["min_protocol"] == r.json()["max_protocol"] == PROTOCOL_VERSION
    assert httpx.get(f"{live_server.url}/openapi.json").json()["info"]["title"]


def _device(server, device_id=DEV):
    with server.db.read() as conn:
        return dict(conn.execute(select(device).where(device.c.id == device_id)).mappings().one())


def _ok(server, access, device_id=DEV):
    """Whether the access token still works."""
    r = httpx.get(f"{server.api}/conflicts", headers=_auth(access, device_id))
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200


# -- device keys ---------------------------------------------------------------------------------------------

def test_a_new_device_is_registered_with_the_hash_of_its_key(live_server):
    live_server.create_user("anna")
    assert _login(live_server, "anna").status_code == 200
    assert _device(live_server)["key_hash"] == hashlib.sha256(_key(DEV).encode()).hexdigest()
    assert _login(live_server, "anna").status_code == 200, "the same desktop signs in again"


def test_another_desktop_presenting_a_registered_device_id_is_refused_and_changes_nothing(live_server):
    live_server.create_user("anna")
    live_server.create_user("ben")
    anna = _login(live_server, "anna").json()
    before = _device(live_server)
    for who in ("ben", "anna"):  # another user, or the same one, from another desktop
        r = _login(live_server, who, device_key="an-impostor-key-" + "x" * 32)
        assert r.status_code == 403
        assert r.json()["detail"].startswith("this device id is registered to another desktop; ")
        assert _events(live_server, who)[-1] == "device_key_mismatch"
    assert _device(live_server) == before, "the device row is untouched"
    # The real holder keeps its user and its tokens.
    assert _ok(live_server, anna["access_token"])
    assert _refresh(live_server, anna["refresh_token"]).status_code == 200


def test_a_device_registered_before_device_keys_is_bound_to_the_first_key_presented(live_server):
    live_server.create_user("anna")
    assert _login(live_server, "anna").status_code == 200
    with live_server.db.write(feed_lock=False) as conn:
        conn.execute(update(device).where(device.c.id == DEV).values(key_hash=None))
    first = "the-first-key-presented-" + "1" * 20
    assert _login(live_server, "anna", device_key=first).status_code == 200
    assert _device(live_server)["key_hash"] == hashlib.sha256(first.encode()).hexdigest()
    assert _login(live_server, "anna").status_code == 403, "from now on only that key"


# -- refresh-token rotation ----------------------------------------------------------------------------------

def test_refresh_tokens_carry_their_family_and_only_hashes_are_stored(live_server):
    live_server.create_user("anna")
    token = _login(live_server, "anna").json()["refresh_token"]
    family, _, rest = token.partition(".")
    row = _device(live_server)
    assert row["refresh_family"] == family and len(family) == 32 and rest
    assert row["refresh_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert row["prev_refresh_hash"] is None
    second = _refresh(live_server, token).json()["refresh_token"]
    assert second.startswith(family + "."), "rotation stays in the family"
    row = _device(live_server)
    assert row["prev_refresh_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert row["prev_refresh_used"] is False and row["refreshed_at"] is not None


def test_a_lost_refresh_answer_can_be_retried_once_and_a_second_retry_ends_the_sign_in(live_server):
    live_server.create_user("anna")
    t0 = _login(live_server, "anna").json()["refresh_token"]
    assert _refresh(live_server, t0).status_code == 200  # its answer (t1) is "lost" on the way
    retry = _refresh(live_server, t0)
    assert retry.status_code == 200, "the replaced token works once more"
    t2, access = retry.json()["refresh_token"], retry.json()["access_token"]
    assert _device(live_server)["prev_refresh_used"] is True
    gen = _device(live_server)["token_gen"]
    again = _refresh(live_server, t0)
    assert again.status_code == 401 and "already used" in again.json()["detail"]
    assert _events(live_server, "anna")[-1] == "refresh_reuse"
    row = _device(live_server)
    assert (row["refresh_hash"], row["prev_refresh_hash"], row["token_gen"]) == (None, None, gen + 1)
    assert _refresh(live_server, t2).status_code == 401, "the whole family ended"
    assert not _ok(live_server, access), "and every access token of the device"
    assert _events(live_server, "anna")[-1] == "refresh_failed", "an ended family's token changes nothing more"
    assert _device(live_server)["token_gen"] == gen + 1


@pytest.mark.parametrize("replay", ["replaced after its successor was used", "two rotations old",
                                    "the successor the lost answer carried"])
def test_any_other_token_of_the_family_ends_it(live_server, replay):
    live_server.create_user("anna")
    t0 = _login(live_server, "anna").json()["refresh_token"]
    t1 = _refresh(live_server, t0).json()["refresh_token"]
    if replay == "the successor the lost answer carried":
        latest = _refresh(live_server, t0).json()  # the one retry
        stale = t1
    else:
        latest = _refresh(live_server, t1).json()
        stale = t0
        if replay == "two rotations old":
            latest = _refresh(live_server, latest["refresh_token"]).json()
    assert _refresh(live_server, stale).status_code == 401
    assert _events(live_server, "anna")[-1] == "refresh_reuse"
    assert _refresh(live_server, latest["refresh_token"]).status_code == 401
    assert not _ok(live_server, latest["access_token"])
    assert _login(live_server, "anna").status_code == 200, "signing in again starts a new family"


def test_the_retry_is_only_allowed_within_the_grace_window(live_server_factory):
    clock = FakeClock(datetime.now(UTC))
    server = live_server_factory(settings=ServerSettings(clock=clock, refresh_retry_grace_s=300))
    server.create_user("anna")
    t0 = _login(server, "anna").json()["refresh_token"]
    t1 = _refresh(server, t0).json()["refresh_token"]
    clock.advance(minutes=6)
    assert _refresh(server, t0).status_code == 401
    assert _events(server, "anna")[-1] == "refresh_reuse"
    assert _refresh(server, t1).status_code == 401


def test_a_token_of_an_ended_family_is_refused_without_side_effects(live_server):
    live_server.create_user("anna")
    old = _login(live_server, "anna").json()["refresh_token"]
    current = _login(live_server, "anna").json()  # signing in again starts a new family
    before = _device(live_server)
    r = _refresh(live_server, old)
    assert r.status_code == 401 and "ended" in r.json()["detail"]
    assert _events(live_server, "anna")[-1] == "refresh_failed"
    assert _device(live_server) == before
    assert _ok(live_server, current["access_token"])
    assert _refresh(live_server, current["refresh_token"]).status_code == 200


def test_a_server_restored_from_a_backup_asks_for_a_new_sign_in_without_ending_anything(live_server):
    """The restored database never saw the newest tokens: a token newer than its last rotation is not a replay
    (no family ends, no reuse alarm); the desktop signs in again."""
    live_server.create_user("anna")
    t0 = _login(live_server, "anna").json()["refresh_token"]
    as_backed_up = dict(_device(live_server))
    t2 = _refresh(live_server, _refresh(live_server, t0).json()["refresh_token"]).json()["refresh_token"]
    assert t2.split(".")[1] == "2", "the token counts its rotations"
    with live_server.db.write(feed_lock=False) as conn:  # the device row as the backup has it
        conn.execute(update(device).where(device.c.id == DEV).values(
            **{k: v for k, v in as_backed_up.items() if k != "id"}))
    r = _refresh(live_server, t2)
    assert r.status_code == 401 and "restored" in r.json()["detail"]
    assert _events(live_server, "anna")[-1] == "refresh_unknown"
    assert _device(live_server) == as_backed_up, "nothing ended"
    assert _login(live_server, "anna").status_code == 200


# -- password reset ------------------------------------------------------------------------------------------

def test_a_password_reset_ends_the_users_sign_ins_on_every_device(live_server):
    from saypro_desktop.models.base import utcnow
    from saypro_server.accounts import set_password

    live_server.create_user("anna")
    live_server.create_user("ben")
    third = "0190a0b0-0000-7000-8000-00000000000c"
    anna = [_login(live_server, "anna", device_id=d).json() for d in (DEV, DEV_B)]
    ben = _login(live_server, "ben", device_id=third).json()
    assert set_password(live_server.db, "anna", "a-new-password-2", utcnow()) == 2
    for tokens, device_id in zip(anna, (DEV, DEV_B), strict=True):
        assert not _ok(live_server, tokens["access_token"], device_id)
        assert _refresh(live_server, tokens["refresh_token"], device_id).status_code == 401
    assert _ok(live_server, ben["access_token"], third), "other users are not touched"
    assert _refresh(live_server, ben["refresh_token"], third).status_code == 200
    assert _login(live_server, "anna").status_code == 401
    assert _login(live_server, "anna", "a-new-password-2").status_code == 200
    with live_server.db.read() as conn:
        detail = conn.execute(select(auth_event.c.detail).where(auth_event.c.event == "password_set")).scalar_one()
    assert "2 device(s)" in detail


# -- lock-out under concurrency ------------------------------------------------------------------------------

def _slow_scrypt(monkeypatch, seconds=0.3):
    """Make the server's password check slow, as scrypt at production cost is, and count how many overlap."""
    import saypro_server.auth as server_auth

    real = server_auth.verify_password
    state = {"now": 0, "most": 0}
    guard = threading.Lock()

    def verify(password, stored):
        with guard:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(seconds)
        try:
            return real(password, stored)
        finally:
            with guard:
                state["now"] -= 1

    monkeypatch.setattr(server_auth, "verify_password", verify)
    return state


def test_concurrent_wrong_passwords_cannot_pass_the_lock_out(live_server_factory, monkeypatch):
    clock = FakeClock(datetime.now(UTC))
    server = live_server_factory(settings=ServerSettings(clock=clock))
    server.create_user("anna")
    _slow_scrypt(monkeypatch)
    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(lambda _: _login(server, "anna", "guess-guess-1"), range(30)))
    codes = [r.status_code for r in answers]
    # Exactly the limit: an attempt counts from its reservation (in flight, then failed), so only five are
    # ever checked; the old rule (count, check, then record) let all 30 through.
    assert sorted(codes) == [401] * 5 + [429] * 25, codes
    assert all(int(r.headers["Retry-After"]) > 0 for r in answers if r.status_code == 429)
    assert _events(server, "anna").count("login_failed") == codes.count(401)
    assert "login_attempt" not in _events(server, "anna"), "every reserved attempt was resolved"
    assert _login(server, "anna").status_code == 429, "the right password waits too"
    clock.advance(minutes=14)
    assert _login(server, "anna").status_code == 429
    clock.advance(minutes=2)
    assert _login(server, "anna").status_code == 200


def test_five_concurrent_failures_lock_out_the_right_password_until_the_window_passes(live_server_factory,
                                                                                      monkeypatch):
    clock = FakeClock(datetime.now(UTC))
    server = live_server_factory(settings=ServerSettings(clock=clock))
    server.create_user("anna")
    _slow_scrypt(monkeypatch, 0.1)
    with ThreadPoolExecutor(5) as pool:
        codes = [r.status_code for r in pool.map(lambda _: _login(server, "anna", "guess-guess-1"), range(5))]
    assert codes == [401] * 5
    locked = _login(server, "anna")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 14 * 60
    clock.advance(minutes=14)
    assert _login(server, "anna").status_code == 429
    clock.advance(minutes=2)
    assert _login(server, "anna").status_code == 200


def test_at_most_four_password_checks_run_at_once(live_server, monkeypatch):
    from saypro_server.auth import MAX_PASSWORD_CHECKS

    names = [f"user{i}" for i in range(12)]
    for name in names:
        live_server.create_user(name)
    state = _slow_scrypt(monkeypatch, 0.2)
    devices = [f"0190a0b0-0000-7000-8000-{i:012x}" for i in range(100, 112)]
    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(lambda nd: _login(live_server, *nd).status_code,
                              [(n, DEFAULT_PASSWORD, d) for n, d in zip(names, devices, strict=True)]))
    assert codes == [200] * 12
    assert 2 <= state["most"] <= MAX_PASSWORD_CHECKS == 4


# -- the token secret ----------------------------------------------------------------------------------------

def test_a_database_dump_holds_no_token_secret(live_server):
    from saypro_server.store.schema import metadata, server_meta

    live_server.create_user("anna")
    tokens = _login(live_server, "anna").json()
    refreshed = _refresh(live_server, tokens["refresh_token"]).json()
    with live_server.db.read() as conn:
        assert {r.key for r in conn.execute(select(server_meta.c.key))} <= {"epoch", "hlc"}
        dump = "\n".join(str(row) for table in metadata.sorted_tables for row in conn.execute(select(table)))
    for secret in (live_server.secret, refreshed["refresh_token"], tokens["refresh_token"], _key(DEV)):
        assert secret not in dump


def test_a_token_signed_with_another_secret_is_refused(live_server):
    from saypro_server.tokens import issue_access, read_access

    live_server.create_user("anna")
    access = _login(live_server, "anna").json()["access_token"]
    claims = read_access(live_server.secret, access, time.time())
    assert _ok(live_server, issue_access(live_server.secret, claims)), "the same claims, the server's secret"
    forged = httpx.get(f"{live_server.api}/conflicts", headers=_auth(issue_access("another-secret-" * 3, claims)))
    assert forged.status_code == 401 and "signature" in forged.json()["detail"]


def test_the_server_will_not_start_without_a_secret(server_db_url, tmp_path, monkeypatch):
    from saypro_server.app import create_app
    from saypro_server.secret import SecretError

    missing = tmp_path / "nowhere" / "token-secret"
    with pytest.raises(SecretError, match="saypro-server init-db") as info:
        create_app(server_db_url, settings=ServerSettings(secret=None, secret_path=missing))
    assert str(missing) in str(info.value) and "SAYPRO_SERVER_SECRET" in str(info.value)
    monkeypatch.setenv("SAYPRO_SERVER_SECRET", "short")
    with pytest.raises(SecretError, match="shorter than 32"):
        create_app(server_db_url)


def test_init_db_makes_a_private_secret_file_that_every_server_uses(server_db_url, tmp_path, capsys):
    import os
    import stat

    from saypro_server.cli import main
    from tests.server_fixtures import LiveServer

    path = tmp_path / "server-data" / "token-secret"  # SAYPRO_SERVER_DATA in tests
    assert main(["--database-url", server_db_url, "init-db"]) == 0
    out = capsys.readouterr().out
    secret = path.read_text().strip()
    assert len(secret) >= 32 and secret not in out and f"created {path}" in out
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert main(["--database-url", server_db_url, "init-db"]) == 0
    assert path.read_text().strip() == secret and "created" not in capsys.readouterr().out
    first = LiveServer(server_db_url, ServerSettings()).start()
    second = LiveServer(server_db_url, ServerSettings()).start()
    try:
        assert first.secret == secret
        first.create_user("anna")
        tokens = _login(first, "anna").json()
        assert _ok(second, tokens["access_token"]), "a token from one server is good at the other"
    finally:
        first.close()
        second.close()


def test_upgrading_to_schema_0002_deletes_the_secret_kept_in_the_database(server_db_url):
    from alembic import command

    from saypro_server.store.db import Database, get_meta, set_meta
    from saypro_server.store.migrate import alembic_config, init_db

    db = Database(server_db_url)
    try:
        with db.write(feed_lock=False) as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
            set_meta(conn, "token_secret", "what 0001 kept in the database")
        init_db(db)
        with db.read() as conn:
            assert get_meta(conn, "token_secret") is None
    finally:
        db.dispose()


# -- password cost -------------------------------------------------------------------------------------------

def test_a_sign_in_rehashes_a_password_hash_made_at_a_lower_cost(live_server):
    user_id = live_server.create_user("anna")
    cheap = hash_password(DEFAULT_PASSWORD, n=2**4)
    with live_server.db.write(feed_lock=False) as conn:
        conn.execute(update(credential).where(credential.c.user_id == user_id).values(password_hash=cheap))

    def stored():
        with live_server.db.read() as conn:
            return conn.execute(select(credential.c.password_hash)
                                .where(credential.c.user_id == user_id)).scalar_one()

    assert _login(live_server, "anna", "not-the-password-1").status_code == 401
    assert stored() == cheap, "a wrong password changes nothing"
    assert _login(live_server, "anna").status_code == 200
    assert cost_of(stored()) == (current_n(), 8, 1) and verify_password(DEFAULT_PASSWORD, stored())
    assert _login(live_server, "anna").status_code == 200
