"""The main window: a sidebar of workspaces, global search, menus and the status bar. It knows the list of
workspaces and nothing of what they do."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from ..core.permissions import Permission
from ..services.search import search_inquiries
from .app_context import AppContext
from .conflicts_dialog import ConflictsDialog
from .connect_dialog import ConnectDialog
from .dashboard.workspace import DashboardWorkspace
from .inquiries.workspace import InquiriesWorkspace
from .moderation.workspace import ModerationWorkspace
from .reports.workspace import ReportsWorkspace
from .settings_dialog import SettingsDialog
from .status_bar import DeskStatusBar
from .sync_controller import SyncController
from .workspace import Workspace


class MainWindow(QMainWindow):
    def __init__(self, app: AppContext, ui_state: QSettings) -> None:
        super().__init__()
        self.app, self.ui_state = app, ui_state
        self.setWindowTitle("SayPro Desk")
        self.setAccessibleName("SayPro Desk main window")
        self.dashboard = DashboardWorkspace(app)
        self.inquiries = InquiriesWorkspace(app, ui_state)
        self.workspaces: list[Workspace] = [self.dashboard, self.inquiries]
        self.moderation: ModerationWorkspace | None = None
        if app.can(Permission.MODERATE_ADS):  # the workspace is for deciding; others read ads elsewhere
            self.moderation = ModerationWorkspace(app)
            self.workspaces.append(self.moderation)
        self.reports: ReportsWorkspace | None = None
        if app.can(Permission.VIEW_KPI):
            self.reports = ReportsWorkspace(app)
            self.workspaces.append(self.reports)
        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName("Workspaces")
        self.sidebar.setObjectName("sidebar")
        self.stack = QStackedWidget()
        for ws in self.workspaces:
            self.sidebar.addItem(ws.title)
            self.stack.addWidget(ws)
            ws.open_inquiry.connect(self.show_inquiry)
        self.sidebar.currentRowChanged.connect(self._switch)
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_search()
        self._build_menus()
        self.status = DeskStatusBar(app)
        self.setStatusBar(self.status)
        self.sync = SyncController(app, parent=self)
        self.sync.status_changed.connect(self.status.show_sync)
        self.sync.user_changed.connect(self._user_changed)
        self.sync.needs_sign_in.connect(lambda _: self.status.showMessage("Sign in to the server: File → Connect"))
        self.sync.start()
        self.sidebar.setCurrentRow(0)
        geometry = ui_state.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self.sidebar.setCurrentRow(int(ui_state.value("main/workspace", 0)))
        self.sidebar.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 14)

    # search -----------------------------------------------------------------------------------------------
    def _build_search(self) -> None:
        bar = QToolBar("Search")
        bar.setObjectName("searchBar")
        bar.setMovable(False)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search inquiries: ID, name, email, text (Ctrl+K)")
        self.search.setAccessibleName("Global search")
        self.search.setClearButtonEnabled(True)
        self._completer = QCompleter([], self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self._completer.activated.connect(self._open_completion)
        self.search.setCompleter(self._completer)
        self._hits: dict[str, str] = {}
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self._run_search)
        self.search.textEdited.connect(lambda _: self._debounce.start())
        self.search.returnPressed.connect(self._search_in_list)
        bar.addWidget(self.search)
        self.addToolBar(bar)

    def _run_search(self) -> None:
        text = self.search.text().strip()
        if len(text) < 2:
            return

        def find(ctx):
            return [(i.id, f"{i.display_id} – {i.subject} – {i.user_full_name}")
                    for i in search_inquiries(ctx.session, text, limit=12)]

        def show(hits: list[tuple[str, str]]) -> None:
            if self.search.text().strip() != text:
                return  # typed on meanwhile
            self._hits = {label: rid for rid, label in hits}
            self._completer.model().setStringList(list(self._hits))  # type: ignore[attr-defined]
            self._completer.complete()

        self.app.read(find, show)

    def _open_completion(self, label: str) -> None:
        rid = self._hits.get(label)
        if rid:
            self.show_inquiry(rid)
            QTimer.singleShot(0, self.search.clear)

    def _search_in_list(self) -> None:
        if self._completer.popup().isVisible():
            return
        self.sidebar.setCurrentRow(self.workspaces.index(self.inquiries))
        self.inquiries.set_search(self.search.text())

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
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(file_menu, "&New inquiry…", "Ctrl+N", self.inquiries.new_inquiry)
        self._action(file_menu, "&Settings…", "Ctrl+,", self.open_settings)
        self._action(file_menu, "Connect to &server…", None, self.connect_server)
        self._action(file_menu, "S&ync now", "F5", lambda: self.sync.sync_now())
        self._action(file_menu, "&Conflicts to settle…", None, lambda: ConflictsDialog(self.sync, self).exec())
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        view = self.menuBar().addMenu("&View")
        for n, ws in enumerate(self.workspaces):
            self._action(view, f"&{ws.title}", f"Ctrl+{n + 1}", lambda _=False, n=n: self.sidebar.setCurrentRow(n))
        self._action(view, "&Search", "Ctrl+K", self._focus_search)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "Open &data folder", None,
                     lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.app.store.paths.root))))
        self._action(help_menu, "&About SayPro Desk", None, self._about)

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
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.workspaces[row].activated()

    def show_inquiry(self, inquiry_id: str) -> None:
        self.sidebar.setCurrentRow(self.workspaces.index(self.inquiries))
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

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.inquiries.confirm_discard():
            event.ignore()
            return
        self.ui_state.setValue("main/geometry", self.saveGeometry())
        self.ui_state.setValue("main/workspace", self.sidebar.currentRow())
        self.inquiries.save_state()
        super().closeEvent(event)
