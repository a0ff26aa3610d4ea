"""The Inquiries workspace: saved views, filters, the big table and the detail of the selected inquiry."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.periods import Period
from ...core.permissions import Permission
from ...core.vocab import Category, Mode, Priority, Status
from ...services.inquiry_table import SavedView, SlaFilter, TableQuery, rowid_of
from ...services.inquiry_views import staff_choices
from ..app_context import AppContext
from ..workspace import Workspace
from .detail import InquiryDetailPanel
from .new_inquiry import NewInquiryDialog
from .table_model import COLUMNS, InquiryTableModel

USER_COLUMN = [key for key, _ in COLUMNS].index("user")


def _combo(name: str, options: list[tuple[str, object]], any_label: str | None = None) -> QComboBox:
    c = QComboBox()
    c.setAccessibleName(name)
    c.addItem(any_label or f"Any {name.lower()}", None)
    for label, value in options:
        c.addItem(label, value)
    return c


def _months(today: date, count: int = 24) -> list[tuple[str, object]]:
    out, y, m = [], today.year, today.month
    for _ in range(count):
        out.append((date(y, m, 1).strftime("%B %Y"), f"{y}-{m:02d}"))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


class InquiriesWorkspace(Workspace):
    title = "Inquiries"

    def __init__(self, app: AppContext, ui_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.ui_state = ui_state
        self.model = InquiryTableModel(app)
        self.views = QListWidget()
        self.views.setAccessibleName("Saved views")
        for v in SavedView:
            self.views.addItem(v.value)
        fm = self.fontMetrics()
        self.views.setFixedWidth(max(fm.horizontalAdvance(v.value) for v in SavedView) + fm.horizontalAdvance("MMM"))
        self.views.setFixedHeight(self.views.sizeHintForRow(0) * len(SavedView) + 2 * self.views.frameWidth() + 4)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter by words, names, emails or ID")
        self.search.setAccessibleName("Filter text")
        self.search.setClearButtonEnabled(True)
        self.status = _combo("Status", [(s.value, s.value) for s in Status])
        self.priority = _combo("Priority", [(p.value, p.value) for p in Priority])
        self.category = _combo("Category", [(c.value, c.value) for c in Category])
        self.channel = _combo("Channel", [(m.value, m.value) for m in Mode])
        self.assignee = _combo("Assignee", [])
        self.sla = _combo("SLA state", [(s.value, s) for s in SlaFilter], "Any SLA state")
        self.month = _combo("Month", _months(app.settings.calendar().local_date(app.clock())))
        self.count = QLabel()
        self.count.setAccessibleName("Number of inquiries shown")
        new = QPushButton("New inquiry")  # Ctrl+N; Alt+N is the Links && files tab
        new.setToolTip("Log a new inquiry (Ctrl+N)")
        new.setAccessibleName("New inquiry")
        new.clicked.connect(self.new_inquiry)
        new.setEnabled(app.can(Permission.CREATE_INQUIRY))

        filters = QWidget()
        column = QVBoxLayout(filters)
        column.setContentsMargins(0, 0, 0, 0)
        grid = QFormLayout()
        column.addLayout(grid)
        column.addStretch(1)
        # Alt+letters are unique in the window (tests/ui/test_shortcuts.py): the menus take F, I, V and H, the
        # inquiry's buttons and tabs K, W, E, R, L, O, D, A, N, Y, G and S.
        for label, w in (("Views", self.views), ("Fil&ter", self.search), ("Stat&us", self.status),
                         ("&Priority", self.priority), ("&Category", self.category), ("Channel", self.channel),
                         ("Assignee", self.assignee), ("SLA", self.sla), ("&Month", self.month)):
            lab = QLabel(label)
            lab.setBuddy(w)
            grid.addRow(lab, w)
        grid.addRow(new)

        self.table = QTableView()
        self.table.setAccessibleName("Inquiries table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        samples = ("SCMR-2501-00000", "00/00/0000 00:00", "Escalated (Tier 2)", "Critical",
                   "On track · 23h 59m left", "Classified Ad Posting", "Ad submission fails at payment step",
                   "Mariëtte van der Merwe", "Support Portal", "Lerato Mokoena", "00/00/0000 00:00")
        for col, sample in enumerate(samples):
            self.table.setColumnWidth(col, fm.horizontalAdvance(sample) + fm.horizontalAdvance("MM"))
        header = ui_state.value("inquiries/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        self.table.selectionModel().currentRowChanged.connect(self._row_selected)

        self.detail = InquiryDetailPanel(app)
        self.detail.open_inquiry.connect(self.show_inquiry)
        center = QWidget()
        col = QVBoxLayout(center)
        col.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.count)
        top.addStretch(1)
        col.addLayout(top)
        col.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        state = ui_state.value("inquiries/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        else:
            self.splitter.setSizes([fm.height() * 20, fm.height() * 22])  # 768 px high: 11 rows and the detail
        layout = QHBoxLayout(self)
        layout.addWidget(filters)
        layout.addWidget(self.splitter, 1)

        self._pending_select: str | None = None
        self._user_column_from: int | None = None  # where the User column was before a quick search moved it
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        for c in (self.status, self.priority, self.category, self.channel, self.assignee, self.sla, self.month):
            c.currentIndexChanged.connect(lambda _: self.apply_filters())
        self.views.currentRowChanged.connect(lambda _: self.apply_filters())
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(lambda msg: self.count.setText(f"Could not load: {msg}"))
        app.bus.changed.connect(self._on_changed)
        self.views.setCurrentRow(int(ui_state.value("inquiries/view", 0)))
        app.read(lambda ctx: staff_choices(ctx.session), self._fill_assignees)

    def _fill_assignees(self, staff: list[tuple[str, str]]) -> None:
        for sid, name in staff:
            self.assignee.addItem(name, sid)

    # filters ------------------------------------------------------------------------------------------------
    def current_query(self) -> TableQuery:
        row = self.views.currentRow()
        month = self.month.currentData()
        return TableQuery(
            view=list(SavedView)[row] if row >= 0 else SavedView.ALL, status=self.status.currentData(),
            priority=self.priority.currentData(), category=self.category.currentData(),
            mode=self.channel.currentData(), assignee_id=self.assignee.currentData(), sla=self.sla.currentData(),
            month=Period.month(month) if month else None, text=self.search.text(), sort=self.model.query.sort,
            descending=self.model.query.descending, me=self.app.user.id, tz=self.app.settings.calendar().tz)

    def apply_filters(self) -> None:
        self._restore_user_column()
        self.count.setText("Loading…")
        self.model.reload(self.current_query())

    def _loaded(self, n: int) -> None:
        self.count.setText(self._count_text(n))
        if self._pending_select:
            self._select(self._pending_select)

    def _count_text(self, n: int) -> str:
        """How many, and for a search where it looked: every inquiry, or the view and filters it was kept to."""
        words = self.search.text().strip()
        if not words:
            return f"{n:,} inquiries"
        row = self.views.currentRow()
        kept_to = [self.views.item(row).text()] if row > 0 else []
        kept_to += [f"{c.accessibleName()}: {c.currentText()}" for c in self._filter_combos() if c.currentIndex() > 0]
        return f"Search: '{words}' in {', '.join(kept_to) if kept_to else 'all inquiries'} – {n:,} found"

    def _filter_combos(self) -> tuple[QComboBox, ...]:
        return (self.status, self.priority, self.category, self.channel, self.assignee, self.sla, self.month)

    def set_search(self, text: str) -> None:
        self.search.setText(text)
        self.apply_filters()

    def search_all(self, text: str) -> None:
        """Quick search (Ctrl+K, Enter): every inquiry, whatever view or filters were set, with the list's own
        full-text engine (accents folded, words of action steps too); the count line says where it looked."""
        for widget in (*self._filter_combos(), self.views, self.search):
            widget.blockSignals(True)
        for combo in self._filter_combos():
            combo.setCurrentIndex(0)
        self.views.setCurrentRow(list(SavedView).index(SavedView.ALL))
        self.search.setText(text.strip())
        for widget in (*self._filter_combos(), self.views, self.search):
            widget.blockSignals(False)
        self._debounce.stop()
        self._show_user_column()
        self.apply_filters()

    def _show_user_column(self) -> None:
        """Whose inquiry it is: the column a name search needs, next to the Inquiry ID while the search lasts
        (past the subject it is off the screen of a 1366-pixel laptop); cleared, the columns go back."""
        header = self.table.horizontalHeader()
        self.table.setColumnHidden(USER_COLUMN, False)
        if self._user_column_from is None and header.visualIndex(USER_COLUMN) > 1:
            self._user_column_from = header.visualIndex(USER_COLUMN)
            header.moveSection(self._user_column_from, 1)

    def _restore_user_column(self) -> None:
        if self._user_column_from is not None and not self.search.text().strip():
            header = self.table.horizontalHeader()
            header.moveSection(header.visualIndex(USER_COLUMN), self._user_column_from)
            self._user_column_from = None

    # selection --------------------------------------------------------------------------------------------------
    def _row_selected(self, current, _previous) -> None:
        rid = self.model.inquiry_id_at(current.row())
        if rid and (self.detail.detail is None or self.detail.detail.id != rid):
            if not self.confirm_discard():
                return
            self.detail.show_inquiry(rid)

    def show_inquiry(self, inquiry_id: str) -> None:
        if not self.confirm_discard():
            return
        self.detail.show_inquiry(inquiry_id)
        self._pending_select = inquiry_id
        self._select(inquiry_id)

    def _select(self, inquiry_id: str) -> None:
        def found(rowid: int | None) -> None:
            row = self.model.row_of_rowid(rowid) if rowid is not None else None
            if row is not None:
                self._pending_select = None
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
        self.app.read(lambda ctx: rowid_of(ctx.session, inquiry_id), found)

    def new_inquiry(self) -> None:
        if not self.app.can(Permission.CREATE_INQUIRY):
            return
        dialog = NewInquiryDialog(self.app, self.ui_state, self)
        dialog.created.connect(lambda rid, ref: self.show_inquiry(rid))
        dialog.open()

    # changes and state ------------------------------------------------------------------------------------------
    def _on_changed(self, entity: str, ids: list[str]) -> None:
        if entity in ("inquiry", "settings", "staff_user"):
            self.model.reload()

    def confirm_discard(self) -> bool:
        if not self.detail.has_unsaved_edits():
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", f"{self.detail.detail.ref} has unsaved changes. Save them?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Save:
            self.detail.save()
            return True
        if answer == QMessageBox.StandardButton.Discard:
            self.detail.revert_edits()
            return True
        return False

    def save_state(self) -> None:
        if self._user_column_from is not None:  # the quick search's column order is not kept
            header = self.table.horizontalHeader()
            header.moveSection(header.visualIndex(USER_COLUMN), self._user_column_from)
            self._user_column_from = None
        self.ui_state.setValue("inquiries/header", self.table.horizontalHeader().saveState())
        self.ui_state.setValue("inquiries/splitter", self.splitter.saveState())
        self.ui_state.setValue("inquiries/view", self.views.currentRow())
