"""The main window, sign-in and start-up on a real store."""

from __future__ import annotations

import argparse
import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import create_inquiry
from saypro_desktop.store import DataPaths, open_store
from saypro_desktop.ui import app as app_module
from saypro_desktop.ui.main_window import MainWindow
from saypro_desktop.ui.signin import SignInDialog, first_run_admin
from tests.conftest import draft
from tests.ui.conftest import wait_idle


def test_global_search_opens_the_inquiry(qtbot, app, ui_state, clock):
    with acting(app.store, clock=clock) as ctx:
        create_inquiry(ctx, draft(subject="Renew expired ad", user_full_name="Kagiso Molefe"))
        target = create_inquiry(ctx, draft(subject="Charged twice for premium listing",
                                           category="Payment/Billing", user_full_name="Mariëtte du Plessis")).id
    window = MainWindow(app, ui_state)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app)
    assert window.stack.currentWidget() is window.dashboard
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    qtbot.keyClicks(window.search, "mariette")
    qtbot.waitUntil(lambda: window.search.hit_count() == 1, timeout=3000)
    hits = window.search.hits
    assert (hits.item(0, 0).text(), hits.item(0, 1).text()) == ("SCMR-2501-0002", "Charged twice for premium listing")
    popup = window.search.popup_view
    popup.setCurrentIndex(popup.model().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    wait_idle(qtbot, app)
    assert window.stack.currentWidget() is window.inquiries
    qtbot.waitUntil(lambda: window.inquiries.detail.detail is not None
                    and window.inquiries.detail.detail.id == target, timeout=3000)


def test_window_state_is_remembered(qtbot, app, ui_state):
    window = MainWindow(app, ui_state)
    qtbot.addWidget(window)
    window.show()
    window.resize(window.width(), window.minimumSizeHint().height() + 21)  # the offscreen screen is narrow
    closed_height = window.height()
    window.sidebar.setCurrentRow(1)
    wait_idle(qtbot, app)
    window.close()
    assert ui_state.value("main/workspace") == 1
    again = MainWindow(app, ui_state)
    qtbot.addWidget(again)
    assert again.stack.currentWidget() is again.inquiries
    assert again.height() == closed_height and ui_state.value("main/geometry") is not None


def test_every_menu_action_shows_its_shortcut(qtbot, app, ui_state):
    window = MainWindow(app, ui_state)
    qtbot.addWidget(window)
    shortcuts = {a.text(): a.shortcut().toString() for m in window.menuBar().actions()
                 for a in m.menu().actions() if not a.isSeparator()}
    assert shortcuts["&New inquiry…"] == "Ctrl+N" and shortcuts["&Search"] == "Ctrl+K"
    assert shortcuts["&Dashboard"] == "Ctrl+1" and shortcuts["&Inquiries"] == "Ctrl+2"


def test_first_run_sets_the_admin_password_then_sign_in_checks_it(qtbot, store):
    assert first_run_admin(store) == "admin"
    first = SignInDialog(store, "admin")
    qtbot.addWidget(first)
    first.password.setText("short")
    first.repeat.setText("short")
    first._try()
    assert "at least 8 characters" in first.message.text() and first.user is None
    first.password.setText("Office-2025")
    first.repeat.setText("Office-2025")
    first._try()
    assert first.user is not None and first.user.username == "admin"
    assert first_run_admin(store) is None
    later = SignInDialog(store)
    qtbot.addWidget(later)
    later.username.setText("admin")
    later.password.setText("wrong-one-1")
    later._try()
    assert later.user is None and "not right" in later.message.text()
    later.password.setText("Office-2025")
    later._try()
    assert later.user is not None


def test_a_database_that_cannot_be_opened_gets_a_dialog_not_a_traceback(qapp, tmp_path, monkeypatch):
    paths = DataPaths(tmp_path / "desk")
    open_store(paths).close()
    con = sqlite3.connect(paths.database)
    con.execute("UPDATE alembic_version SET version_num = 'future'")
    con.commit()
    con.close()
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    code = app_module.run(argparse.Namespace(data_dir=str(paths.root), as_user=None))
    assert code == 2
    assert shown[0][0] == "SayPro Desk cannot open its database"
    assert "newer version of SayPro Desk" in shown[0][1]


def test_every_workspace_of_an_admin_fits_a_1366_pixel_screen_and_no_title_is_cut(qtbot, app, ui_state):
    window = MainWindow(app, ui_state)  # the app fixture's user is the Admin: every workspace
    qtbot.addWidget(window)
    assert {ws.title for ws in window.workspaces} >= {"Inquiries", "Moderation", "Knowledge", "Feedback"}
    assert window.minimumSizeHint().width() <= 1366, [(ws.title, ws.minimumSizeHint().width())
                                                      for ws in window.workspaces]
    fm = window.sidebar.fontMetrics()
    assert all(fm.horizontalAdvance(ws.title) + 20 <= window.sidebar.width() for ws in window.workspaces)
