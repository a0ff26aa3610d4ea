"""The agent's day on the real widgets: quick search over every inquiry, assignment by acknowledging, who handled
an unassigned inquiry, automatic escalation on its timer."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from saypro_desktop.core.permissions import Role
from saypro_desktop.core.vocab import ActionKind, Status
from saypro_desktop.models import Inquiry
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services import sla_watch
from saypro_desktop.services.context import acting
from saypro_desktop.services.staff import create_staff_user
from saypro_desktop.ui import escalation_watch
from saypro_desktop.ui.escalation_watch import AutoEscalation
from saypro_desktop.ui.inquiries.action_dialogs import AcknowledgeDialog, ResolveDialog
from saypro_desktop.ui.inquiries.table_model import COLUMNS
from saypro_desktop.ui.inquiries.workspace import InquiriesWorkspace
from saypro_desktop.ui.main_window import MainWindow
from tests.conftest import draft
from tests.ui.conftest import wait_idle


def _status(app, rid) -> Inquiry:
    with app.store.session() as s:
        i = s.get(Inquiry, rid)
        s.expunge(i)
        return i


def _column(ws, key: str) -> list[str]:
    col = [k for k, _ in COLUMNS].index(key)
    return [ws.model.data(ws.model.index(r, col)) for r in range(ws.model.rowCount())]


def _shows(qtbot, ws, key: str, expected: list[str]) -> None:
    """Rows arrive by page in the background: ask, then wait for them."""
    qtbot.waitUntil(lambda: _column(ws, key) == expected, timeout=3000)


@pytest.fixture
def office(app, clock):
    """Three inquiries: one for Hélène (her name only in the user field), one whose only mention of a word is in
    an action step, and one escalated (the view the list is left on)."""
    with acting(app.store, clock=clock) as ctx:
        helene = svc.create_inquiry(ctx, draft(subject="Ad still pending", user_full_name="Hélène Dubois"))
        wizard = svc.create_inquiry(ctx, draft(subject="Renew expired ad", user_full_name="Sipho Ndlovu"))
        svc.add_action_step(ctx, wizard, "Walked the user through the renewal wizard", ActionKind.USER_CONTACT)
        other = svc.create_inquiry(ctx, draft(subject="Payment failed", user_full_name="Kagiso Molefe"))
        svc.change_status(ctx, other, "Escalated", tier="Tier 2", reason="Needs billing access")
        return {"helene": (helene.id, helene.display_id), "wizard": (wizard.id, wizard.display_id),
                "other": (other.id, other.display_id)}


@pytest.fixture
def window(qtbot, app, ui_state, office):
    w = MainWindow(app, ui_state)
    qtbot.addWidget(w)
    w.show()
    wait_idle(qtbot, app)
    # the list is left on a narrow view: the quick search must not be kept to it
    w.inquiries.views.setCurrentRow(5)  # Escalated
    wait_idle(qtbot, app)
    _shows(qtbot, w.inquiries, "ref", [office["other"][1]])
    return w


def _quick_search(qtbot, window, app, words: str) -> None:
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    window.search.clear()
    qtbot.keyClicks(window.search, words)


def test_quick_search_finds_accent_free_names_with_one_enter_in_all_inquiries(qtbot, app, window, office):
    _quick_search(qtbot, window, app, "helene")
    qtbot.waitUntil(lambda: window.search.hit_count() == 1, timeout=3000)  # the drop-down, while typing
    hits = window.search.hits
    assert [hits.item(0, c).text() for c in range(4)] == [office["helene"][1], "Ad still pending", "Hélène Dubois",
                                                          "New"]
    qtbot.keyClick(window.search, Qt.Key.Key_Return)  # one Enter
    wait_idle(qtbot, app)
    ws = window.inquiries
    assert window.stack.currentWidget() is ws
    qtbot.waitUntil(lambda: ws.count.text() == "Search: 'helene' in all inquiries – 1 found", timeout=3000)
    assert ws.views.currentRow() == 0
    _shows(qtbot, ws, "ref", [office["helene"][1]])
    _shows(qtbot, ws, "user", ["Hélène Dubois"])
    user = [k for k, _ in COLUMNS].index("user")
    header = ws.table.horizontalHeader()
    assert not ws.table.isColumnHidden(user) and header.visualIndex(user) == 1  # beside the Inquiry ID
    assert not window.search.popup_view.isVisible()
    ws.search.clear()  # the search cleared: the columns go back where they were
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: header.visualIndex(user) == user, timeout=3000)


def test_quick_search_finds_words_of_action_steps_even_before_the_drop_down(qtbot, app, window, office):
    _quick_search(qtbot, window, app, "wizard")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)  # at once: no waiting for the drop-down
    wait_idle(qtbot, app)
    ws = window.inquiries
    qtbot.waitUntil(lambda: ws.count.text() == "Search: 'wizard' in all inquiries – 1 found", timeout=3000)
    _shows(qtbot, ws, "ref", [office["wizard"][1]])
    qtbot.wait(300)  # a late drop-down result for the same words does not pop up over the list
    assert not window.search.popup_view.isVisible()
    ws.status.setCurrentIndex(ws.status.findData("New"))  # narrowed by hand: the line says so
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: ws.count.text() == "Search: 'wizard' in Status: New – 0 found", timeout=3000)


def test_picking_a_hit_in_the_drop_down_opens_it(qtbot, app, window, office):
    _quick_search(qtbot, window, app, "renewal")
    qtbot.waitUntil(lambda: window.search.popup_view.isVisible(), timeout=3000)
    popup = window.search.popup_view
    popup.setCurrentIndex(popup.model().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    wait_idle(qtbot, app)
    detail = window.inquiries.detail
    qtbot.waitUntil(lambda: detail.detail is not None and detail.detail.id == office["wizard"][0], timeout=3000)


@pytest.fixture
def workspace(qtbot, app, ui_state):
    ws = InquiriesWorkspace(app, ui_state)
    qtbot.addWidget(ws)
    ws.show()
    wait_idle(qtbot, app)
    return ws


def _open(qtbot, app, ws, rid):
    ws.apply_filters()
    ws.show_inquiry(rid)
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: ws.detail.detail is not None and ws.detail.detail.id == rid)


def test_acknowledging_assigns_the_inquiry_to_the_agent(qtbot, app, workspace, clock, monkeypatch):
    with acting(app.store, clock=clock) as ctx:
        rid = svc.create_inquiry(ctx, draft()).id
    _open(qtbot, app, workspace, rid)
    monkeypatch.setattr(AcknowledgeDialog, "exec", lambda d: (d._ok(), d.result())[1])  # OK as it opens
    panel = workspace.detail
    assert panel.assignee.currentText() == "(unassigned)"
    qtbot.mouseClick(panel.buttons["ack"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    saved = _status(app, rid)
    assert (saved.assigned_to_id, saved.status, saved.acknowledged_at) == (app.user.id, Status.IN_PROGRESS, clock.t)
    qtbot.waitUntil(lambda: panel.assignee.currentText() == app.user.display_name)
    assert not panel.buttons["ack"].isEnabled() and not panel.buttons["In Progress"].isEnabled()
    steps = [panel.timeline.item(n).text() for n in range(panel.timeline.count())]
    assert any("Assigned to Administrator (acknowledged it)" in s for s in steps)


def test_resolving_an_unassigned_inquiry_asks_who_handled_it(qtbot, app, workspace, clock, monkeypatch):
    with acting(app.store, clock=clock) as ctx:
        agent = create_staff_user(ctx, "lerato", "Lerato Mokoena", Role.SUPPORT_AGENT).id
        rid = svc.create_inquiry(ctx, draft()).id
    _open(qtbot, app, workspace, rid)
    shown = []

    def fake_exec(dialog):
        assert dialog.handled_by is not None and dialog.handled_by.isVisibleTo(dialog)
        shown.append(dialog.handled_by.currentText())  # starts on the signed-in user
        dialog.handled_by.setCurrentIndex(dialog.handled_by.findData(agent))
        dialog.resolution.setPlainText("The ad was approved after a second review.")
        dialog._ok()
        return dialog.result()

    monkeypatch.setattr(ResolveDialog, "exec", fake_exec)
    qtbot.mouseClick(workspace.detail.buttons["Resolved"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    assert shown == ["Administrator"]
    saved = _status(app, rid)
    assert (saved.status, saved.assigned_to_id) == (Status.RESOLVED, agent), workspace.detail.error.text()


def test_an_assigned_inquiry_resolves_without_the_question(qtbot):
    d = ResolveDialog("")
    qtbot.addWidget(d)
    assert d.handled_by is None and "handled_by_id" not in d.values()


def test_auto_escalation_runs_at_start_and_on_its_timer_on_the_writer_thread(qtbot, app, clock, monkeypatch):
    threads = []
    real = sla_watch.run_auto_escalation

    def spy(ctx):
        threads.append(threading.current_thread().name)
        return real(ctx)

    monkeypatch.setattr(escalation_watch, "run_auto_escalation", spy)
    with acting(app.store, clock=clock) as ctx:
        first = svc.create_inquiry(ctx, draft(category="Payment/Billing", subject="Charged twice"))
        first_ref = first.display_id
    clock.advance(hours=25)  # High: due at 24 h
    announced = []
    app.bus.changed.connect(lambda entity, ids: announced.append((entity, ids)))
    watch = AutoEscalation(app, interval_ms=100)
    with qtbot.waitSignal(watch.escalated, timeout=5000) as at_start:
        watch.start()
    assert at_start.args == [[first_ref]]
    assert ("inquiry", [first.id]) in announced
    with acting(app.store, clock=clock) as ctx:
        second = svc.create_inquiry(ctx, draft(subject="Images look blurry", category="Technical Issue"))
        second_id, second_ref = second.id, second.display_id
    clock.advance(hours=49)
    with qtbot.waitSignal(watch.escalated, timeout=5000) as on_timer:
        pass  # the timer fires by itself
    watch.stop()
    wait_idle(qtbot, app)
    assert on_timer.args == [[second_ref]]
    assert set(threads) == {"saypro-db-writer"} and len(threads) >= 2
    saved = _status(app, second_id)
    assert (saved.status, saved.auto_escalated) == (Status.ESCALATED, True)


def test_the_main_window_escalates_at_start_and_says_so(qtbot, app, ui_state, clock):
    with acting(app.store, clock=clock) as ctx:
        made = svc.create_inquiry(ctx, draft(subject="Images look blurry", category="Technical Issue"))
        rid, ref = made.id, made.display_id
    clock.advance(hours=49)
    w = MainWindow(app, ui_state)
    qtbot.addWidget(w)
    w.show()
    assert w.escalation.timer.interval() == 5 * 60 * 1000 and w.escalation.timer.isActive()
    qtbot.waitUntil(lambda: ref in w.status.currentMessage(), timeout=5000)
    assert w.status.currentMessage() == f"1 escalated automatically (unresolved past due): {ref}"
    w.show_inquiry(rid)  # its history says the change was the automatic escalation
    wait_idle(qtbot, app)
    history = w.inquiries.detail.history
    qtbot.waitUntil(lambda: history.topLevelItemCount() == 2, timeout=3000)
    assert [history.topLevelItem(n).text(2) for n in range(2)] == ["create", "update (automatic escalation)"]
