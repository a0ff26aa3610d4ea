"""The main window, sign-in and start-up on a real store."""

from __future__ import annotations

import argparse
import sqlite3

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import create_inquiry
from saypro_desktop.store import DataPaths, open_store
from saypro_desktop.ui import app as app_module
from saypro_desktop.ui.main_window import WORKSPACES, MainWindow
from saypro_desktop.ui.signin import SignInDialog, first_run_admin
from saypro_desktop.ui.workspace import Workspace
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
    window.sidebar.setCurrentRow(1)  # built when first shown: the window's least height is then the one it opens on
    wait_idle(qtbot, app)
    window.resize(window.width(), window.minimumSizeHint().height() + 21)  # the offscreen screen is narrow
    closed_height = window.height()
    window.close()
    assert ui_state.value("main/workspace") == 1
    again = MainWindow(app, ui_state)
    qtbot.addWidget(again)
    assert again.stack.currentWidget() is again.inquiries
    assert again.height() == closed_height and ui_state.value("main/geometry") is not None


def _built(window) -> list[str]:
    return [type(w).__name__ for w in map(window.stack.widget, range(window.stack.count())) if isinstance(w, Workspace)]


def test_a_workspace_is_built_when_first_shown_or_asked_for(qtbot, app, ui_state):
    ui_state.setValue("main/workspace", 1)
    window = MainWindow(app, ui_state)  # the first Admin: every workspace
    qtbot.addWidget(window)
    titles = [entry.title for entry in WORKSPACES if entry.allowed(app)]
    assert titles[:6] == ["Dashboard", "Inquiries", "Moderation", "Reports", "Knowledge", "Feedback"]
    assert [window.sidebar.item(i).text() for i in range(window.sidebar.count())] == titles
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert [(a.text().replace("&", ""), a.shortcut().toString()) for a in view.actions()][:len(titles)] == [
        (title, f"Ctrl+{n}") for n, title in enumerate(titles, 1)]
    assert window.stack.count() == len(titles) and _built(window) == ["InquiriesWorkspace"]  # only the one shown
    window.show()
    # The Dashboard announces what is due within the hour while hidden: built just after the first paint.
    qtbot.waitUntil(lambda: "DashboardWorkspace" in _built(window), timeout=5000)
    assert window.stack.currentWidget() is window.inquiries
    assert _built(window) == ["DashboardWorkspace", "InquiriesWorkspace"]
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)  # View → Reports
    assert _built(window) == ["DashboardWorkspace", "InquiriesWorkspace", "ReportsWorkspace"]
    assert window.stack.currentWidget() is window.reports and window.sidebar.currentRow() == 3
    assert type(window.knowledge).__name__ == "KnowledgeWorkspace"  # asked for: built, not shown
    assert window.stack.currentWidget() is window.reports and window.stack.indexOf(window.knowledge) == 4
    assert [type(ws).__name__ for ws in window.workspaces] == [f"{t}Workspace" for t in titles]
    wait_idle(qtbot, app)


def test_building_a_workspace_after_the_window_is_shown_opens_no_other_window(qtbot, app, ui_state):
    """A button shown before it is in a layout is a window of its own: a flash, and the main window lost the
    focus when the Inquiries workspace was first shown."""
    window = MainWindow(app, ui_state)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    shown: list[str] = []

    class Windows(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Show and obj.isWidgetType() and obj.isWindow() and obj is not window:
                shown.append(type(obj).__name__)
            return False

    watch = Windows()
    QApplication.instance().installEventFilter(watch)
    try:
        assert len(window.workspaces) == window.sidebar.count() >= 6
    finally:
        QApplication.instance().removeEventFilter(watch)
    assert shown == []
    assert QApplication.activeWindow() is window
    wait_idle(qtbot, app)


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


def test_the_start_paints_a_frame_before_the_store_opens_and_closes_it_after(qapp, tmp_path, monkeypatch):
    import saypro_desktop.store as store_module

    on_screen: list[list[str]] = []

    def opening(paths):  # what is on screen while the store opens
        on_screen.append([w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()])
        raise store_module.StoreError("not this time")

    monkeypatch.setattr(store_module, "open_store", opening)
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: on_screen.append(
        [w.accessibleName() for w in QApplication.topLevelWidgets() if w.isVisible()]))
    assert app_module.run(argparse.Namespace(data_dir=str(tmp_path / "desk"), as_user=None)) == 2
    assert on_screen == [["SayPro Desk"], []]  # the frame while opening; gone before the message


def test_every_workspace_of_an_admin_fits_a_1366_pixel_screen_and_no_title_is_cut(qtbot, app, ui_state):
    window = MainWindow(app, ui_state)  # the app fixture's user is the Admin: every workspace
    qtbot.addWidget(window)
    assert {ws.title for ws in window.workspaces} >= {"Inquiries", "Moderation", "Knowledge", "Feedback"}
    assert window.minimumSizeHint().width() <= 1366, [(ws.title, ws.minimumSizeHint().width())
                                                      for ws in window.workspaces]
    fm = window.sidebar.fontMetrics()
    assert all(fm.horizontalAdvance(ws.title) + 20 <= window.sidebar.width() for ws in window.workspaces)
