"""The Cancel action of the inquiry detail: set aside as spam or a duplicate, with the reason the service needs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from saypro_desktop.core.vocab import CancelReason, Status
from saypro_desktop.models import Inquiry
from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import create_inquiry
from saypro_desktop.services.inquiry_queries import linked_inquiries
from saypro_desktop.ui.inquiries.action_dialogs import CancelDialog
from saypro_desktop.ui.inquiries.workspace import InquiriesWorkspace
from tests.conftest import draft
from tests.ui.conftest import wait_idle


@pytest.fixture
def workspace(qtbot, app, ui_state):
    ws = InquiriesWorkspace(app, ui_state)
    qtbot.addWidget(ws)
    ws.show()
    wait_idle(qtbot, app)
    return ws


def _make(app, clock, **kw) -> tuple[str, str]:
    with acting(app.store, clock=clock) as ctx:
        i = create_inquiry(ctx, draft(**kw))
        return i.id, i.display_id


def _open(qtbot, app, workspace, rid):
    workspace.apply_filters()
    wait_idle(qtbot, app)
    workspace.show_inquiry(rid)
    wait_idle(qtbot, app)
    panel = workspace.detail
    qtbot.waitUntil(lambda: panel.detail is not None and panel.detail.id == rid)
    return panel


def _answer(monkeypatch, reason: str, duplicate_of: str = "", note: str = "") -> None:
    def fake_exec(self):
        self.reason.setCurrentIndex(self.reason.findData(reason))
        self.duplicate_of.setText(duplicate_of)
        self.note.setPlainText(note)
        self._ok()
        return self.result()

    monkeypatch.setattr(CancelDialog, "exec", fake_exec)


def test_cancel_a_duplicate_from_the_detail(qtbot, app, workspace, clock, monkeypatch):
    kept_id, kept_ref = _make(app, clock, subject="Charged twice")
    rid, _ = _make(app, clock, subject="Charged twice (again)")
    panel = _open(qtbot, app, workspace, rid)
    button = panel.buttons["Cancelled"]
    assert button.isEnabled()
    _answer(monkeypatch, "Duplicate", kept_ref, "Same user wrote twice")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    with app.store.session() as s:
        i = s.get(Inquiry, rid)
        assert (i.status, i.cancel_reason, i.duplicate_of_id) == (Status.CANCELLED, CancelReason.DUPLICATE, kept_id)
        assert [o.id for o in linked_inquiries(s, i)] == [kept_id]
    qtbot.waitUntil(lambda: panel.detail.values["status"] == "Cancelled")
    assert "Cancelled</b> (Duplicate, left out of the KPIs)" in panel.header.text()
    # Cancelled: only taking it back into work is offered.
    assert not button.isEnabled() and panel.buttons["In Progress"].isEnabled()
    assert not panel.buttons["Resolved"].isEnabled()


def test_the_dialog_asks_for_the_inquiry_kept_of_a_duplicate(qtbot):
    d = CancelDialog()
    qtbot.addWidget(d)
    assert not d.duplicate_of.isEnabled()  # spam first: nothing to name
    d.reason.setCurrentIndex(d.reason.findData("Duplicate"))
    assert d.duplicate_of.isEnabled()
    d._ok()
    assert "Inquiry ID of the inquiry that is kept" in d.message.text() and d.result() == 0
    d.duplicate_of.setText("not an id")
    d._ok()
    assert d.message.text().startswith("Duplicate of:") and d.result() == 0
    d.duplicate_of.setText("scmr-2501-0007")
    d._ok()
    assert d.values() == {"reason": "Duplicate", "duplicate_of": "SCMR-2501-0007", "note": None}


def test_a_refused_cancellation_says_why(qtbot, app, workspace, clock, monkeypatch):
    rid, ref = _make(app, clock)
    panel = _open(qtbot, app, workspace, rid)
    _answer(monkeypatch, "Duplicate", ref)  # a duplicate of itself
    qtbot.mouseClick(panel.buttons["Cancelled"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: panel.error.text() != "")
    assert "cannot be a duplicate of itself" in panel.error.text()
    with app.store.session() as s:
        assert s.get(Inquiry, rid).status == Status.NEW
