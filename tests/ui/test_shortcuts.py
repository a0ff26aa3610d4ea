"""Every key in every window does one thing: a walk over each window's widgets (the main window with each
workspace and each of its tabs, the main dialogs) fails on a key taken twice. Tab leaves tables."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTabWidget

from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import create_inquiry
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.ui import file_dialogs
from saypro_desktop.ui.main_window import MainWindow
from saypro_desktop.ui.shortcuts import ShortcutsDialog, menu_bindings, taken_twice, window_bindings
from saypro_desktop.ui.sync_controller import SyncController
from tests.conftest import draft
from tests.ui.conftest import wait_idle


@pytest.fixture
def window(qtbot, app, ui_state):
    w = MainWindow(app, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(w)
    w.show()
    wait_idle(qtbot, app)
    yield w
    w.sync.stop()


def _window_keys(window) -> list:
    # Menu items' own shortcuts work window-wide; their Alt+letters only inside their open menu.
    return window_bindings(window) + [b for b in menu_bindings(window.menuBar()) if ":" not in b.keys]


def test_no_key_is_taken_twice_in_the_main_window_in_any_workspace_or_tab(qtbot, app, window):
    checked = 0
    for row, ws in enumerate(window.workspaces):
        window.sidebar.setCurrentRow(row)
        tabs = ws.findChildren(QTabWidget)
        for tab_widget, index in [(None, 0)] + [(t, i) for t in tabs for i in range(t.count())]:
            if tab_widget is not None:
                tab_widget.setCurrentIndex(index)
            where = f"{ws.title}" + (f" / {tab_widget.tabText(index)}" if tab_widget is not None else "")
            assert taken_twice(_window_keys(window)) == {}, where
            checked += 1
    assert checked >= 10  # every workspace and every tab of the inquiry and the moderation desks
    # Within each menu, each item has its own letter.
    assert taken_twice([b for b in menu_bindings(window.menuBar()) if ":" in b.keys]) == {}


def test_the_walk_finds_a_key_taken_twice(qtbot, window):
    """The check is real: a second button on Alt+H (the Help menu's letter) is caught."""
    from PySide6.QtWidgets import QPushButton

    extra = QPushButton("C&hannel", window.inquiries)
    extra.show()
    window.sidebar.setCurrentRow(window.workspaces.index(window.inquiries))
    clash = taken_twice(_window_keys(window))
    assert set(clash) == {"alt+h"} and any("Help menu" in what for what in clash["alt+h"])


def test_alt_h_opens_the_help_menu_and_the_menus_have_their_own_letters(qtbot, window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Inquiry", "&View", "&Help"]
    keys = {b.keys: b.what for b in window_bindings(window)}
    assert keys["Alt+H"] == "Help menu" and keys["Alt+I"] == "Inquiry menu"


def test_the_inquiry_menu_lists_every_action_with_its_key(qtbot, app, window, clock, monkeypatch):
    inquiry = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Inquiry")
    inquiry.aboutToShow.emit()  # opened on the Dashboard: the first opening builds the Inquiries workspace
    items = [a.text() for a in inquiry.actions() if not a.isSeparator()]
    assert len(items) == len(window.inquiries.detail.buttons) + 3  # each workflow button, then the rest
    for expected in ("Ac&knowledge…\tAlt+K", "Start &work\tAlt+W", "&Escalate…\tAlt+E", "&Resolve…\tAlt+R",
                     "C&lose…\tAlt+L", "Re&open…\tAlt+O", "&Save changes\tCtrl+S", "Save as &PDF…\tCtrl+Shift+P",
                     "&Attach the PDF\tCtrl+Shift+A"):
        assert expected in items
    # With no inquiry open the items are off; with one open they press its buttons.
    inquiry.aboutToShow.emit()
    assert not any(a.isEnabled() for a in window.inquiry_actions)
    with acting(app.store, clock=clock) as ctx:
        rid = create_inquiry(ctx, draft()).id
    window.show_inquiry(rid)
    qtbot.waitUntil(lambda: window.inquiries.detail.isEnabled(), timeout=5000)
    wait_idle(qtbot, app)
    window.sidebar.setCurrentRow(0)
    inquiry.aboutToShow.emit()
    pdf = next(a for a in window.inquiry_actions if a.text().startswith("Save as &PDF"))
    assert pdf.isEnabled()
    asked = []
    monkeypatch.setattr(file_dialogs, "save_file", lambda *args, **kw: asked.append(args[1:3]))
    pdf.trigger()
    assert asked == [("inquiry.pdf", "Save the inquiry as PDF")]
    assert window.stack.currentWidget() is window.inquiries


def test_help_has_the_user_guide_and_a_list_of_shortcuts(qtbot, window, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    window.open_user_guide()
    assert opened and opened[0].endswith("USER_GUIDE.md")
    dialog = ShortcutsDialog(window.menuBar(), window.workspaces, window)
    qtbot.addWidget(dialog)
    rows = {(dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text())
            for r in range(dialog.table.rowCount())}
    assert ("Ctrl+N", "New inquiry") in rows and ("F5", "Sync now") in rows
    assert ("Ctrl+Shift+U", "Switch user") in rows and ("Ctrl+L", "Lock") in rows
    assert ("Ctrl+S", "Save changes") in rows  # a workspace's own key is listed too


def test_no_key_is_taken_twice_in_the_main_dialogs(qtbot, app, ui_state):
    from saypro_desktop.ui.connect_dialog import ConnectDialog
    from saypro_desktop.ui.inquiries.new_inquiry import NewInquiryDialog
    from saypro_desktop.ui.settings_dialog import SettingsDialog
    from saypro_desktop.ui.signin import SignInDialog

    controller = SyncController(app, MemoryTokenStore())
    first = SignInDialog(app.store, "admin", runner=app.runner, tokens=MemoryTokenStore())
    server = SignInDialog(app.store, None, runner=app.runner, tokens=MemoryTokenStore())
    server.use_server.setChecked(True)
    dialogs = [first, server, SignInDialog(app.store, None, purpose="lock", current_user="admin"),
               ConnectDialog(controller, "admin"), SettingsDialog(app, ui_state), NewInquiryDialog(app, ui_state)]
    try:
        for dialog in dialogs:
            qtbot.addWidget(dialog)
            tabs = dialog.findChildren(QTabWidget)
            for tab_widget, index in [(None, 0)] + [(t, i) for t in tabs for i in range(t.count())]:
                if tab_widget is not None:
                    tab_widget.setCurrentIndex(index)
                assert taken_twice(window_bindings(dialog)) == {}, dialog.windowTitle()
    finally:
        controller.stop()


def test_tab_leaves_the_inquiry_table_instead_of_opening_the_next_inquiry(qtbot, app, window, clock):
    with acting(app.store, clock=clock) as ctx:
        for n in range(3):
            create_inquiry(ctx, draft(subject=f"Inquiry {n}"))
    window.sidebar.setCurrentRow(window.workspaces.index(window.inquiries))
    window.inquiries.apply_filters()
    table = window.inquiries.table
    qtbot.waitUntil(lambda: table.model().rowCount() == 3, timeout=5000)
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, table.model().columnCount() - 1))
    wait_idle(qtbot, app)
    qtbot.waitUntil(table.hasFocus, timeout=2000)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus()
    assert table.currentIndex().row() == 0  # the selection stayed on the inquiry being read
    # Every item view in the window leaves on Tab.
    views = window.findChildren(QAbstractItemView)
    assert views and not [v.accessibleName() or type(v).__name__ for v in views if v.tabKeyNavigation()]
