"""Signing in on a demo store, switching user, locking after inactivity, signing in with a server account, and
what the status bar says on a desk without a server."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from saypro_desktop.cli.main import main
from saypro_desktop.core.permissions import Role
from saypro_desktop.services.context import acting
from saypro_desktop.services.staff import create_staff_user, sign_in
from saypro_desktop.store import DataPaths, open_store
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.ui.app_context import SignedIn
from saypro_desktop.ui.main_window import MainWindow, first_size
from saypro_desktop.ui.signin import SignInDialog, first_run_admin
from saypro_desktop.ui.sync_controller import SyncController
from tests.server_fixtures import *  # noqa: F403
from tests.server_fixtures import DEFAULT_PASSWORD
from tests.ui.conftest import wait_idle

AGENT_PASSWORD = "Agent-pass-2025"


@pytest.fixture(autouse=True)
def controllers_stop_with_their_test(monkeypatch):
    """No sync timer of this test may fire in the next one (on a store it closed)."""
    made: list[SyncController] = []
    real_init = SyncController.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(SyncController, "__init__", init)
    yield
    for controller in made:
        controller.stop()


def _answer_next_dialog(qtbot, username: str | None, password: str, cancel: bool = False) -> list[str]:
    """Fill and accept the next modal sign-in dialog when it appears; returns its window titles."""
    seen: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SignInDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append(dialog.windowTitle())
        if cancel:
            dialog.reject()
            return
        if username is not None:
            dialog.username.setText(username)
        dialog.password.setText(password)
        dialog._try()
        if dialog.isVisible():  # refused: say so and give up
            seen.append(dialog.message.text())
            dialog.reject()

    QTimer.singleShot(0, answer)
    return seen


def _agent(store, clock) -> SignedIn:
    with acting(store, clock=clock) as ctx:
        user = create_staff_user(ctx, "lerato", "Lerato Mokoena", Role.SUPPORT_AGENT, password=AGENT_PASSWORD)
        return SignedIn(user.id, user.username, user.display_name, user.role)


def test_a_demo_store_opens_on_the_sign_in_with_the_logins_it_printed(qtbot, tmp_path, capsys):
    folder = tmp_path / "demo"
    assert main(["demo-data", "--inquiries", "3", "--months", "1", "--until", "2025-01-31",
                 "--data-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    table = {m[0]: (m[1], m[2]) for m in re.findall(r"^  (\S+)\s{2,}(\S.*?)\s{2,}(\S+)$", out, re.M)}
    assert table["login"] == ("role", "password")
    assert table["admin"][0] == "Admin" and table["nomsa.dlamini"][0] == "Supervisor"
    assert table["zanele.khumalo"][0] == "Moderator"
    store = open_store(DataPaths(folder))
    try:
        assert first_run_admin(store) is None  # no "choose the first Administrator's password" step
        for login in ("nomsa.dlamini", "admin"):
            role, password = table[login]
            dialog = SignInDialog(store)
            qtbot.addWidget(dialog)
            assert not dialog.username.isReadOnly()
            dialog.username.setText(login)
            dialog.password.setText(password)
            dialog._try()
            assert dialog.user is not None, dialog.message.text()
            assert (dialog.user.username, dialog.user.role.value) == (login, role)
    finally:
        store.close()


def test_a_second_demo_run_keeps_a_password_the_admin_chose(tmp_path, capsys):
    folder = tmp_path / "demo"
    store = open_store(DataPaths(folder))
    with store.session() as s:
        from saypro_desktop.services.staff import ensure_first_admin, set_password

        set_password(s, ensure_first_admin(s), "Own-choice-2025")
    store.close()
    assert main(["demo-data", "--inquiries", "1", "--months", "1", "--until", "2025-01-31",
                 "--data-dir", str(folder)]) == 0
    admin_line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("  admin "))
    assert "its own" in admin_line
    store = open_store(DataPaths(folder))
    with store.session() as s:
        assert sign_in(s, "admin", "Own-choice-2025") is not None
    store.close()


def test_a_wrong_password_grows_the_dialog_instead_of_squashing_it(qtbot, store):
    from saypro_desktop.services.staff import ensure_first_admin, set_password

    with store.session() as s:
        set_password(s, ensure_first_admin(s), "Office-2025")
    dialog = SignInDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = dialog.height()
    dialog.username.setText("admin")
    dialog.password.setText("wrong-pass-1")
    dialog._try()
    qtbot.wait(10)
    assert dialog.message.isVisible() and dialog.height() > before
    form = [w for w in dialog.findChildren(QLineEdit) if w.isVisible()]
    layout = dialog.layout()
    for i in range(layout.count() - 1):  # the rows do not overlap: each starts below the one before
        a, b = layout.itemAt(i).geometry(), layout.itemAt(i + 1).geometry()
        assert a.bottom() < b.top(), (i, a, b)
    assert all(w.height() >= w.minimumSizeHint().height() for w in form)


def test_switch_user_rebuilds_the_workspaces_for_the_role_and_restarts_sync(qtbot, app, ui_state, clock):
    agent = _agent(app.store, clock)
    window = MainWindow(app, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app)
    assert [ws.title for ws in window.workspaces] == ["Dashboard", "Inquiries", "Moderation", "Reports", "Knowledge",
                                                         "Feedback", "Staff"]
    old_sync, old_inquiries = window.sync, window.inquiries
    seen = _answer_next_dialog(qtbot, "lerato", AGENT_PASSWORD)
    qtbot.keyClick(window, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: app.user.username == "lerato", timeout=5000)
    assert seen == ["SayPro Desk – switch user"]
    assert app.user == agent
    # An agent moderates no ads: the window is rebuilt with the agent's workspaces and menus.
    agent_spaces = ["Dashboard", "Inquiries", "Reports", "Knowledge", "Feedback"]
    assert [ws.title for ws in window.workspaces] == agent_spaces
    assert [window.sidebar.item(i).text() for i in range(window.sidebar.count())] == agent_spaces
    assert window.stack.count() == 5 and window.inquiries is not old_inquiries
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert [a.text() for a in view.actions()][:3] == ["&Dashboard", "&Inquiries", "&Reports"]
    assert "Lerato Mokoena (Support Agent)" in window.status.user.text()
    # The old user's sync controller is stopped for good; a new one runs for the new user.
    assert old_sync.stopped and not old_sync._timer.isActive() and not old_sync._debounce.isActive()
    assert window.sync is not old_sync and not window.sync.stopped
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: not window._retired, timeout=5000)  # the old workspaces are gone once idle
    # A wrong password leaves the user as it was.
    seen = _answer_next_dialog(qtbot, "admin", "not-the-password-1")
    window.switch_user()
    assert app.user == agent and "not right" in seen[-1]


def test_the_desk_locks_after_inactivity_and_unlocks_with_the_same_password(qtbot, app, ui_state, clock):
    from saypro_desktop.services.staff import ensure_first_admin, set_password

    with app.store.session() as s:
        set_password(s, ensure_first_admin(s), "Office-2025")
    ui_state.setValue("security/lock_minutes", 7)
    window = MainWindow(app, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app)
    assert window.lock_timer.minutes == 7 and window.lock_timer._timer.interval() == 7 * 60_000
    assert window.lock_timer.remaining_ms() > 0
    before = window.lock_timer.last_activity
    qtbot.wait(30)
    qtbot.keyClick(window.search, Qt.Key.Key_A)  # any key starts the count again
    assert window.lock_timer.last_activity > before
    hidden: list[bool] = []
    QTimer.singleShot(0, lambda: hidden.append(window.centralWidget().isVisible()))
    seen = _answer_next_dialog(qtbot, None, "Office-2025")  # the name is filled in: the same user
    window.lock_timer._timeout()  # the minutes have passed
    assert seen[0] == "SayPro Desk – locked" and hidden == [False]  # the work was hidden while locked
    assert app.user.username == "admin" and window.centralWidget().isVisible()
    assert window.lock_timer.remaining_ms() > 0  # counting again


def test_the_lock_lets_another_user_sign_in(qtbot, app, ui_state, clock):
    agent = _agent(app.store, clock)
    window = MainWindow(app, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app)
    _answer_next_dialog(qtbot, "lerato", AGENT_PASSWORD)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert app.user == agent and window.moderation is None


def test_signing_in_with_a_server_account_enrols_the_desktop(qtbot, app, live_server):
    live_server.create_user("boss", "Admin", display_name="Busi Khumalo")
    dialog = SignInDialog(app.store, first_run_admin(app.store), runner=app.runner, tokens=MemoryTokenStore())
    qtbot.addWidget(dialog)
    assert dialog.username.isReadOnly()  # first start: the local Admin's password is chosen here...
    dialog.use_server.setChecked(True)  # ...unless one signs in with the office server's account
    assert not dialog.username.isReadOnly() and dialog.server.isVisibleTo(dialog)
    assert not dialog.repeat.isVisibleTo(dialog)
    dialog.server.setText(live_server.url)
    dialog.username.setText("boss")
    dialog.password.setText("wrong-password-9")
    dialog._try()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Not signed in at the server"), timeout=10_000)
    assert dialog.user is None and dialog.buttons.isEnabled()
    dialog.password.setText(DEFAULT_PASSWORD)
    dialog._try()
    qtbot.waitUntil(lambda: dialog.user is not None, timeout=10_000)
    assert (dialog.user.username, dialog.user.display_name, dialog.user.role) == ("boss", "Busi Khumalo", Role.ADMIN)
    assert dialog.enrolled and dialog.result() == dialog.DialogCode.Accepted
    # Enrolled as `saypro login` does; the server's password now signs in here, offline too.
    from saypro_desktop.sync.engine import ENROLLED, SERVER_URL, _setting

    with app.store.session() as s:
        assert _setting(s, ENROLLED) and _setting(s, SERVER_URL) == live_server.url
        assert sign_in(s, "boss", DEFAULT_PASSWORD) is not None
    assert first_run_admin(app.store) is None


def test_a_desk_without_a_server_says_local_only_and_f5_says_why_nothing_happens(qtbot, app, ui_state):
    window = MainWindow(app, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app)
    assert window.status.network.text() == "Local only (no server)"
    assert not window.status.pending.isVisible()  # no "Pending changes: 18519" with nothing to send them to
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.status.currentMessage() == "No server: File → Connect to server"


def test_the_first_window_fits_a_1366_by_768_screen():
    assert first_size(QSize(1366, 728)).height() <= 728 - 32 and first_size(QSize(1366, 728)).width() <= 1366
    assert first_size(QSize(1920, 1040)) == QSize(1280, 800)


def test_the_lock_minutes_are_set_in_settings(qtbot, app, ui_state):
    from saypro_desktop.ui.idle_lock import idle_minutes
    from saypro_desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(app, ui_state)
    qtbot.addWidget(dialog)
    assert dialog.lock_minutes.value() == 15  # the default
    dialog.lock_minutes.setValue(0)
    assert dialog.lock_minutes.text() == "Never"
    dialog.accept()
    wait_idle(qtbot, app)
    assert idle_minutes(ui_state) == 0
    window = MainWindow(app, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(window)
    assert window.lock_timer.remaining_ms() == -1  # never locks


def test_sign_out_puts_the_window_away_until_someone_signs_in(qtbot, app, ui_state, clock, monkeypatch):
    agent = _agent(app.store, clock)
    window = MainWindow(app, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app)
    shown_while_asking: list[bool] = []
    QTimer.singleShot(0, lambda: shown_while_asking.append(window.isVisible()))
    seen = _answer_next_dialog(qtbot, "lerato", AGENT_PASSWORD)
    window.sign_out()
    assert seen == ["SayPro Desk – sign in"] and shown_while_asking == [False]
    assert app.user == agent and window.isVisible() and window.moderation is None
    # Cancel at the sign-in quits.
    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda *_: quits.append(True))
    _answer_next_dialog(qtbot, None, "", cancel=True)
    window.sign_out()
    assert quits == [True] and window.sync.stopped


def test_a_new_users_sync_waits_for_the_last_users_run_to_end(qtbot, app, monkeypatch):
    started: list[str] = []
    monkeypatch.setattr(SyncController, "start", lambda self: started.append(self.objectName()))
    first, second, third = (SyncController(app, MemoryTokenStore()) for _ in range(3))
    for name, c in (("first", first), ("second", second), ("third", third)):
        c.setObjectName(name)
    first.status.running = True  # a sync under way when the user switched
    first.stop()
    second.start_after(first)
    qtbot.wait(20)
    assert started == []  # never two runs at once
    second.stop()  # switched again before the first run ended
    third.start_after(second)
    qtbot.wait(20)
    assert started == []
    first._failed(OSError("the line dropped"))  # the old run ends
    qtbot.wait(20)
    assert started == ["third"] and not third.stopped
