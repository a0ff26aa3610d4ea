"""The desktop app's sync against the real server on loopback: connect, background sync, conflicts."""

from __future__ import annotations

import pytest

from saypro_desktop.services.inquiries import create_inquiry
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.ui.conflicts_dialog import ConflictsDialog
from saypro_desktop.ui.connect_dialog import ConnectDialog
from saypro_desktop.ui.sync_controller import SyncController
from tests.conftest import draft
from tests.server_fixtures import *  # noqa: F403
from tests.server_fixtures import DEFAULT_PASSWORD
from tests.ui.conftest import wait_idle


@pytest.fixture(autouse=True)
def controllers_stop_with_their_test(monkeypatch):
    """A controller's retry or after-change timer must not fire in the next test, on a store and task runner
    that test already closed."""
    made: list[SyncController] = []
    real_init = SyncController.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(SyncController, "__init__", init)
    yield
    for controller in made:
        controller._timer.stop()
        controller._debounce.stop()


def test_connect_sync_in_background_and_see_conflicts(qtbot, app, live_server):
    live_server.create_user("boss", "Admin")
    controller = SyncController(app, MemoryTokenStore())
    seen = []
    controller.status_changed.connect(lambda s: seen.append((s.enrolled, s.online, s.running, s.pending)))
    messages = []
    controller.status_changed.connect(lambda s: messages.append(s.message))
    controller.start()
    wait_idle(qtbot, app)
    assert seen[-1][0] is False  # not enrolled: local only, no sync tried

    dialog = ConnectDialog(controller, "boss")
    qtbot.addWidget(dialog)
    dialog.server.setText(live_server.url)
    dialog.password.setText("wrong-password-9")
    dialog.connect_now()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Not connected"), timeout=10_000)
    dialog.password.setText(DEFAULT_PASSWORD)
    with qtbot.waitSignal(controller.finished, timeout=20_000) as done:
        dialog.connect_now()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert controller.status.enrolled and controller.status.online is True
    # The first sync showed its progress in the status bar as it went.
    assert any(m.startswith("Receiving changes: 100 %") for m in messages), messages
    # The untouched local Admin was merged away: the app works on as the server's user.
    assert (app.user.username, app.user.role.value) == ("boss", "Admin")

    app.write(lambda ctx: [create_inquiry(ctx, draft()).id], "inquiry")
    wait_idle(qtbot, app)
    assert controller.status.pending > 0
    with qtbot.waitSignal(controller.finished, timeout=20_000) as done:
        controller.sync_now()
    assert done.args[0].pushed > 0 and controller.status.pending == 0 and controller.status.last_sync

    conflicts = ConflictsDialog(controller)
    qtbot.addWidget(conflicts)
    qtbot.waitUntil(lambda: conflicts.message.text() == "Nothing to settle.", timeout=10_000)


def test_an_unreachable_server_backs_off_and_keeps_everything(qtbot, app, live_server):
    live_server.create_user("boss", "Admin")
    controller = SyncController(app, MemoryTokenStore())
    dialog = ConnectDialog(controller, "boss")
    qtbot.addWidget(dialog)
    dialog.server.setText(live_server.url)
    dialog.password.setText(DEFAULT_PASSWORD)
    with qtbot.waitSignal(controller.finished, timeout=20_000):
        dialog.connect_now()
    live_server.stop()
    app.write(lambda ctx: [create_inquiry(ctx, draft()).id], "inquiry")
    wait_idle(qtbot, app)
    controller.sync_now()
    qtbot.waitUntil(lambda: controller.status.online is False, timeout=20_000)
    assert "will retry in" in controller.status.message
    # 30 s with 20 % jitter; a coarse Qt timer may report up to 5 % more than it was set to
    assert controller._timer.isActive() and 20_000 <= controller._timer.remainingTime() <= 36_000 * 1.05
    assert controller.status.pending > 0  # the change waits, nothing lost
    live_server.start()
    # The operating system reports the network back: the desktop syncs now, not after its backoff.
    from PySide6.QtNetwork import QNetworkInformation

    info = QNetworkInformation.instance()  # a backend loads here (glib); without one, the slot itself
    back = info.reachabilityChanged.emit if info is not None else controller._reachability_changed
    with qtbot.waitSignal(controller.finished, timeout=20_000):
        back(QNetworkInformation.Reachability.Online)
    assert controller.status.online is True and controller.status.pending == 0
    assert controller._failures == 0


def test_a_conflict_is_shown_with_its_inquiry_id_and_who_wrote_each_side(qtbot, app, live_server, tmp_path):
    from saypro_desktop.services.context import acting
    from saypro_desktop.services.inquiries import get_inquiry, update_inquiry
    from saypro_desktop.store import DataPaths, open_store
    from saypro_desktop.sync.engine import SyncEngine, enroll, make_client

    live_server.create_user("boss", "Admin", display_name="Busi Khumalo")
    live_server.create_user("sipho", "Support Agent", display_name="Sipho Ndlovu")
    controller = SyncController(app, MemoryTokenStore())
    with qtbot.waitSignal(controller.finished, timeout=20_000):
        controller.sign_in(live_server.url, "boss", DEFAULT_PASSWORD, lambda _: None, lambda exc: None)
    ref = []
    app.write(lambda ctx: ref.append(create_inquiry(ctx, draft()).display_id), "inquiry")
    wait_idle(qtbot, app)
    with qtbot.waitSignal(controller.finished, timeout=20_000):
        controller.sync_now()
    other = open_store(DataPaths(tmp_path / "other"))
    client = make_client(other, live_server.url, MemoryTokenStore(), "sipho")
    enroll(other, client, "sipho", DEFAULT_PASSWORD)
    SyncEngine(other, client).run()
    with acting(other, "sipho") as ctx:  # both change the subject while apart; Sipho syncs first
        update_inquiry(ctx, get_inquiry(ctx, ref[0]), subject="Featured ad charged twice")
    app.write(lambda ctx: update_inquiry(ctx, get_inquiry(ctx, ref[0]), subject="Double charge on my ad"),
              "inquiry")
    wait_idle(qtbot, app)
    SyncEngine(other, client).run()
    with qtbot.waitSignal(controller.finished, timeout=20_000):
        controller.sync_now()

    conflicts = ConflictsDialog(controller)
    qtbot.addWidget(conflicts)
    qtbot.waitUntil(lambda: conflicts.items.count() == 1, timeout=10_000)
    with acting(app.store) as ctx:  # the provisional reference it was logged with found its real ID
        real = get_inquiry(ctx, ref[0]).inquiry_ref
    title = conflicts.items.item(0).text()
    assert real and title.startswith(f"{real} “Double charge on my ad” · Subject · "), title
    assert conflicts.kept_label.text() == "Shown now (kept by the merge), by Busi Khumalo:"
    assert conflicts.losing_label.text() == "The other edit, by Sipho Ndlovu:"
    assert conflicts.losing.toPlainText() == "Featured ad charged twice"
    client.close()
    other.close()


def test_a_run_that_broke_after_getting_somewhere_goes_on_soon_instead_of_backing_off(qtbot, app):
    from saypro_desktop.sync.client import SyncError
    from saypro_desktop.ui.sync_controller import RESUME_MS

    controller = SyncController(app, MemoryTokenStore())
    controller.status.enrolled = True
    for _ in range(3):  # three runs that got nowhere: 30 s, 60 s, 120 s (with jitter)
        controller.status.running, controller._got_somewhere = True, False
        controller._failed(SyncError("cannot reach the server"))
    assert controller._failures == 3 and controller._timer.remainingTime() > 90_000
    controller.status.running, controller._got_somewhere = True, False
    controller.progress.emit("Receiving changes: 12 %, 40,000 so far…")  # a page was applied, then the line broke
    qtbot.waitUntil(lambda: controller._got_somewhere, timeout=2000)
    controller._failed(SyncError("peer closed connection"))
    assert controller._failures == 0 and controller._timer.interval() <= RESUME_MS * 1.2
    assert "will retry in" in controller.status.message
