"""The Moderation workspace driven by keys and buttons: approve, reject with a reason, ban an advertiser, undo,
and audit a week's sample."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from saypro_desktop.core.moderation import AdStatus, AuditVerdict, DecisionKind, SanctionKind, ad_row_id
from saypro_desktop.core.permissions import Role
from saypro_desktop.models import Ad, AdDecision, ModerationAudit, Sanction
from saypro_desktop.services import ads, moderation
from saypro_desktop.services.context import acting
from saypro_desktop.services.staff import create_staff_user
from saypro_desktop.ui.moderation import dialogs
from saypro_desktop.ui.moderation.workspace import ModerationWorkspace
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
