"""Driving the real Inquiries widgets on a real temporary store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from saypro_desktop.core.vocab import Status
from saypro_desktop.models import Inquiry
from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import create_inquiry
from saypro_desktop.ui.inquiries.action_dialogs import (
    AcknowledgeDialog,
    CloseDialog,
    EscalateDialog,
    NoteDialog,
    ResolveDialog,
)
from saypro_desktop.ui.inquiries.new_inquiry import NewInquiryDialog
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


def _fill_form(dialog: NewInquiryDialog) -> None:
    f = dialog.form
    f.mode.buttons["Phone"].setChecked(True)
    f.user_full_name.setText("Nomvula Sithole")
    f.user_email.setText("nomvula@example.org")
    f.user_type.buttons["Advertiser"].setChecked(True)
    f.subject.setText("Ad rejected without a reason")
    f.category.buttons["Ad Moderation/Approval"].setChecked(True)
    f.description.setPlainText("Her Real Estate ad was rejected this morning.")


def _table_refs(ws) -> list[str]:
    return [ws.model.data(ws.model.index(r, 0)) for r in range(ws.model.rowCount())]


def test_log_an_inquiry_through_the_form_and_find_it(qtbot, app, ui_state, workspace):
    dialog = NewInquiryDialog(app, ui_state, workspace)
    qtbot.addWidget(dialog)
    _fill_form(dialog)
    with qtbot.waitSignal(dialog.created, timeout=5000) as created:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    rid, ref = created.args
    assert ref == "SCMR-2501-0001"
    wait_idle(qtbot, app)
    with app.store.session() as s:
        saved = s.get(Inquiry, rid)
        assert (saved.subject, saved.mode.value, saved.received_by_id) == (
            "Ad rejected without a reason", "Phone", app.user.id)
    assert not (app.store.paths.root / "drafts" / "new-inquiry.json").exists()
    assert ui_state.value("new_inquiry/mode") == "Phone"  # remembered for the next call
    workspace.set_search("rejected")
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: _table_refs(workspace) == ["SCMR-2501-0001"])
    workspace.set_search("no such words")
    wait_idle(qtbot, app)
    assert workspace.model.rowCount() == 0
    assert workspace.count.text() == "Search: 'no such words' in all inquiries – 0 found"


def test_an_invalid_form_is_refused_with_visible_messages(qtbot, app, ui_state):
    dialog = NewInquiryDialog(app, ui_state)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.form.subject.setText("Something")
    dialog.form.user_email.setText("not an email")
    dialog.form.category.buttons["Other"].setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    shown = {k for k, label in dialog.form.errors_label.items() if label.isVisible()}
    assert shown == {"mode", "user_type", "user_full_name", "user_email", "category_other"}
    assert dialog.form.errors_label["user_email"].text().startswith("'not an email' is not an email address")
    assert "5 field(s) need attention" in dialog.message.text()
    with app.store.session() as s:
        assert s.query(Inquiry).count() == 0
    dialog.form.user_full_name.setText("Kagiso Molefe")  # messages follow corrections
    dialog.form.user_full_name.textEdited.emit("Kagiso Molefe")
    assert not dialog.form.errors_label["user_full_name"].isVisible()


def test_a_crash_leaves_a_recoverable_draft(qtbot, app, ui_state, answered_questions):
    dialog = NewInquiryDialog(app, ui_state)
    qtbot.addWidget(dialog)
    dialog.form.subject.setText("Half typed")
    dialog.form.subject.textEdited.emit("Half typed")
    qtbot.waitUntil(lambda: (app.store.paths.root / "drafts" / "new-inquiry.json").exists(), timeout=3000)
    dialog._touched = False  # the app dies here: the draft file is all that is left
    again = NewInquiryDialog(app, ui_state)
    qtbot.addWidget(again)
    assert answered_questions == ["Unsaved inquiry found"]
    assert again.form.subject.text() == "Half typed"


def _make(app, clock, **kw):
    with acting(app.store, clock=clock) as ctx:
        return create_inquiry(ctx, draft(**kw)).id


def _accept(monkeypatch, cls, **values):
    def fake_exec(self):
        for key, value in values.items():
            widget = getattr(self, key)
            if hasattr(widget, "setPlainText"):
                widget.setPlainText(value)
            elif hasattr(widget, "set_value"):
                widget.set_value(value)
            else:
                widget.setChecked(value)
        self._ok()
        return self.result()
    monkeypatch.setattr(cls, "exec", fake_exec)


def test_walk_an_inquiry_through_every_status(qtbot, app, workspace, clock, monkeypatch):
    rid = _make(app, clock)
    workspace.apply_filters()
    wait_idle(qtbot, app)
    workspace.show_inquiry(rid)
    wait_idle(qtbot, app)
    panel = workspace.detail
    qtbot.waitUntil(lambda: panel.detail is not None and panel.detail.id == rid)
    _accept(monkeypatch, AcknowledgeDialog)
    _accept(monkeypatch, EscalateDialog, reason="Needs a senior moderator")
    _accept(monkeypatch, ResolveDialog, resolution="The ad was approved after a second review.",
            confirmation="Yes")
    _accept(monkeypatch, CloseDialog, confirmation="Yes")
    _accept(monkeypatch, NoteDialog, note="The user says the ad vanished again")

    def status():
        with app.store.session() as s:
            return s.get(Inquiry, rid).status

    # acknowledging is the first contact: it starts the work (In Progress) and takes the inquiry on
    for key, expected in (("ack", Status.IN_PROGRESS), ("Escalated", Status.ESCALATED),
                          ("In Progress", Status.IN_PROGRESS), ("Escalated", Status.ESCALATED),
                          ("Resolved", Status.RESOLVED), ("Closed", Status.CLOSED), ("Reopened", Status.REOPENED),
                          ("Resolved", Status.RESOLVED)):
        button = panel.buttons[key]
        qtbot.waitUntil(button.isEnabled)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        wait_idle(qtbot, app)
        assert status() == expected, panel.error.text()
        qtbot.waitUntil(lambda e=expected: panel.detail.values["status"] == e.value)
    assert not panel.buttons["In Progress"].isEnabled()  # Resolved can only close or reopen
    assert panel.timeline.count() >= 7


def test_subjective_resolution_is_shown_inline(qtbot):
    d = ResolveDialog("")
    qtbot.addWidget(d)
    d.resolution.setPlainText("I fixed it, unfortunately late.")
    assert 'first person "I"' in d.findings.text() and d.keep.isVisibleTo(d)
    assert len(d.resolution.extraSelections()) == 2
    d._ok()
    assert "Reword the flagged language" in d.message.text() and d.result() == 0
    d.resolution.setPlainText("The ad was approved after review.")
    assert d.findings.text() == "Language check: objective."


def test_sla_state_changes_when_the_clock_passes_due_time(qtbot, app, workspace, clock):
    _make(app, clock, category="Payment/Billing", subject="Charged twice")  # High: due in 24 h
    workspace.apply_filters()
    wait_idle(qtbot, app)

    def sla():
        workspace.model.data(workspace.model.index(0, 4))  # ask for the page
        wait_idle(qtbot, app)
        return workspace.model.data(workspace.model.index(0, 4))

    assert sla().startswith("On track")
    clock.advance(minutes=50)  # acknowledgement due after one business hour
    assert sla().startswith("At risk · ack due 10m")
    clock.advance(hours=2)
    assert sla().startswith("Breached · ack overdue")
    clock.t = clock.t + timedelta(hours=30)
    assert sla().startswith("Breached")
    workspace.views.setCurrentRow(4)  # "Breached" saved view
    wait_idle(qtbot, app)
    assert workspace.model.rowCount() == 1
    workspace.views.setCurrentRow(5)  # "Escalated"
    wait_idle(qtbot, app)
    assert workspace.model.rowCount() == 0
    QApplication.processEvents()


def test_opening_an_inquiry_is_not_an_edit(qtbot, app, workspace, clock, answered_questions):
    rid = _make(app, clock, description="Line one\nLine two")
    workspace.show_inquiry(rid)
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: workspace.detail.detail is not None)
    workspace.show_inquiry(_make(app, clock, subject="Another"))
    wait_idle(qtbot, app)
    assert answered_questions == []  # no "unsaved changes" question, no draft offered back
    assert not workspace.detail.has_unsaved_edits()
    assert not list((app.store.paths.root / "drafts").glob("edit-*.json")) if (
        app.store.paths.root / "drafts").exists() else True
