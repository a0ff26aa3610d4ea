"""Whatever the server lets through, a pulled change a desktop cannot use is set aside and never wedges it.

The bad changes are written straight into the server's feed here (as a newer server, a bug or a tampered
database would send them): the desktop keeps them with their reason, applies the rest of the feed, shows
them in the sync status, and tries them again after an upgrade.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import insert, select

from saypro_desktop.core.file_names import safe_file_name
from saypro_desktop.core.uuids import new_id
from saypro_desktop.models import Attachment, Inquiry, SetAsideChange
from saypro_desktop.services import inquiries as svc
from saypro_desktop.sync import engine as engine_module
from saypro_desktop.sync import set_aside
from saypro_server import feed
from saypro_server.store.schema import SYNCED
from tests.server_fixtures import LiveServer
from tests.sync.helpers import draft


def _feed(server: LiveServer, table: str, row_id: str, fields: dict[str, Any], versions: dict[str, Any],
          row: dict[str, Any] | None = None) -> None:
    """A change on the server's feed (and its row, when given), bypassing every check of the push path."""
    from saypro_desktop.models.base import utcnow

    with server.db.write() as conn:
        if row is not None:
            conn.execute(insert(SYNCED[table]).values(id=row_id, created_at=utcnow(), updated_at=utcnow(),
                                                      field_versions=versions, **row))
        feed.append(conn, table, row_id, fields, versions, utcnow())


def test_changes_a_desktop_cannot_use_are_set_aside_and_the_rest_applies(desktops, live_server, tmp_path,
                                                                         monkeypatch):
    a = desktops("a", "anna")
    b = desktops("b", "ben")
    with a.work() as ctx:
        inquiry = svc.create_inquiry(ctx, draft("Photo upload fails"))
    a.sync()
    b.sync()
    stamp = "1900000000000-00000-000000000001"
    evil_sha = "../../../../tmp/evil"
    bad = {
        "traversal": (new_id(), "attachment", {"inquiry_id": inquiry.id, "filename": "../../../../tmp/x.sh",
                                              "sha256": evil_sha, "size": -1, "media_type": "text/x-sh",
                                              "deleted": False}),
        "unknown value": (inquiry.id, "inquiry", {"status": "Archived in 2030"}),
        "bad stamp": (inquiry.id, "inquiry", {"subject": "never shown"}),
        "newer table": (new_id(), "ad", {"title": "A car"}),
    }
    for name, (row_id, table, fields) in bad.items():
        versions = {"subject": "yesterday"} if name == "bad stamp" else {k: stamp for k in fields}
        _feed(live_server, table, row_id, fields, versions)
    with a.work() as ctx:  # after the bad ones, a good change: it must arrive
        svc.update_inquiry(ctx, svc.get_inquiry(ctx, inquiry.id), subject="Photo upload fails on Android")
    a.sync()

    report = b.sync()  # does not raise, and the feed goes on
    assert len(report.set_aside) == 4, report.set_aside
    assert "set aside" in report.summary()
    with b.store.session() as s:
        assert s.get(Inquiry, inquiry.id).subject == "Photo upload fails on Android"
        assert s.scalars(select(Attachment)).all() == []
        kept = {r.table_name: r for r in s.scalars(select(SetAsideChange))}
        assert set(kept) == {"attachment", "inquiry", "ad"}
        reasons = " | ".join(r.reason for r in s.scalars(select(SetAsideChange)))
        views = [str(v) for v in set_aside.listed(s)]
    assert "sha256" in reasons and "Archived" in reasons and "stamp" in reasons.lower() and "ad" in reasons
    assert "INSERT" not in reasons and "[parameters" not in reasons, "no SQL or personal details in reasons"
    assert len(views) == 4
    assert not (tmp_path.parent / "evil").exists() and not list(b.store.paths.attachments.rglob("*evil*"))
    # Nothing more on the next sync: set-aside changes wait for an upgrade, the feed is not re-read.
    again = b.sync()
    assert again.set_aside == [] and again.pulled == 0
    with b.store.session() as s:
        assert set_aside.count(s) == 4
    # After an upgrade (another build) they are tried again; still unusable, they stay, counted.
    monkeypatch.setattr(engine_module, "__version__", "99.0")
    upgraded = b.sync()
    assert len(upgraded.set_aside) == 4
    with b.store.session() as s:
        assert {r.attempts for r in s.scalars(select(SetAsideChange))} == {2}


def test_a_set_aside_change_applies_after_an_upgrade_and_only_where_it_is_newer(desktops, live_server,
                                                                                monkeypatch):
    a = desktops("a", "anna")
    with a.work() as ctx:
        inquiry = svc.create_inquiry(ctx, draft("Refund missing"))
        before = inquiry.priority.value
    assert before != "Low"
    a.sync()
    newer_name = new_id()
    # An assignee this desktop has never heard of: the row breaks the local foreign key, so it is set aside.
    _feed(live_server, "inquiry", inquiry.id, {"assigned_to_id": newer_name, "priority": "Low"},
          {"assigned_to_id": "1900000000000-00000-000000000002", "priority": "1000000000000-00000-000000000002"})
    report = a.sync()
    assert len(report.set_aside) == 1 and "refused" in report.set_aside[0]
    with a.store.session() as s:
        assert s.get(Inquiry, inquiry.id).assigned_to_id is None
    # The user appears later (here: written straight to the feed too), then the app is upgraded.
    _feed(live_server, "staff_user", newer_name, {"username": "newcomer", "display_name": "Newcomer",
                                                  "role": "Support Agent", "active": True, "deleted": False},
          {"*": "1900000000000-00000-000000000003"},
          row={"username": "newcomer", "display_name": "Newcomer", "role": "Support Agent", "active": True,
               "deleted": False})
    a.sync()
    monkeypatch.setattr(engine_module, "__version__", "99.0")
    assert a.sync().set_aside == []
    with a.store.session() as s:
        row = s.get(Inquiry, inquiry.id)
        assert row.assigned_to_id == newer_name, "applied once it could be"
        assert row.priority.value == before, "an older stamp than the desktop's own does not win late"
        assert set_aside.count(s) == 0


def test_a_pulled_attachment_row_never_makes_a_path_outside_the_data_folder(desktops, live_server, tmp_path):
    """Even a row that passed every check (as on a server before this one) cannot write outside."""
    a = desktops("a", "anna")
    with a.work() as ctx:
        inquiry = svc.create_inquiry(ctx, draft("Invoice attached"))
    a.sync()
    good_sha = hashlib.sha256(b"content").hexdigest()
    row = {"inquiry_id": inquiry.id, "filename": "..\\..\\evil.bat", "sha256": good_sha, "size": 7,
           "media_type": "application/octet-stream", "deleted": False}
    _feed(live_server, "attachment", new_id(), row, {"*": "1900000000000-00000-000000000004"}, row=row)
    report = a.sync()  # an old-style name is stored (it is data), the bytes never arrive: no wedge
    assert report.set_aside == []
    with a.store.session() as s:
        (att,) = s.scalars(select(Attachment)).all()
    assert att.filename == "..\\..\\evil.bat"
    assert safe_file_name(att.filename) == "evil.bat", "what the app opens or saves it as"
    a.sync()
    assert not list(tmp_path.parent.glob("evil.bat")) and not list(a.store.paths.root.parent.glob("evil.bat"))
