"""Access ended on one desktop reaches the others through the real server (issue 13): a deactivation stops the
user's sync and, once the server has refused them, their offline sign-in; an expiry pulled by sync ends
offline sign-in at midnight office time with no server asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from saypro_desktop.core.access import access_ends_at
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.staff import (
    activate_staff,
    check_sign_in,
    deactivate_staff,
    record_server_refusal,
    set_access_expiry,
)
from saypro_desktop.sync.client import AccessEnded
from saypro_desktop.sync.engine import enroll, pending_count
from tests.server_fixtures import DEFAULT_PASSWORD
from tests.sync.helpers import draft


def test_a_deactivated_user_is_refused_by_the_server_then_offline_until_given_access_again(desktops):
    boss = desktops("admin", "boss", "Admin")
    anna = desktops("agent", "anna", "Support Agent")
    boss.sync()  # anna's account reaches the Admin's desktop
    with anna.work() as ctx:
        svc.create_inquiry(ctx, draft("Offline before the deactivation"))
    with boss.work() as ctx:
        deactivate_staff(ctx, "anna")
    boss.sync()
    with pytest.raises(AccessEnded, match="this account is deactivated"):
        anna.sync()
    assert pending_count(anna.store) > 0  # her work is kept, not lost
    with anna.store.session() as s:  # as the app and `saypro sync` do with that answer
        record_server_refusal(s, "anna", "the server refused: this account is deactivated; ask an Admin")
    with anna.store.session() as s:
        refusal = check_sign_in(s, "anna", DEFAULT_PASSWORD).refusal
        assert refusal is not None and "the office's server said: this account is deactivated" in refusal
    with boss.work() as ctx:
        activate_staff(ctx, "anna")
    boss.sync()
    enroll(anna.store, anna.client, "anna", DEFAULT_PASSWORD)  # she signs in at the server again
    with anna.store.session() as s:
        assert check_sign_in(s, "anna", DEFAULT_PASSWORD).refusal is None
    anna.sync()
    assert pending_count(anna.store) == 0


def test_an_expiry_set_on_one_desktop_ends_offline_sign_in_on_another_at_midnight(desktops):
    boss = desktops("admin", "boss", "Admin")
    anna = desktops("agent", "anna", "Support Agent")
    boss.sync()  # anna's account reaches the Admin's desktop
    today = datetime.now(UTC).astimezone(ZoneInfo("Africa/Johannesburg")).date()
    with boss.work() as ctx:
        set_access_expiry(ctx, "anna", today)
    boss.sync()
    anna.sync()  # the expiry arrives; nothing else is asked of the server from now on
    ends = access_ends_at(today)
    with anna.store.session() as s:
        assert check_sign_in(s, "anna", DEFAULT_PASSWORD, lambda: ends - timedelta(seconds=1)).refusal is None
        refusal = check_sign_in(s, "anna", DEFAULT_PASSWORD, lambda: ends).refusal
        assert refusal is not None and f"expired at the end of {today:%d/%m/%Y}" in refusal
        assert "(boss)" in refusal  # whom to ask
