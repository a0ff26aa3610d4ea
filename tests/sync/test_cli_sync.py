"""``saypro login`` and ``saypro sync`` against the real server on loopback."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from saypro_desktop.cli.main import main
from saypro_server import site
from tests.server_fixtures import DEFAULT_PASSWORD


class DictKeyring(KeyringBackend):
    """Stands in for the operating system's keyring (this machine has none)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture
def saypro(tmp_path, capsys, monkeypatch):
    def run(name: str, *args: str, password: str | None = None) -> tuple[int, str, str]:
        if password is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        code = main([*args, "--data-dir", str(tmp_path / name)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_login_then_sync_with_the_keyring_and_a_clear_failure_when_the_server_is_away(saypro, live_server):
    kr = DictKeyring()
    keyring.set_keyring(kr)
    try:
        live_server.create_user("lerato", "Support Agent")
        live_server.create_user("sipho", "Support Agent")
        code, out, err = saypro("a", "login", "--server", live_server.url, "--user", "lerato", "--password-stdin",
                                password="not-the-password-1")
        assert code == 1 and "login failed" in err
        code, out, err = saypro("a", "login", "--server", live_server.url, "--user", "lerato", "--password-stdin",
                                password=DEFAULT_PASSWORD)
        assert code == 0 and "as lerato (Support Agent)" in out and "this desktop is enrolled" in out, out + err
        assert kr.secrets and DEFAULT_PASSWORD not in str(kr.secrets), "a refresh token, never the password"
        code, _, _ = saypro("a", "inquiry", "add", "--subject", "Cannot log in",  # as lerato, the enrolled user
                            "--category", "Technical Issue", "--mode", "Phone",
                            "--user-type", "Registered User", "--name", "Zanele Dube", "--email", "z@example.org")
        assert code == 0
        code, out, err = saypro("a", "sync")  # the remembered sign-in from the keyring
        assert code == 0 and out.startswith("pushed ") and "pulled" in out, out + err

        saypro("b", "login", "--server", live_server.url, "--user", "sipho", "--password-stdin",
               password=DEFAULT_PASSWORD)
        code, out, _ = saypro("b", "sync")
        assert code == 0
        code, out, _ = saypro("b", "inquiry", "list")
        assert "Cannot log in" in out

        live_server.stop()
        saypro("a", "inquiry", "add", "--subject", "Second question", "--category",
               "Technical Issue", "--mode", "Email", "--user-type", "Registered User", "--name", "Zanele Dube",
               "--email", "z@example.org")
        code, out, err = saypro("a", "sync")
        assert code == 1 and "saypro:" in err, "it says it could not finish, and exits non-zero"
        live_server.start()
        code, out, err = saypro("a", "sync")
        assert code == 0 and "still to send" not in err
    finally:
        keyring.set_keyring(fail.Keyring())


def test_without_a_keyring_sync_asks_for_the_password_each_time_and_says_so(saypro, live_server):
    keyring.set_keyring(fail.Keyring())
    live_server.create_user("lerato", "Support Agent")
    code, _, err = saypro("a", "login", "--server", live_server.url, "--user", "lerato", "--password-stdin",
                          password=DEFAULT_PASSWORD)
    assert code == 0 and "kept in" in err
    code, _, err = saypro("a", "sync")
    assert code == 1 and "sign in again" in err
    code, out, _ = saypro("a", "sync", "--password-stdin", password=DEFAULT_PASSWORD)
    assert code == 0 and out.startswith("pushed ")


def test_a_moderator_claims_a_batch_on_the_command_line(saypro, live_server):
    kr = DictKeyring()
    keyring.set_keyring(kr)
    try:
        key = site.create_integration(live_server.db, f"site-{uuid.uuid4().hex[:8]}", datetime.now(UTC))
        submitted = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        ads = [{"external_id": f"C-{n}", "version": 1, "title": f"Couch {n}", "description": "Three-seater.",
                "price": "1500", "category": "For Sale", "ad_type": "Offer", "advertiser_id": f"U{n}",
                "advertiser_name": "Bongani Dube", "submitted_at": submitted} for n in range(3)]
        posted = httpx.post(f"{live_server.api}/ads", json={"ads": ads}, headers={"Authorization": f"Bearer {key}"})
        assert posted.status_code == 200 and posted.json()["created"] == 3
        code, _, err = saypro("m", "ads", "claim", "--count", "2")
        assert code == 1 and "not enrolled" in err
        live_server.create_user("zanele", "Moderator")
        assert saypro("m", "login", "--server", live_server.url, "--user", "zanele", "--password-stdin",
                      password=DEFAULT_PASSWORD)[0] == 0
        code, out, err = saypro("m", "ads", "claim", "--count", "2")
        assert code == 0 and out.startswith("2 ad(s) claimed for you"), out + err
        code, out, _ = saypro("m", "ads", "queue", "--mine", "--json")
        assert len(json.loads(out)) == 2, "the claimed ads are here after the claim's sync, and they are mine"
    finally:
        keyring.set_keyring(fail.Keyring())


def test_a_user_the_server_deactivated_stops_working_on_the_command_line_too(saypro, live_server):
    from sqlalchemy import update

    from saypro_server.store.schema import SYNCED

    def set_active(value: bool) -> None:
        with live_server.db.write() as conn:
            conn.execute(update(SYNCED["staff_user"]).where(SYNCED["staff_user"].c.username == "lerato")
                         .values(active=value))

    kr = DictKeyring()
    keyring.set_keyring(kr)
    try:
        live_server.create_user("lerato", "Support Agent")
        assert saypro("a", "login", "--server", live_server.url, "--user", "lerato", "--password-stdin",
                      password=DEFAULT_PASSWORD)[0] == 0
        set_active(False)  # an Admin deactivated her; this desktop has not heard of it
        code, _, err = saypro("a", "sync")
        assert code == 1 and "this account is deactivated" in err
        code, _, err = saypro("a", "inquiry", "list")  # as the enrolled user: refused here as well now
        assert code == 1 and "the office's server said: this account is deactivated" in err
        set_active(True)
        assert saypro("a", "login", "--server", live_server.url, "--user", "lerato", "--password-stdin",
                      password=DEFAULT_PASSWORD)[0] == 0
        assert saypro("a", "inquiry", "list")[0] == 0
    finally:
        keyring.set_keyring(fail.Keyring())
