"""Where the inquirers' details leaked (issue 13): not through pulls, which the server filters by role, but on a
standalone desktop, where every role reads the same store. Through the real server a Viewer's and a Moderator's
desktop hold no detail at all; the standalone store holds them all and its read paths withhold them."""

from __future__ import annotations

from sqlalchemy import select

from saypro_desktop.core.permissions import Role
from saypro_desktop.core.personal_details import WITHHELD
from saypro_desktop.models import AuditEntry, Inquiry
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.inquiry_views import load_detail
from saypro_desktop.services.search import search_hits
from saypro_desktop.services.staff import create_staff_user
from tests.conftest import draft

PERSON = dict(user_full_name="Thandiwe Nkosi", user_email="thandiwe@example.org", user_phone="+27 82 555 0101",
              user_account_id="ACC-778812", user_location="Durban")


def _rows(s) -> str:
    """Every inquiry and audit row a session sees, as text."""
    rows = [[getattr(i, c.key) for c in Inquiry.__mapper__.column_attrs] for i in s.scalars(select(Inquiry))]
    rows += [[a.entity, a.changes] for a in s.scalars(select(AuditEntry))]
    return repr(rows)


def _everything_stored(desk_store) -> str:
    with desk_store.session() as s:
        return _rows(s)


def test_pulled_desktops_of_roles_without_the_permission_hold_no_detail(live_server, desktops):
    agent = desktops("agent", "anna", "Support Agent")
    viewer = desktops("viewer", "viv", "Viewer")
    moderator = desktops("mod", "mo", "Moderator")
    with agent.work() as ctx:
        ref = svc.create_inquiry(ctx, draft(subject="Renewal payment failed", **PERSON)).display_id
    with agent.work() as ctx:
        svc.update_inquiry(ctx, svc.get_inquiry(ctx, ref), user_phone="+27 82 555 0199")
    agent.sync()
    for desk in (viewer, moderator):
        desk.sync()
        stored = _everything_stored(desk.store)
        assert "Renewal payment failed" in stored  # the inquiry arrived ...
        assert not [v for v in ("Thandiwe", "thandiwe@", "555 0101", "555 0199", "ACC-778812", "Durban")
                    if v in stored], desk.name  # ... without a single detail, in the row or its history
        with desk.work() as ctx:
            detail = load_detail(ctx, svc.get_inquiry(ctx, ref).id)
            assert {k: detail.values[k] for k in PERSON} == dict.fromkeys(PERSON, WITHHELD)
    assert "thandiwe@example.org" in _everything_stored(agent.store)


def test_a_standalone_desktop_holds_every_detail_and_withholds_them_when_read(ctx):
    """The leak of the issue: a store never synced holds what its agents typed, whoever reads it."""
    ref = svc.create_inquiry(ctx, draft(subject="Renewal payment failed", **PERSON)).display_id
    viewer = create_staff_user(ctx, "viv", "Viv Viewer", Role.VIEWER)
    ctx.session.flush()
    assert "thandiwe@example.org" in _rows(ctx.session)  # the file itself holds them (docs/SECURITY.md)
    ctx.act_as(viewer)
    assert load_detail(ctx, svc.get_inquiry(ctx, ref).id).values["user_email"] == WITHHELD
    assert search_hits(ctx, "thandiwe@example.org") == []
