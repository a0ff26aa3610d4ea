"""The Staff workspace (Admins) and access that ends while someone is signed in (issue 13)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog

from saypro_desktop.core.permissions import Role
from saypro_desktop.services.context import acting
from saypro_desktop.services.staff import create_staff_user, find_staff, set_access_expiry, set_password
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.ui.app_context import SignedIn
from saypro_desktop.ui.main_window import MainWindow
from saypro_desktop.ui.signin import SignInDialog
from saypro_desktop.ui.staff.dialogs import AddUserDialog, ResetPasswordDialog
from saypro_desktop.ui.staff.workspace import StaffWorkspace
from saypro_desktop.ui.sync_controller import SyncController
from tests.ui.conftest import wait_idle

PASSWORD = "Agent-pass-2025"


@pytest.fixture(autouse=True)
def controllers_stop_with_their_test(monkeypatch):
    made: list[SyncController] = []
    real_init = SyncController.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(SyncController, "__init__", init)
    yield
    for controller in made:
        controller.stop()


def _users(app, clock):
    with acting(app.store, clock=clock) as ctx:
        create_staff_user(ctx, "lerato", "Lerato Mokoena", Role.SUPPORT_AGENT, password=PASSWORD)
        create_staff_user(ctx, "vuyo", "Vuyo Dube", Role.VIEWER, password=PASSWORD)
        set_access_expiry(ctx, "vuyo", date(2025, 1, 15))


@pytest.fixture
def workspace(qtbot, app, clock):
    _users(app, clock)
    ws = StaffWorkspace(app)
    qtbot.addWidget(ws)
    ws.show()
    ws.activated()
    wait_idle(qtbot, app)
    return ws


def _row(ws, username):
    return next(n for n, r in enumerate(ws.rows) if r.username == username)


def _cells(ws, username):
    n = _row(ws, username)
    return [ws.table.item(n, c).text() for c in range(ws.table.columnCount())]


def _select(ws, username):
    ws.table.selectRow(_row(ws, username))
    assert ws.current().username == username


def test_the_list_shows_role_active_expiry_overdue_and_last_sign_in(qtbot, app, clock, workspace):
    assert [r.username for r in workspace.rows] == ["admin", "lerato", "vuyo"]
    assert _cells(workspace, "vuyo") == ["vuyo", "Vuyo Dube", "Viewer", "yes", "15/01/2025", ""]
    with app.store.session() as s:  # lerato signs in on this desktop at 10:00 office time
        dialog = SignInDialog(app.store, clock=clock)
        qtbot.addWidget(dialog)
        dialog.username.setText("lerato")
        dialog.password.setText(PASSWORD)
        dialog._try()
        assert dialog.user is not None
        del s
    clock.advance(days=2)  # vuyo's access ended at midnight on 15/01
    app.bus.announce("staff_user")
    wait_idle(qtbot, app)
    assert _cells(workspace, "vuyo")[4] == "15/01/2025 (expired)"
    assert "expired" in workspace.table.item(_row(workspace, "vuyo"), 4).toolTip()
    assert _cells(workspace, "lerato")[5] == "14/01/2025 10:00"


def test_an_admin_changes_role_expiry_and_active_from_the_workspace(qtbot, app, workspace):
    _select(workspace, "lerato")
    workspace.role.setCurrentText("Marketing")
    workspace.role_button.click()
    wait_idle(qtbot, app)
    assert _cells(workspace, "lerato")[2] == "Marketing" and workspace.done.text() == "lerato: role Marketing"
    _select(workspace, "lerato")
    workspace.expiry.setDate(QDate(2025, 6, 30))
    workspace.expiry_button.click()
    wait_idle(qtbot, app)
    assert _cells(workspace, "lerato")[4] == "30/06/2025"
    _select(workspace, "lerato")
    workspace.no_expiry_button.click()
    wait_idle(qtbot, app)
    assert _cells(workspace, "lerato")[4] == ""
    _select(workspace, "lerato")
    assert workspace.active_button.text() == "&Deactivate"
    workspace.active_button.click()
    wait_idle(qtbot, app)
    assert _cells(workspace, "lerato")[3] == "no" and workspace.active_button.text() == "Reac&tivate"
    workspace.active_button.click()
    wait_idle(qtbot, app)
    assert _cells(workspace, "lerato")[3] == "yes"
    with app.store.session() as s:
        user = find_staff(s, "lerato")
        assert (user.role, user.active, user.access_expires_on) == (Role.MARKETING, True, None)


def test_refusals_are_shown_with_what_to_fix(qtbot, app, workspace):
    _select(workspace, "admin")
    workspace.active_button.click()
    wait_idle(qtbot, app)
    assert workspace.message.isVisible()
    assert workspace.message.text() == "You cannot deactivate your own account; ask another Admin to do it"
    workspace.role.setCurrentText("Viewer")
    workspace.role_button.click()
    wait_idle(qtbot, app)
    assert "last active Admin" in workspace.message.text() and "make another user an Admin first" in \
        workspace.message.text()
    assert _cells(workspace, "admin")[2] == "Admin"


def test_add_a_user_and_reset_a_password_through_the_dialogs(qtbot, app, workspace, monkeypatch):
    def add(dialog):
        if isinstance(dialog, AddUserDialog):
            dialog.username.setText("Sipho.N")
            dialog.display_name.setText("Sipho Ndlovu")
            dialog.role.setCurrentText("Marketing")
            dialog.password.setText("short")
            dialog.repeat.setText("short")
            dialog._check()
            assert dialog.result() != QDialog.DialogCode.Accepted and "at least 8" in dialog.message.text()
            dialog.password.setText("Sipho-pass-2025")
            dialog.repeat.setText("Sipho-pass-2025x")
            dialog._check()
            assert "differ" in dialog.message.text()
            dialog.repeat.setText("Sipho-pass-2025")
        else:
            assert isinstance(dialog, ResetPasswordDialog)
            dialog.password.setText("Fresh-pass-2026")
            dialog.repeat.setText("Fresh-pass-2026")
        dialog._check()
        return dialog.result()

    monkeypatch.setattr(QDialog, "exec", add)
    workspace.add_button.click()
    wait_idle(qtbot, app)
    assert _cells(workspace, "sipho.n")[:4] == ["sipho.n", "Sipho Ndlovu", "Marketing", "yes"]
    _select(workspace, "sipho.n")
    workspace.password_button.click()
    wait_idle(qtbot, app)
    assert workspace.done.text() == "sipho.n: password set"
    with app.store.session() as s:
        from saypro_desktop.services.staff import sign_in

        assert sign_in(s, "sipho.n", "Fresh-pass-2026") is not None
        assert sign_in(s, "sipho.n", "Sipho-pass-2025") is None


def test_the_staff_workspace_is_only_for_admins(qtbot, app, ui_state, clock):
    _users(app, clock)
    window = MainWindow(app, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app)
    assert [window.sidebar.item(i).text() for i in range(window.sidebar.count())][-1] == "Staff"
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert "S&taff" in [a.text() for a in view.actions()]
    with app.store.session() as s:
        lerato = find_staff(s, "lerato")
        agent = SignedIn(lerato.id, lerato.username, lerato.display_name, lerato.role)
    window.become(agent)
    assert "Staff" not in [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert window.staff is None
    window.sync.stop()


def test_a_signed_in_user_is_locked_out_when_the_expiry_passes(qtbot, app, ui_state, clock, monkeypatch):
    """The check's slot, driven with the clock: at 23:59 office time the user works; at midnight the window
    locks, their sync stops, and their own password no longer opens it."""
    _users(app, clock)
    with acting(app.store, clock=clock) as ctx:
        set_access_expiry(ctx, "lerato", date(2025, 1, 14))
        lerato = find_staff(ctx.session, "lerato")
        app.user = SignedIn(lerato.id, lerato.username, lerato.display_name, lerato.role)
    window = MainWindow(app, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app)
    assert window.access.timer.isActive() and window.access.timer.interval() == 60_000
    seen: list[tuple[str, str]] = []

    def answer(dialog):
        dialog.password.setText(PASSWORD)  # the same user tries their own password: refused, and told why
        dialog._try()
        seen.append((dialog.note.text(), dialog.message.text()))
        return QDialog.DialogCode.Rejected  # then Quit

    monkeypatch.setattr(SignInDialog, "exec", answer)
    clock.t = datetime(2025, 1, 14, 21, 59, tzinfo=UTC)  # 23:59 in Johannesburg
    window.access.check()
    wait_idle(qtbot, app)
    assert seen == [] and not window.sync.stopped
    clock.t = datetime(2025, 1, 14, 22, 0, tzinfo=UTC)  # midnight
    window.access.timer.timeout.emit()
    wait_idle(qtbot, app)
    assert len(seen) == 1
    note, refusal = seen[0]
    assert note.startswith("Signed out: Lerato Mokoena: this account's access expired at the end of 14/01/2025")
    assert "Administrator (admin)" in note
    assert "expired at the end of 14/01/2025" in refusal
    assert window.sync.stopped


def test_a_deactivation_brought_by_a_sync_locks_after_the_sync(qtbot, app, ui_state, clock, monkeypatch):
    _users(app, clock)
    with app.store.session() as s:
        set_password(s, find_staff(s, "admin"), "Office-pass-2025")
        lerato = find_staff(s, "lerato")
        app.user = SignedIn(lerato.id, lerato.username, lerato.display_name, lerato.role)
    window = MainWindow(app, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app)
    notes: list[str] = []

    def answer(dialog):  # an Admin signs in at the locked window
        notes.append(dialog.note.text())
        dialog.username.setText("admin")
        dialog.password.setText("Office-pass-2025")
        dialog._try()
        return dialog.result()

    monkeypatch.setattr(SignInDialog, "exec", answer)
    with app.store.session() as s:  # as a pulled change would: the row changes under the signed-in user
        find_staff(s, "lerato").active = False
    window.sync.finished.emit(None)  # a sync ended
    wait_idle(qtbot, app)
    assert len(notes) == 1 and "deactivated; ask an Admin to activate it again" in notes[0]
    assert app.user.username == "admin" and not window.sync.stopped  # the Admin works on, with a sync


def test_a_user_the_server_refuses_is_locked_out_here_too(qtbot, app, ui_state, clock, monkeypatch):
    """The server refuses the user itself (its pull too, so the change never arrives): the controller records
    it, the window locks, and their offline sign-in is refused until the server takes them again."""
    from saypro_desktop.models import Setting
    from saypro_desktop.models.local import SYNC_USERNAME
    from saypro_desktop.services.staff import check_sign_in
    from saypro_desktop.sync.client import AccessEnded

    _users(app, clock)
    with app.store.session() as s:
        s.add(Setting(key=SYNC_USERNAME, value="lerato"))
        lerato = find_staff(s, "lerato")
        app.user = SignedIn(lerato.id, lerato.username, lerato.display_name, lerato.role)
    window = MainWindow(app, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app)
    notes: list[str] = []
    monkeypatch.setattr(SignInDialog, "exec", lambda dialog: notes.append(dialog.note.text()) or 0)
    window.sync._failed(AccessEnded("the server refused: this account is deactivated; ask an Admin"))
    wait_idle(qtbot, app)
    assert len(notes) == 1 and "the office's server said: this account is deactivated" in notes[0]
    with app.store.session() as s:
        assert "deactivated" in check_sign_in(s, "lerato", PASSWORD, clock).refusal
