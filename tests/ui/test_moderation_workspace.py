"""The Moderation workspace driven by keys and buttons: approve, reject with a reason, ban an advertiser, undo,
and audit a week's sample."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from saypro_desktop.core.moderation import AdStatus, AppealKind, AuditVerdict, DecisionKind, SanctionKind, ad_row_id
from saypro_desktop.core.permissions import Role
from saypro_desktop.models import (
    Ad,
    AdDecision,
    AdReport,
    Appeal,
    ModerationAudit,
    ModerationPolicy,
    Sanction,
    StaffUser,
)
from saypro_desktop.services import ads, moderation
from saypro_desktop.services.context import acting
from saypro_desktop.services.staff import create_staff_user
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.ui.app_context import SignedIn
from saypro_desktop.ui.moderation import dialogs
from saypro_desktop.ui.moderation.workspace import ModerationWorkspace
from saypro_desktop.ui.sync_controller import SyncController
from saypro_server import site
from tests.server_fixtures import *  # noqa: F403
from tests.server_fixtures import DEFAULT_PASSWORD
from tests.ui.conftest import wait_idle


def settle(qtbot, app) -> None:
    """Until nothing is running: a result may start another task (a decision, then the queue read again)."""
    for _ in range(3):
        wait_idle(qtbot, app)


def _import(store, tmp_path, clock, rows: list[tuple[str, str, float]]) -> None:
    """(external id, advertiser, hours before the clock, description)."""
    path = tmp_path / "ads.jsonl"
    path.write_text("".join(json.dumps({
        "external_id": ext, "version": 1, "title": f"Samsung TV {ext}", "price": "4500",
        "description": text, "category": "For Sale", "ad_type": "Offer", "advertiser_id": advertiser,
        "advertiser_name": "Sipho Zulu", "submitted_at": (clock.t - timedelta(hours=hours)).isoformat()}) + "\n"
        for ext, advertiser, hours, text in rows), encoding="utf-8")
    with acting(store, clock=clock) as ctx:
        ads.import_ads(ctx, path)


@pytest.fixture(autouse=True)
def warnings_shown(monkeypatch) -> list[str]:
    """A warning box would block the test: each is recorded instead (and the tests expect none)."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a, **k: None)
    return shown


@pytest.fixture
def answer_dialogs(monkeypatch):
    """The reason and sanction dialogs answer as a moderator would: the first reason ticked (a ban for a
    sanction)."""
    def exec_reasons(self):
        self.list.item(0).setCheckState(Qt.CheckState.Checked)
        if isinstance(self, dialogs.SanctionDialog):
            self.kind.setCurrentIndex(self.kind.findText(SanctionKind.BAN.value))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs.ReasonDialog, "exec", exec_reasons)


def test_the_queue_by_keyboard(qtbot, app, store, clock, tmp_path, answer_dialogs, warnings_shown):
    _import(store, tmp_path, clock, [("A-1", "U1", 20, "Works perfectly, remote included."),
                                     ("A-2", "U2", 3, "Send a deposit first via Western Union."),
                                     ("A-3", "U3", 2, "Good condition, collection only."),
                                     ("A-4", "U2", 1, "Another one, deposit first please.")])
    ws = ModerationWorkspace(app)
    qtbot.addWidget(ws)
    ws.show()
    ws.activated()
    view = ws.queue
    qtbot.waitUntil(lambda: "Works perfectly" in view.pane.toPlainText(), timeout=10_000)  # scored, read, shown
    assert view.rows[0].display == "A-1 v1", "the ad past 12 h comes first"
    assert view.rows[0].overdue and "⚠" in view.table.item(0, 0).text()
    assert "Works perfectly" in view.pane.toPlainText() and "Advertiser Sipho Zulu" in view.pane.toPlainText()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_A)  # approve A-1, the next ad is shown
    settle(qtbot, app)
    assert view.current_id() != ads_id(store, "A-1")
    with store.session() as s:
        assert s.get(Ad, ads_id(store, "A-1")).status is AdStatus.APPROVED
    # The risky ad: its flags are shown with the scam text marked; reject it with a reason.
    view.table.selectRow(next(n for n, r in enumerate(view.rows) if r.display == "A-2 v1"))
    settle(qtbot, app)
    assert "scam" in view.pane.toPlainText().lower()
    assert "#ffe08a" in view.pane.toHtml(), "the text a rule found is marked"
    qtbot.keyClick(view.table, Qt.Key.Key_R)
    settle(qtbot, app)
    with store.session() as s:
        a2 = s.get(Ad, ads_id(store, "A-2"))
        assert a2.status is AdStatus.REJECTED
        assert s.get(AdDecision, a2.decision_id).reasons  # the reason ticked in the dialog
    # Undo the rejection (not synced yet): the ad is back in the queue.
    qtbot.keyClick(view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, app)
    with store.session() as s:
        assert s.get(Ad, ads_id(store, "A-2")).status is AdStatus.PENDING
    assert "A-2 v1" in [r.display for r in view.rows]
    # Ban the advertiser of A-4 from the ad pane.
    view.table.selectRow(next(n for n, r in enumerate(view.rows) if r.display == "A-4 v1"))
    settle(qtbot, app)
    qtbot.keyClick(view.table, Qt.Key.Key_S)
    settle(qtbot, app)
    assert warnings_shown == []
    with store.session() as s:
        (ban,) = s.query(Sanction).all()
        assert ban.kind is SanctionKind.BAN and ban.advertiser_id == "U2"
    assert "In force: Permanent ban" in view.pane.toPlainText()
    # Bulk: select the two ads left of U2 and U3 and reject them together.
    view.table.selectAll()
    qtbot.mouseClick(ws.queue.buttons["reject"], Qt.MouseButton.LeftButton)
    settle(qtbot, app)
    assert view.rows == []
    assert "Nothing waiting" in view.pane.toPlainText()
    assert warnings_shown == []


def ads_id(store, external: str) -> str:
    return ad_row_id(external, 1)


def test_auditing_a_sample(qtbot, app, store, clock, tmp_path, warnings_shown):
    monday = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)  # the week before the test clock's (2025-W02)
    _import(store, tmp_path, clock, [(f"W-{n}", f"U{n}", 200, "A clean ad.") for n in range(12)])
    with acting(store, clock=clock) as ctx:
        mod = create_staff_user(ctx, "mod", "Mo", Role.MODERATOR, password="Correct-horse-9")
        ctx.session.flush()
        ctx.act_as(mod)
        for n in range(12):
            clock.t = monday + timedelta(hours=n)
            moderation.decide(ctx, ads.get_ad(ctx, f"W-{n}"), DecisionKind.APPROVE)
    clock.t = datetime(2025, 1, 14, 8, 0, tzinfo=UTC)
    ws = ModerationWorkspace(app)
    qtbot.addWidget(ws)
    ws.show()
    ws.activated()
    ws.tabs.setCurrentWidget(ws.audit)
    assert ws.audit.week.currentText() == "2025-W02"
    qtbot.mouseClick(ws.audit.draw_button, Qt.MouseButton.LeftButton)
    settle(qtbot, app)
    qtbot.waitUntil(lambda: ws.audit.table.rowCount() == 2)  # 10% of 12, rounded up
    ws.audit.table.selectRow(0)
    qtbot.mouseClick(ws.audit.correct, Qt.MouseButton.LeftButton)
    settle(qtbot, app)
    with store.session() as s:
        verdicts = sorted(str(a.verdict) for a in s.query(ModerationAudit))
    assert verdicts == sorted([str(AuditVerdict.CORRECT), "None"])
    assert "2 drawn, 1 marked, accuracy 100.0%" in ws.audit.summary.text()
    assert warnings_shown == []


def _moderator(store, app, clock):
    """Work on as a Moderator (no appeals to decide, no policy to edit)."""
    with acting(store, clock=clock) as ctx:
        mod = create_staff_user(ctx, "mo", "Mo Moderator", Role.MODERATOR, password="Correct-horse-9")
        ctx.session.flush()
        app.user = SignedIn(mod.id, mod.username, mod.display_name, mod.role)
    return mod


def test_a_user_report_and_an_appeal_recorded_in_the_workspace(qtbot, app, store, clock, tmp_path, monkeypatch,
                                                               warnings_shown):
    _import(store, tmp_path, clock, [("A-1", "U1", 5, "Works perfectly, remote included."),
                                     ("A-2", "U2", 4, "Good condition, collection only.")])
    with acting(store, clock=clock) as ctx:
        moderation.decide(ctx, ads.get_ad(ctx, "A-2"), DecisionKind.REJECT, ["prohibited"])
    _moderator(store, app, clock)
    ws = ModerationWorkspace(app)
    qtbot.addWidget(ws)
    ws.show()
    ws.activated()
    assert ws.policy is None, "the policy is edited by Supervisors and Admins"
    view = ws.queue
    qtbot.waitUntil(lambda: "Works perfectly" in view.pane.toPlainText(), timeout=10_000)

    def exec_report(dialog):
        dialog.reason.setCurrentText("already sold")
        dialog.body.setPlainText("Caller says the TV went last week.")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs.UserReportDialog, "exec", exec_report)
    qtbot.mouseClick(view.buttons["report"], Qt.MouseButton.LeftButton)
    settle(qtbot, app)
    with store.session() as s:
        report = s.query(AdReport).one()
        assert (report.reason, report.text) == ("already sold", "Caller says the TV went last week.")
        assert s.get(Ad, ad_row_id("A-1", 1)).report_count == 1
    qtbot.waitUntil(lambda: view.table.item(0, 6) is not None and view.table.item(0, 6).text() == "1")

    ws.tabs.setCurrentWidget(ws.appeals)
    appeals = ws.appeals
    assert appeals.upheld.isHidden() and appeals.overturned.isHidden(), "a Moderator does not decide appeals"
    answers = iter([("A-1", "Why is my ad not live?"), ("A-2", "The TV is not a prohibited item.")])

    def exec_appeal(dialog):
        ref, text = next(answers)
        dialog.ad.setText(ref)
        dialog.kind.setCurrentIndex(dialog.kind.findText(AppealKind.COMPLAINT.value))
        dialog.body.setPlainText(text)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs.AppealDialog, "exec", exec_appeal)
    qtbot.mouseClick(appeals.record, Qt.MouseButton.LeftButton)  # A-1 has no decision yet
    settle(qtbot, app)
    assert warnings_shown and "has no decision to appeal yet" in warnings_shown[-1]
    qtbot.mouseClick(appeals.record, Qt.MouseButton.LeftButton)
    settle(qtbot, app)
    with store.session() as s:
        appeal = s.query(Appeal).one()
        assert (appeal.kind, appeal.text, appeal.ad_id) == (AppealKind.COMPLAINT, "The TV is not a prohibited item.",
                                                           ad_row_id("A-2", 1))
        assert s.get(StaffUser, appeal.recorded_by_id).username == "mo"
    qtbot.waitUntil(lambda: appeals.table.rowCount() == 1)


def test_the_policy_editor_saves_a_version_and_the_queue_is_scored_with_it(qtbot, app, store, clock, tmp_path,
                                                                           warnings_shown):
    _import(store, tmp_path, clock, [("A-1", "U1", 5, "A hoverboard, glows green, works well and charges fast.")])
    ws = ModerationWorkspace(app)  # the Admin of the app fixture
    qtbot.addWidget(ws)
    ws.show()
    ws.activated()
    view = ws.queue
    qtbot.waitUntil(lambda: len(view.rows) == 1, timeout=10_000)
    assert "prohibited_item" not in view.rows[0].flags
    editor = ws.policy
    ws.tabs.setCurrentWidget(editor)
    qtbot.waitUntil(lambda: "built-in policy" in editor.heading.text())
    items = editor.list_edits["prohibited_items"]
    items.setPlainText(items.toPlainText() + "\nhoverboard\n")
    editor.weights["prohibited_item"].setValue(70)
    # A reason with a code but no label, then a message naming an unknown placeholder: refused, nothing saved.
    editor._add_reason("sold", "")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "row" in editor.error.text() and "needs a code and a label" in editor.error.text()
    editor.reasons.item(editor.reasons.rowCount() - 1, 1).setText("The item is already sold")
    editor.templates["Reject"].setPlainText("Your ad {title} costs {price}.")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, app)
    assert editor.error.text().startswith("Not saved; please correct") and "price" in editor.error.text()
    with store.session() as s:
        assert s.query(ModerationPolicy).count() == 0
    editor.templates["Reject"].setPlainText("Your ad \"{title}\" was not published: {reasons}.")
    editor.note.setText("Hoverboards catch fire")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, app)
    with store.session() as s:
        saved = s.query(ModerationPolicy).one()
        assert saved.version == 1 and "hoverboard" in saved.rules["prohibited_items"]
        assert saved.rules["weights"]["prohibited_item"] == 70 and saved.note == "Hoverboards catch fire"
        assert saved.reasons["sold"] == "The item is already sold" and "scam" in saved.reasons
    qtbot.waitUntil(lambda: "Version 1, saved" in editor.heading.text())
    qtbot.waitUntil(lambda: view.rows and "prohibited_item" in view.rows[0].flags, timeout=10_000)
    assert view.rows[0].risk >= 70
    assert warnings_shown == []


def test_claiming_a_batch_through_the_real_server(qtbot, app, live_server, warnings_shown):
    """The site posts 25 ads; the moderator's desktop connects, claims 20, and works them as "My claims"."""
    key = site.create_integration(live_server.db, f"site-{uuid.uuid4().hex[:8]}", datetime.now(UTC))
    submitted = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    posted = httpx.post(f"{live_server.api}/ads", headers={"Authorization": f"Bearer {key}"}, json={"ads": [
        {"external_id": f"C-{n}", "version": 1, "title": f"Three-seater couch {n}", "description": "Grey fabric.",
         "price": "1500", "category": "For Sale", "ad_type": "Offer", "advertiser_id": f"U{n}",
         "advertiser_name": "Bongani Dube", "submitted_at": submitted} for n in range(25)]})
    assert posted.status_code == 200
    live_server.create_user("zanele", "Moderator")
    controller = SyncController(app, MemoryTokenStore())
    try:
        controller.start()
        ws = ModerationWorkspace(app)
        qtbot.addWidget(ws)
        ws.queue.set_sync(controller)
        ws.show()
        ws.activated()
        ws.queue.claim()  # not connected yet: says what to do, claims nothing
        assert "needs the server" in ws.queue.claim_note.text()
        with qtbot.waitSignal(controller.finished, timeout=30_000):
            controller.sign_in(live_server.url, "zanele", DEFAULT_PASSWORD, lambda _: None, warnings_shown.append)
        settle(qtbot, app)
        with qtbot.waitSignal(controller.finished, timeout=30_000):
            qtbot.mouseClick(ws.queue.claim_button, Qt.MouseButton.LeftButton)
        assert ws.queue.claim_note.text().startswith("20 ad(s) claimed for you until ")
        assert ws.queue.mine.isChecked()
        settle(qtbot, app)
        qtbot.waitUntil(lambda: len(ws.queue.rows) == 20, timeout=10_000)
        ws.queue.mine.setChecked(False)
        qtbot.waitUntil(lambda: len(ws.queue.rows) == 25, timeout=10_000)
        assert warnings_shown == []
    finally:
        controller.stop()
