"""Opening an attachment from the inquiry panel: a named copy in the app's own "open" folder, whatever the
synced row says its name is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QDesktopServices
from sqlalchemy import insert, update

from saypro_desktop.core.uuids import new_id
from saypro_desktop.models import Attachment
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.context import acting
from saypro_desktop.services.links_and_files import add_attachment
from saypro_desktop.ui.inquiries.detail import InquiryDetailPanel
from tests.conftest import draft


def test_an_attachment_opens_from_a_safe_copy_inside_the_apps_open_folder(qtbot, app, monkeypatch, tmp_path):
    source = tmp_path / "payload.sh"
    source.write_bytes(b"#!/bin/sh\necho hello\n")
    with acting(app.store) as ctx:
        inquiry = svc.create_inquiry(ctx, draft())
        attached = add_attachment(ctx, inquiry, source, filename="..\\..\\payload.sh")
        ctx.session.flush()
        rid, att_id = inquiry.id, attached.id
    assert attached.filename == "payload.sh"  # a name given when attaching is kept plain too
    with app.store.session() as s:  # as another desktop's row could arrive
        s.execute(update(Attachment.__table__).where(Attachment.__table__.c.id == att_id)
                  .values(filename="../../../../tmp/x.sh"))
        s.execute(insert(Attachment.__table__).values(
            id=new_id(), inquiry_id=rid, filename="CON", sha256="../../../../etc/passwd", size=10,
            media_type="text/plain", deleted=False, field_versions={}))
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    panel = InquiryDetailPanel(app)
    qtbot.addWidget(panel)
    panel.show_inquiry(rid)
    qtbot.waitUntil(lambda: panel.detail is not None and panel.files.count() == 2, timeout=5000)
    items = {panel.files.item(i).data(256).filename: panel.files.item(i) for i in range(2)}

    panel._open_file(items["../../../../tmp/x.sh"])
    open_dir = (app.store.paths.root / "open").resolve()
    assert len(opened) == 1
    copy = Path(opened[0])
    assert copy.name == "x.sh" and copy.resolve().is_relative_to(open_dir)
    assert copy.read_bytes() == b"#!/bin/sh\necho hello\n"

    panel._open_file(items["CON"])  # a row whose hash is not a hash: refused, nothing written or opened
    assert len(opened) == 1 and "not a SHA-256" in panel.error.text()
    assert sorted(p.name for p in open_dir.rglob("*") if p.is_file()) == ["x.sh"]
