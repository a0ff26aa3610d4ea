"""The main window: a sidebar of workspaces, global search, menus and the status bar. It knows the list of
workspaces (``WORKSPACES``: a title, who may use it, how to build it) and nothing of what they do. A workspace is
built when it is first shown or first asked for (``window.inquiries``), so the window paints without the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from ..core.permissions import Permission
from ..resources import user_guide_path
from ..sync.credentials import TokenStore, system_token_store
from . import file_dialogs
from .access_watch import AccessWatch
from .app_context import AppContext, SignedIn
from .connect_dialog import ConnectDialog
from .escalation_watch import AutoEscalation
from .feedback import may_use_feedback
from .idle_lock import IdleLock, idle_minutes
from .quick_search import QuickSearch
from .settings_dialog import SettingsDialog
from .shortcuts import ShortcutsDialog, leave_on_tab
from .signin import SignInDialog
from .staff import may_manage_staff
from .status_bar import DeskStatusBar
from .sync_controller import SyncController
from .workspace import Workspace


def first_size(available: QSize) -> QSize:
    """The first window size: 1280x800 where it fits, else the screen's free area less a margin (a 1366x768
    laptop gets 1366x728 less its task bar, not a window whose status bar hangs off the screen)."""
    return QSize(min(1280, available.width() - 16), min(800, available.height() - 32))


@dataclass(frozen=True)
class WorkspaceEntry:
    """A sidebar entry, light enough for the sidebar and the View menu: the workspace itself is built (and its
    module imported) by ``build`` when it is first shown or asked for as ``window.<attr>``."""

    attr: str  # the window's attribute: window.inquiries, window.moderation, ...
    title: str  # the sidebar's and the View menu's text (the workspace's own title)
    allowed: Callable[[AppContext], bool]  # whether the signed-in user's role may use it
    build: Callable[[MainWindow], Workspace]
    background: bool = False  # it has work while hidden: built just after the first paint, not when first shown


def _dashboard(window: MainWindow) -> Workspace:
    from .dashboard.workspace import DashboardWorkspace

    return DashboardWorkspace(window.app)


def _inquiries(window: MainWindow) -> Workspace:
    from .inquiries.workspace import InquiriesWorkspace

    return InquiriesWorkspace(window.app, window.ui_state)


def _moderation(window: MainWindow) -> Workspace:
    from .moderation.workspace import ModerationWorkspace

    ws = ModerationWorkspace(window.app)
    ws.queue.set_sync(window.sync)  # claims of ads go to the server through it
    return ws


def _reports(window: MainWindow) -> Workspace:
    from .reports.workspace import ReportsWorkspace

    return ReportsWorkspace(window.app)


def _knowledge(window: MainWindow) -> Workspace:
    from .knowledge.workspace import KnowledgeWorkspace

    return KnowledgeWorkspace(window.app)


def _feedback(window: MainWindow) -> Workspace:
    from .feedback.workspace import FeedbackWorkspace

    return FeedbackWorkspace(window.app)


def _staff(window: MainWindow) -> Workspace:
    from .staff.workspace import StaffWorkspace

    return StaffWorkspace(window.app)


def _everyone(_app: AppContext) -> bool:
    return True


# The sidebar's order. The Dashboard announces inquiries due within the hour even while another workspace is shown.
WORKSPACES: list[WorkspaceEntry] = [
    WorkspaceEntry("dashboard", "Dashboard", _everyone, _dashboard, background=True),
    WorkspaceEntry("inquiries", "Inquiries", _everyone, _inquiries),
    # the workspace is for deciding; others read ads elsewhere
    WorkspaceEntry("moderation", "Moderation", lambda app: app.can(Permission.MODERATE_ADS), _moderation),
    WorkspaceEntry("reports", "Reports", lambda app: app.can(Permission.VIEW_KPI), _reports),
    WorkspaceEntry("knowledge", "Knowledge", _everyone, _knowledge),  # every role reads the knowledge base
    WorkspaceEntry("feedback", "Feedback", may_use_feedback, _feedback),  # feedback, the survey, the analysis
    WorkspaceEntry("staff", "Staff", may_manage_staff, _staff),  # Admins: users, roles, access expiry
]


class MainWindow(QMainWindow):
    def __init__(self, app: AppContext, ui_state: QSettings, tokens: TokenStore | None = None) -> None:
        super().__init__()
        self.app, self.ui_state = app, ui_state
        self.tokens = tokens or system_token_store()
        self.setWindowTitle("SayPro Desk")
        self.setAccessibleName("SayPro Desk main window")
        file_dialogs.use_settings(ui_state)  # save dialogs remember their folder per kind of file
        self._retired: list[QWidget] = []  # a signed-out user's workspaces, deleted once their tasks are done
        app.runner.busy_changed.connect(self._drop_retired)
        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName("Workspaces")
        self.sidebar.setObjectName("sidebar")
        self.stack = QStackedWidget()
        self._background_started = False
        self._background = QTimer(self, singleShot=True)  # a child: it never fires once the window is gone
        self._background.timeout.connect(self._build_background)
        self._background_waits = 0
        self._build_workspaces()
        self.sidebar.currentRowChanged.connect(self._switch)
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._locked = False
        self._build_search()
        self._build_menus()
        self.status = DeskStatusBar(app)
        self.setStatusBar(self.status)
        # Access that ends while signed in (deactivated, expired): checked every minute and after each sync.
        self.access = AccessWatch(app, parent=self)
        self.access.ended.connect(self.access_ended)
        self.access.start()
        self._lock_reason = ""
        self._start_sync()
        # Seed 001's escalation of what is unresolved past its due time: at start, then every 5 minutes.
        self.escalation = AutoEscalation(app, parent=self)
        self.escalation.escalated.connect(lambda refs: self.status.showMessage(
            f"{len(refs)} escalated automatically (unresolved past due): {', '.join(refs)}", 30_000))
        self.escalation.start()
        self.lock_timer = IdleLock(self, idle_minutes(ui_state))
        self.lock_timer.idle.connect(self.lock)
        geometry = ui_state.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            available = self.screen().availableGeometry().size()
            self.resize(first_size(available))
            if available.width() < 1440 or available.height() < 860:  # a laptop: all of its screen
                self.setWindowState(Qt.WindowState.WindowMaximized)
        # Only the workspace shown first is built before the first paint.
        self.sidebar.setCurrentRow(min(max(int(ui_state.value("main/workspace", 0)), 0), len(self._entries) - 1))

    def _build_workspaces(self) -> None:
        """The sidebar entries of the workspaces the signed-in user's role may use (again when another user signs
        in), each with a placeholder in the stack until it is built."""
        self._entries = [entry for entry in WORKSPACES if entry.allowed(self.app)]
        self._built: dict[str, Workspace] = {}
        for entry in self._entries:
            self.sidebar.addItem(entry.title)
            placeholder = QWidget()
            placeholder.setAccessibleName(entry.title)
            self.stack.addWidget(placeholder)
        # As wide as the longest title, never cut ("Moderatio") nor scrolled sideways.
        self.sidebar.ensurePolished()  # the theme's style sheet sets the sidebar's larger font and item padding
        fm = self.sidebar.fontMetrics()
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setFixedWidth(max(fm.horizontalAdvance(entry.title) for entry in self._entries)
                                   + 2 * self.sidebar.frameWidth() + 2 * (10 + 4) + 6)

    def _workspace_at(self, row: int) -> Workspace:
        """The workspace of sidebar row ``row``, built now if it was not yet."""
        entry = self._entries[row]
        ws = self._built.get(entry.attr)
        if ws is not None:
            return ws
        ws = entry.build(self)
        self._built[entry.attr] = ws
        ws.open_inquiry.connect(self.show_inquiry)
        leave_on_tab(ws)
        placeholder = self.stack.widget(row)
        self.stack.insertWidget(row, ws)  # the placeholder moves to row + 1
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        if entry.attr == "inquiries":
            self._fill_inquiry_menu()
        return ws

    def __getattr__(self, name: str) -> Any:
        """``window.inquiries``, ``window.moderation``, ...: the workspace, built on first use; None where the
        signed-in user's role may not use it."""
        if name in {entry.attr for entry in WORKSPACES}:
            for row, entry in enumerate(self.__dict__.get("_entries", ())):
                if entry.attr == name:
                    return self._workspace_at(row)
            return None
        raise AttributeError(name)

    @property
    def workspaces(self) -> list[Workspace]:
        """Every workspace of the sidebar, in its order: builds those not built yet (the Keyboard shortcuts
        dialog and the tests walk them all)."""
        return [self._workspace_at(row) for row in range(len(self._entries))]

    def _built_inquiries(self) -> Any:
        """The Inquiries workspace if it was built (nothing to save or discard otherwise), else None."""
        return self._built.get("inquiries")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._background_started:
            self._background_started = True
            self._start_background()

    def _start_background(self) -> None:
        self._background_waits = 40
        self._background.start(0)

    def _build_background(self) -> None:
        """Workspaces with work while hidden, built once the shown workspace's first reads are back (at most
        about two seconds after the first paint), so they never delay what is on screen."""
        if self._background_waits > 0 and not self.app.runner.idle():
            self._background_waits -= 1
            self._background.start(50)
            return
        for row, entry in enumerate(self._entries):
            if entry.background:
                self._workspace_at(row)

    def _start_sync(self, after: SyncController | None = None) -> None:
        """A controller for the signed-in user; it starts once ``after`` (the last user's, stopped) has ended
        the run it had under way, so two syncs never run at once."""
        self.sync = SyncController(self.app, self.tokens, parent=self)
        self.sync.status_changed.connect(self.status.show_sync)
        self.sync.user_changed.connect(self._user_changed)
        self.sync.needs_sign_in.connect(lambda _: self.status.showMessage("Sign in to the server: File → Connect"))
        self.sync.finished.connect(self.access.check)  # a sync may bring a deactivation or an expiry
        self.sync.access_refused.connect(self.access.check)  # ... or the server refuses the user itself
        moderation = self._built.get("moderation")
        if moderation is not None:  # when built later, it is given the controller then (_moderation)
            moderation.queue.set_sync(self.sync)  # claims of ads go to the server through it
        self.sync.start_after(after)

    # search -----------------------------------------------------------------------------------------------
    def _build_search(self) -> None:
        self.search = QuickSearch(self.app)  # ui/quick_search.py: a drop-down of hits, Enter searches everything
        self.search.open_inquiry.connect(self.show_inquiry)
        self.search.search_all.connect(self._search_everywhere)
        # In the menu bar's free right-hand side, not a tool bar row of its own: on a 768-pixel screen that row
        # is two more rows of the inquiry list.
        self.search.setFixedWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        # The menu bar sizes its corner by the size hint: a layout makes it the field's width. A reference is
        # kept (PySide6 would otherwise delete the corner with its wrapper).
        self._search_corner = QWidget(self.menuBar())
        box = QHBoxLayout(self._search_corner)
        box.setContentsMargins(0, 2, 4, 2)
        box.addWidget(self.search)
        self.menuBar().setCornerWidget(self._search_corner, Qt.Corner.TopRightCorner)

    def _search_everywhere(self, words: str) -> None:
        self.show_workspace(self.inquiries)
        self.inquiries.search_all(words)

    # menus ------------------------------------------------------------------------------------------------
    def _action(self, menu, text: str, shortcut: str | QKeySequence.StandardKey | None, slot) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text.replace('&', '')} ({action.shortcut().toString(QKeySequence.NativeText)})")
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        """File, Inquiry, View and Help (Alt+F, I, V, H: no workspace takes these letters)."""
        for action in self.menuBar().actions():  # built again for another user's role
            self.menuBar().removeAction(action)
            action.deleteLater()
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(file_menu, "&New inquiry…", "Ctrl+N", lambda: self.inquiries.new_inquiry())
        self._action(file_menu, "&Settings…", "Ctrl+,", self.open_settings)
        self._action(file_menu, "Connect to ser&ver…", None, self.connect_server)
        self._action(file_menu, "S&ync now", "F5", self.sync_now)
        self._action(file_menu, "&Conflicts to settle…", None, self.show_conflicts)
        file_menu.addSeparator()
        self._action(file_menu, "&Lock", "Ctrl+L", self.lock)
        self._action(file_menu, "Switch &user…", "Ctrl+Shift+U", self.switch_user)
        self._action(file_menu, "Sign &out", "Ctrl+Shift+Q", self.sign_out)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        self._build_inquiry_menu(self.menuBar().addMenu("&Inquiry"))
        view = self.menuBar().addMenu("&View")
        taken = {"s"}  # &Search, below
        for n, entry in enumerate(self._entries):  # each title's first letter no other item took (S&taff)
            at = next((i for i, ch in enumerate(entry.title) if ch.isalpha() and ch.lower() not in taken), 0)
            taken.add(entry.title[at].lower())
            self._action(view, f"{entry.title[:at]}&{entry.title[at:]}", f"Ctrl+{n + 1}",
                         lambda _=False, n=n: self.sidebar.setCurrentRow(n))
        self._action(view, "&Search", "Ctrl+K", self._focus_search)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&User guide", QKeySequence.StandardKey.HelpContents, self.open_user_guide)
        self._action(help_menu, "&Keyboard shortcuts", "Ctrl+/", self.show_shortcuts)
        self._action(help_menu, "Open &data folder", None,
                     lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.app.store.paths.root))))
        self._action(help_menu, "&About SayPro Desk", None, self._about)

    def _build_inquiry_menu(self, menu) -> None:
        """Every action on an inquiry, with its key. The inquiry's buttons own their keys (Alt+letters, Ctrl+S,
        ...): the menu shows the key after a tab and presses the button, so a key is never bound twice. The items
        come with the Inquiries workspace: when it is built, or when the menu is first opened."""
        self._inquiry_menu = menu
        self.inquiry_actions: list[QAction] = []
        self._inquiry_buttons: list[QAbstractButton] = []
        menu.aboutToShow.connect(self._inquiry_menu_state)
        if self._built_inquiries() is not None:
            self._fill_inquiry_menu()

    def _fill_inquiry_menu(self) -> None:
        menu, detail = self._inquiry_menu, self._built["inquiries"].detail
        if self.inquiry_actions:
            return

        def item(button: QAbstractButton, text: str | None = None) -> None:
            key = button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            text = text or button.text()
            action = QAction(f"{text}\t{key}" if key else text, self)
            action.triggered.connect(lambda _=False, b=button: self._press(b))
            menu.addAction(action)
            self.inquiry_actions.append(action)
            self._inquiry_buttons.append(button)

        for button in detail.buttons.values():  # the workflow: acknowledge, start work, escalate, ...
            item(button)
        menu.addSeparator()
        item(detail.save_edits)
        item(detail.pdf_button, "Save as &PDF…")
        item(detail.attach_pdf_button, "&Attach the PDF")

    def _inquiry_menu_state(self) -> None:
        self._workspace_at(self._row_of("inquiries"))  # fills the menu on first opening
        for action, button in zip(self.inquiry_actions, self._inquiry_buttons, strict=True):
            action.setEnabled(button.isEnabled() and self.inquiries.detail.isEnabled())

    def _press(self, button) -> None:
        self.show_workspace(self.inquiries)
        if button.isEnabled() and self.inquiries.detail.isEnabled():
            button.click()
        else:
            self.status.showMessage("Select an inquiry in the list first", 5000)

    def show_workspace(self, workspace: Workspace) -> None:
        row = next(row for row, entry in enumerate(self._entries) if self._built.get(entry.attr) is workspace)
        self.sidebar.setCurrentRow(row)

    def _row_of(self, attr: str) -> int:
        return next(row for row, entry in enumerate(self._entries) if entry.attr == attr)

    def sync_now(self) -> None:
        if not self.sync.status.enrolled:
            self.status.showMessage("No server: File → Connect to server", 8000)
            return
        self.sync.sync_now()

    def open_user_guide(self) -> None:
        guide = user_guide_path()
        if guide is None:
            QMessageBox.information(self, "User guide", "The user guide is not installed with this copy.")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(guide)))

    def show_conflicts(self) -> None:
        from .conflicts_dialog import ConflictsDialog  # loaded when first asked for, not before the first paint

        ConflictsDialog(self.sync, self).exec()

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.menuBar(), self.workspaces, self).exec()

    # who is signed in -----------------------------------------------------------------------------------------
    def lock(self) -> None:
        """Hide the work and ask for the same user's password, or let another user sign in (a switch)."""
        if self._locked:
            return
        self._locked = True
        self.centralWidget().hide()
        self.menuBar().setEnabled(False)
        self.search.clear()
        minutes = self.lock_timer.minutes
        note = (f"Locked after {minutes} minute(s) without use. " if self.lock_timer.fired else "Locked. ") + \
            f"{self.app.user.display_name}: enter your password to go on, or sign in as another user."
        if self._lock_reason:  # access ended: only another user can go on here
            note, self._lock_reason = f"Signed out: {self._lock_reason} Another user may sign in here.", ""
        try:
            while True:
                dialog = self._sign_in_dialog("lock", note)
                if dialog.exec() == dialog.DialogCode.Accepted and dialog.user is not None:
                    if dialog.user.id != self.app.user.id:
                        self.become(dialog.user)
                    break
                self._locked = False
                if self.close():  # Quit (unsaved edits are asked about first)
                    return
                self._locked = True
        finally:
            self._locked = False
            self.centralWidget().show()
            self.menuBar().setEnabled(True)
            self.lock_timer.restart()
            if self.sync.stopped and self.isVisible():  # their access ended, then came back before they unlocked
                self._start_sync(after=self.sync)

    def access_ended(self, why: str) -> None:
        """The signed-in user's access ended (deactivated or expired): their sync stops and the window locks;
        they cannot unlock it (the sign-in refuses them and says why), another user can."""
        self.sync.stop()  # now, also behind a lock already shown (which refuses them too)
        self.status.showMessage(why)
        if self._locked:
            return
        self._lock_reason = why
        self.lock()

    def switch_user(self) -> None:
        dialog = self._sign_in_dialog("switch", f"Signed in: {self.app.user.display_name}. "
                                                "Another user signs in here; this window is rebuilt for them.")
        dialog.username.clear()
        dialog.username.setFocus()
        if dialog.exec() == dialog.DialogCode.Accepted and dialog.user is not None:
            self.become(dialog.user)

    def sign_out(self) -> None:
        """The work is put away and the sign-in asked for again; Cancel there quits."""
        inquiries = self._built_inquiries()
        if inquiries is not None and not inquiries.confirm_discard():
            return
        self.hide()
        dialog = self._sign_in_dialog("sign-in", "Signed out. Sign in to go on, or Cancel to quit.")
        dialog.username.clear()
        dialog.username.setFocus()
        if dialog.exec() == dialog.DialogCode.Accepted and dialog.user is not None:
            self.become(dialog.user, asked=True)
            self.show()
        else:
            self._save_state()
            self.sync.stop()
            self.deleteLater()
            QApplication.instance().quit()

    def _sign_in_dialog(self, purpose: str, note: str) -> SignInDialog:
        dialog = SignInDialog(self.app.store, None, self if self.isVisible() else None, runner=self.app.runner,
                              tokens=self.tokens, purpose=purpose, current_user=self.app.user.username, note=note,
                              clock=self.app.clock)
        dialog.setAccessibleName(dialog.windowTitle())
        return dialog

    def become(self, user: SignedIn, asked: bool = False) -> bool:
        """Work on as ``user``: the sync stops, the workspaces are built again for the new role, the sync
        starts again. False when unsaved edits were kept (the switch is not done)."""
        inquiries = self._built_inquiries()
        if not asked and inquiries is not None and not inquiries.confirm_discard():
            return False
        self._save_state()
        old_sync = self.sync
        old_sync.stop()
        current = self.sidebar.currentRow()
        self.sidebar.blockSignals(True)
        self.sidebar.clear()
        built = set(self._built.values())
        while self.stack.count():
            ws = self.stack.widget(0)
            self.stack.removeWidget(ws)
            ws.hide()
            ws.setParent(None)
            if ws in built:
                self._retired.append(ws)  # results of its tasks may still arrive; deleted when the runner is idle
            else:
                ws.deleteLater()  # a placeholder
        self.sidebar.blockSignals(False)
        self.app.user = user
        self._build_workspaces()
        self._build_menus()
        self.status.show_user(user)
        self._start_sync(after=old_sync)
        self.sidebar.setCurrentRow(min(max(current, 0), len(self._entries) - 1))
        self._start_background()
        self._drop_retired(False)
        return True

    def _drop_retired(self, busy: bool) -> None:
        if busy or not self.app.runner.idle():
            return
        for ws in self._retired:
            ws.deleteLater()
        self._retired.clear()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _about(self) -> None:
        from .. import __version__

        QMessageBox.about(self, "About SayPro Desk",
                          f"<b>SayPro Desk</b> {__version__}<br>SayPro Classified Office<br>"
                          f"Data folder: {self.app.store.paths.root}")

    # workspaces -------------------------------------------------------------------------------------------
    def _switch(self, row: int) -> None:
        if row < 0 or row >= len(self._entries):
            return
        ws = self._workspace_at(row)
        self.stack.setCurrentIndex(row)
        ws.activated()

    def show_inquiry(self, inquiry_id: str) -> None:
        self.show_workspace(self.inquiries)
        self.inquiries.show_inquiry(inquiry_id)

    def connect_server(self) -> None:
        ConnectDialog(self.sync, self.app.user.username, self).exec()

    def _user_changed(self, user) -> None:
        self.status.show_user(user)
        self.app.bus.announce("inquiry")  # lists that show "mine" read again
        QMessageBox.information(self, "Connected", (
            f"You now work here as {user.display_name} ({user.role.value}), the server's user. Sign in with "
            f"{user.username} and the server password from now on; it works offline too."))

    def open_settings(self) -> None:
        SettingsDialog(self.app, self.ui_state, self).exec()
        self.lock_timer.set_minutes(idle_minutes(self.ui_state))

    def closeEvent(self, event: QCloseEvent) -> None:
        inquiries = self._built_inquiries()
        if inquiries is not None and not inquiries.confirm_discard():
            event.ignore()
            return
        self._save_state()
        self.sync.stop()
        self.lock_timer.stop()
        self.access.stop()
        self.escalation.stop()
        super().closeEvent(event)

    def _save_state(self) -> None:
        self.ui_state.setValue("main/geometry", self.saveGeometry())
        self.ui_state.setValue("main/workspace", self.sidebar.currentRow())
        inquiries = self._built_inquiries()
        if inquiries is not None:
            inquiries.save_state()
