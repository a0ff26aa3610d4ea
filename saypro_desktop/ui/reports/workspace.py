"""The Reports workspace: choose the day of the daily support report, the week of the SCMR weekly report, the SCMR-5
month or the review quarter, generate the PDF from the local store,
look at its pages, then save it, open it in the system viewer, print it, or save its figures as CSV.

Everything slow runs through the task runner: the report (database and ReportLab) with ``app.read``, the page
images (pdfium) and printing on the pool. Only converting finished page pixels to QImages happens here on the
GUI thread. A job carries a number; Cancel forgets the number, so a late result is ignored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ...core.permissions import Permission
from .. import file_dialogs
from ..app_context import AppContext
from ..dashboard.tiles import section_title
from ..theme import WARN
from ..workspace import Workspace
from . import jobs
from .jobs import (
    DAILY,
    MONTHLY,
    QUARTERLY,
    WEEKLY,
    Cancelled,
    GeneratedReport,
    RenderedPages,
    ReportRequest,
    describe,
    recent_days,
    recent_months,
    recent_quarters,
    recent_weeks,
)
from .pdf_preview import ZOOMS, PdfPreview
from .printing import (
    MAX_PRINT_DPI,
    PrintCancelled,
    chosen_pages,
    prepare_printer,
    print_pdf,
    prints_to_pdf,
    save_pdf_pages,
)

MAX_PREVIEW_DPI = 200.0


def _shortcut_text(shortcut: str | QKeySequence.StandardKey) -> str:
    return QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)


class ReportsWorkspace(Workspace):
    title = "Reports"
    progress = Signal(int, int, int)  # job, done, total; emitted from a worker, delivered queued
    print_dpi = MAX_PRINT_DPI

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.report: GeneratedReport | None = None
        self._job = 0  # the job whose result is wanted; 0: none
        self._jobs = 0
        self._cancel: threading.Event | None = None
        self._render_job = 0
        self._printing = False  # what the page progress is of
        self._printer: QPrinter | None = None
        self._recommendations: dict[str, str] = {}
        self._quarter_shown: str | None = None
        self._build()
        self.fill_periods()
        self.progress.connect(self._on_progress)
        self._sharper = QTimer(self, singleShot=True, interval=250)
        self._sharper.timeout.connect(self._render_sharper)
        self.preview.wants_dpi.connect(lambda _dpi: self._sharper.start())
        self._set_idle("")
        if not app.can(Permission.VIEW_KPI):
            self.generate_button.setEnabled(False)
            self.csv_button.setEnabled(False)
            self.show_error(f"Your role ({app.user.role.value}) does not include KPIs and reports.")

    # building -----------------------------------------------------------------------------------------------------
    def _button(self, text: str, name: str, tip: str, shortcut: str | QKeySequence.StandardKey | None, slot) \
            -> QPushButton:
        b = QPushButton(text)
        b.setAccessibleName(name)
        if shortcut:
            b.setShortcut(QKeySequence(shortcut))
            tip = f"{tip} ({_shortcut_text(shortcut)})"
        b.setToolTip(tip)
        b.clicked.connect(slot)
        return b

    @staticmethod
    def _caption(text: str) -> QLabel:
        label = QLabel(text)
        label.setProperty("role", "tileTitle")
        return label

    def _build(self) -> None:
        em = self.fontMetrics().height()
        side = QWidget()
        side.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 24)
        col = QVBoxLayout(side)
        col.setContentsMargins(em, em, em // 2, em)
        col.setSpacing(em * 2 // 3)
        col.addWidget(section_title("Reports"))

        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.setAccessibleName("Report")
        self.kind.setToolTip("Which report to make")
        self.kind.addItem("Daily support report", DAILY)
        self.kind.addItem("SCMR weekly report", WEEKLY)
        self.kind.addItem("SCMR-5 monthly report", MONTHLY)
        self.kind.addItem("Quarterly review", QUARTERLY)
        self.kind.setCurrentIndex(self.kind.findData(MONTHLY))
        self.day = QComboBox()
        self.day.setAccessibleName("Day")
        self.day.setToolTip("The office day the daily support report covers")
        self.week = QComboBox()
        self.week.setAccessibleName("Week")
        self.week.setToolTip("The ISO week (Monday to Sunday) the weekly report covers")
        self.month = QComboBox()
        self.month.setAccessibleName("Month")
        self.month.setToolTip("The month the SCMR-5 report covers")
        self.quarter = QComboBox()
        self.quarter.setAccessibleName("Quarter")
        self.quarter.setToolTip("The quarter the review covers")
        self.recommendations = QPlainTextEdit()
        self.recommendations.setAccessibleName("Recommendations")
        self.recommendations.setPlaceholderText("Recommendations for the next quarter, printed in the review")
        self.recommendations.setTabChangesFocus(True)
        self._labels = {}
        for key, text, field in (("kind", "&Report", self.kind), ("day", "Da&y", self.day),
                                 ("week", "&Week", self.week), ("month", "&Month", self.month),
                                 ("quarter", "&Quarter", self.quarter)):
            label = QLabel(text)
            label.setBuddy(field)
            self._labels[key] = label
            form.addRow(label, field)
        col.addLayout(form)
        self.recommendations_label = QLabel("Recomme&ndations")
        self.recommendations_label.setWordWrap(True)
        self.recommendations_label.setBuddy(self.recommendations)
        col.addWidget(self.recommendations_label)
        col.addWidget(self.recommendations, 1)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.month.currentIndexChanged.connect(self._selection_changed)
        self.day.currentIndexChanged.connect(self._selection_changed)
        self.week.currentIndexChanged.connect(self._selection_changed)
        self.quarter.currentIndexChanged.connect(self._quarter_changed)

        row = QHBoxLayout()
        self.generate_button = self._button("&Generate", "Generate the report",
                                            "Make the report from this desktop's data", "Ctrl+G", self.generate)
        self.cancel_button = self._button("Cancel", "Cancel", "Stop waiting for the report or the printer", "Esc",
                                          self.cancel)
        row.addWidget(self.generate_button, 1)
        row.addWidget(self.cancel_button)
        col.addLayout(row)
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Progress")
        self.progress_bar.setTextVisible(False)
        col.addWidget(self.progress_bar)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Report status")
        col.addWidget(self.status)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Report error")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.error)

        self.save_button = self._button("&Save as…", "Save the report as", "Save a copy of the PDF",
                                        "Ctrl+Shift+S", self.save_as)
        self.open_button = self._button("&Open in viewer", "Open in the PDF viewer",
                                        "Open the PDF in the system's PDF viewer", "Ctrl+O", self.open_in_viewer)
        self.print_button = self._button("&Print…", "Print the report", "Print the report",
                                         QKeySequence.StandardKey.Print, self.print_report)
        self.csv_button = self._button("Save figures as &CSV…", "Save the figures as CSV",
                                       "Save the figures of the chosen period as a CSV file (for Excel)", "Ctrl+E",
                                       self.save_csv)
        col.addSpacing(em // 2)
        col.addWidget(self._caption("The generated report"))
        for b in (self.save_button, self.open_button, self.print_button):
            col.addWidget(b)
        col.addSpacing(em // 2)
        col.addWidget(self._caption("The figures of the chosen period"))
        col.addWidget(self.csv_button)
        col.addStretch(0)  # takes the height only while the recommendations box is hidden

        main = QVBoxLayout()
        main.setContentsMargins(em // 2, em, em, em)
        head = QHBoxLayout()
        self.preview_title = section_title("Preview")
        self.page_count = QLabel("")
        self.page_count.setAccessibleName("Page count")
        self.page_count.setProperty("role", "tileTitle")
        self.zoom = QComboBox()
        self.zoom.setAccessibleName("Zoom")
        self.zoom.setToolTip(f"Zoom in ({_shortcut_text(QKeySequence.StandardKey.ZoomIn)}), out "
                             f"({_shortcut_text(QKeySequence.StandardKey.ZoomOut)}), fit the width (Ctrl+0)")
        for text, value in ZOOMS:
            self.zoom.addItem(text, value)
        self.zoom.currentIndexChanged.connect(lambda _: self.preview.set_zoom(self.zoom.currentData()))
        zoom_label = QLabel("&Zoom")
        zoom_label.setBuddy(self.zoom)
        head.setSpacing(em // 2)
        head.addWidget(self.preview_title)
        head.addSpacing(em // 2)
        head.addWidget(self.page_count)
        head.addStretch(1)
        head.addWidget(zoom_label)
        head.addWidget(self.zoom)
        main.addLayout(head)
        self.preview = PdfPreview()
        self.preview.set_message("Choose a period and press Generate (Ctrl+G) to see the report here.")
        main.addWidget(self.preview, 1)
        for text, keys, step in (("Zoom in", [QKeySequence.StandardKey.ZoomIn, "Ctrl+="], 1),
                                 ("Zoom out", [QKeySequence.StandardKey.ZoomOut], -1), ("Fit width", ["Ctrl+0"], 0)):
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, s=step: self.step_zoom(s))
            self.addAction(action)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(side)
        outer.addLayout(main, 1)

    # periods ------------------------------------------------------------------------------------------------------
    def fill_periods(self) -> None:
        """Today, this week, month and quarter and the ones before; today is chosen for the daily report, the one
        before for the others (the usual report to file)."""
        today = self.app.settings.calendar().local_date(self.app.clock())
        for combo, options, default in ((self.day, recent_days(today), 0), (self.week, recent_weeks(today), 1),
                                        (self.month, recent_months(today), 1),
                                        (self.quarter, recent_quarters(today), 1)):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for label, value in options:
                combo.addItem(label, value)
            index = combo.findData(chosen) if chosen else -1
            combo.setCurrentIndex(index if index >= 0 else default)
            combo.blockSignals(False)
        self._quarter_changed()
        self._kind_changed()

    def activated(self) -> None:
        self.fill_periods()  # a new month may have begun since the window opened

    def select(self, kind: str, period: str) -> None:
        """Choose a report and its period, e.g. ``select("monthly", "2025-01")`` or ``select("weekly", "2025-W03")``."""
        self.kind.setCurrentIndex(self.kind.findData(kind))
        combo = self._period_combo(kind)
        index = combo.findData(period)
        if index < 0:
            raise ValueError(f"{period} is not offered")
        combo.setCurrentIndex(index)

    def _period_combo(self, kind: str) -> QComboBox:
        return {DAILY: self.day, WEEKLY: self.week, MONTHLY: self.month, QUARTERLY: self.quarter}[kind]

    def current_request(self) -> ReportRequest:
        kind = self.kind.currentData()
        if kind != QUARTERLY:
            return ReportRequest(kind, self._period_combo(kind).currentData())
        return ReportRequest(QUARTERLY, self.quarter.currentData(), self.recommendations.toPlainText().strip())

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        quarterly = kind == QUARTERLY
        for key, each in (("day", DAILY), ("week", WEEKLY), ("month", MONTHLY), ("quarter", QUARTERLY)):
            self._labels[key].setVisible(each == kind)
            self._period_combo(each).setVisible(each == kind)
        self.recommendations_label.setVisible(quarterly)
        self.recommendations.setVisible(quarterly)
        self._selection_changed()

    def _quarter_changed(self) -> None:
        if self._quarter_shown is not None:  # keep what was written for each quarter
            self._recommendations[self._quarter_shown] = self.recommendations.toPlainText()
        self._quarter_shown = self.quarter.currentData()
        self.recommendations.setPlainText(self._recommendations.get(self._quarter_shown or "", ""))
        self._selection_changed()

    def _selection_changed(self) -> None:
        if self._job or self.report is None:
            return
        shown, chosen = self.report.request, self.current_request()
        if (shown.kind, shown.period) != (chosen.kind, chosen.period):
            self.status.setText(f"The preview shows the {shown.title}. Press Generate (Ctrl+G) for {chosen.label}.")
        else:
            self._show_report_status()

    # busy and idle ------------------------------------------------------------------------------------------------
    def busy(self) -> bool:
        return self._job != 0

    def _start_job(self, text: str) -> int:
        self._jobs += 1
        self._job = self._jobs
        self._cancel = threading.Event()
        self.error.clear()
        self.status.setText(text)
        self.progress_bar.setRange(0, 0)  # indeterminate until pages are counted
        self.progress_bar.show()
        self.cancel_button.setEnabled(True)
        for b in (self.generate_button, self.save_button, self.open_button, self.print_button, self.csv_button):
            b.setEnabled(False)
        return self._job

    def _current(self, job: int) -> bool:
        return isValid(self) and job == self._job

    def _set_idle(self, text: str | None) -> None:
        self._job = 0
        self._cancel = None
        self.progress_bar.hide()
        self.cancel_button.setEnabled(False)
        may = self.app.can(Permission.VIEW_KPI)
        self.generate_button.setEnabled(may)
        self.csv_button.setEnabled(may)
        for b in (self.save_button, self.open_button, self.print_button):
            b.setEnabled(self.report is not None)
        if text is not None:
            self.status.setText(text)

    def _emit_progress(self, job: int) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            with suppress(RuntimeError):  # the workspace was closed meanwhile
                self.progress.emit(job, done, total)
        return report

    def _on_progress(self, job: int, done: int, total: int) -> None:
        if job == self._job:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(done)
            verb = "Printing" if self._printing else "Preparing the preview:"
            self.status.setText(f"{verb} page {done} of {total}…")

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        self._set_idle("Cancelled.")

    def show_error(self, text: str) -> None:
        self.error.setText(text)

    def _failed(self, job: int, exc: Exception) -> None:
        if not self._current(job):
            return
        self._set_idle(None)
        if isinstance(exc, Cancelled | PrintCancelled):
            self.status.setText("Cancelled.")
            return
        self.status.clear()
        self.show_error(describe(exc))

    # generating ---------------------------------------------------------------------------------------------------
    def generate(self) -> None:
        if self.busy() or not self.app.can(Permission.VIEW_KPI):
            return
        request = self.current_request()
        self._printing = False
        job = self._start_job(f"Generating the {request.title}… You can keep working meanwhile.")
        folder = self.app.store.paths.root / "reports"
        self.app.read(lambda ctx: jobs.generate_report(ctx, request, folder),
                      lambda report: self._generated(job, report), lambda exc: self._failed(job, exc))

    def _generated(self, job: int, report: GeneratedReport) -> None:
        if not self._current(job):
            return
        self.status.setText("Preparing the preview…")
        dpi = min(MAX_PREVIEW_DPI, self.preview.needed_dpi())
        cancel, progress = self._cancel, self._emit_progress(job)
        self.app.runner.read(lambda: jobs.render_pages(report.path, dpi, cancel, progress),
                             lambda pages: self._rendered(job, report, pages), lambda exc: self._failed(job, exc))

    def _rendered(self, job: int, report: GeneratedReport, pages: RenderedPages) -> None:
        if not self._current(job):
            return
        self.report = report
        self._render_job += 1  # an older sharper rendering is of another file
        self.preview.set_pages(pages.sizes, pages.rasters)
        n = len(pages.sizes)
        self.page_count.setText(f"{n} page{'s' if n != 1 else ''} · {report.request.title}")
        self._set_idle(None)
        self._show_report_status()

    def _show_report_status(self) -> None:
        report = self.report
        if report is None:
            return
        if report.logged == 0 and report.request.kind in (DAILY, WEEKLY):  # the work on older inquiries is shown
            self.status.setText(f"{report.request.title}: no inquiries were logged; the report shows the work on "
                                "older ones.")
        elif report.logged == 0:
            self.status.setText(f"<span style='color:{WARN}'>No inquiries were logged in {report.request.label}: "
                                f"the report has no data.</span>")
        else:
            self.status.setText(f"{report.request.title}: {report.logged:,} inquiries.")

    def _render_sharper(self) -> None:
        """The zoom or the window grew: the same pages again, sharper, on the pool."""
        if self.report is None or self.busy():
            return
        dpi = min(MAX_PREVIEW_DPI, self.preview.needed_dpi())
        if dpi <= self.preview.dpi * 1.15:
            return
        self._render_job += 1
        token, path = self._render_job, self.report.path

        def show(pages: RenderedPages) -> None:
            if isValid(self) and token == self._render_job and self.report is not None and self.report.path == path:
                self.preview.set_images(pages.rasters)

        self.app.runner.read(lambda: jobs.render_pages(path, dpi), show, lambda exc: None)

    def step_zoom(self, step: int) -> None:
        """+1 zoom in, -1 zoom out (through the percentages), 0 fit the width."""
        if step == 0:
            self.zoom.setCurrentIndex(0)
            return
        current = self.preview.zoom_factor()
        percents = [(i, value) for i, (_, value) in enumerate(ZOOMS) if isinstance(value, float)]
        if step > 0:
            bigger = [i for i, value in percents if value > current * 1.01]
            index = bigger[0] if bigger else percents[-1][0]
        else:
            smaller = [i for i, value in percents if value < current * 0.99]
            index = smaller[-1] if smaller else percents[0][0]
        self.zoom.setCurrentIndex(index)

    def _print_to_pdf(self, printer: QPrinter, pages: list[int], count: int) -> None:
        """A PDF printer gets the report's own PDF (text, not page images); the file it names, or one asked for."""
        assert self.report is not None
        target = Path(printer.outputFileName()) if printer.outputFileName() else self._ask_file(
            f"Print to PDF ({printer.printerName() or 'PDF'}): save the report as",
            f"{self.report.request.file_stem}.pdf", "PDF documents (*.pdf)", ".pdf")
        if target is None:
            return
        source = self.report.path
        self.error.clear()
        self.app.runner.read(lambda: save_pdf_pages(source, target, pages, count),
                             lambda n: self._said(f"Saved {n} page{'s' if n != 1 else ''} as {target} "
                                                  "(the report's PDF, with its text)."), self._said_error)

    # output -------------------------------------------------------------------------------------------------------
    def _ask_file(self, title: str, name: str, filter_text: str, suffix: str) -> Path | None:
        # Documents first, then the folder last used for a report PDF or a figures CSV (each its own)
        return file_dialogs.save_file(self, f"report{suffix}", title, name, filter_text, suffix)

    def save_as(self) -> None:
        if self.report is None:
            return
        target = self._ask_file("Save the report as", f"{self.report.request.file_stem}.pdf", "PDF documents (*.pdf)",
                                ".pdf")
        if target is None:
            return
        source = self.report.path
        self.error.clear()
        self.app.runner.read(lambda: jobs.save_copy(source, target),
                             lambda saved: self._said(f"Saved {saved}."), self._said_error)

    def save_csv(self) -> None:
        request = self.current_request()
        target = self._ask_file("Save the figures as CSV", f"{request.file_stem}.csv", "CSV files (*.csv)", ".csv")
        if target is None:
            return
        self.error.clear()
        self.app.read(lambda ctx: jobs.write_csv(ctx, request, target),
                      lambda saved: self._said(f"Figures saved to {saved}."), self._said_error)

    def _said(self, text: str) -> None:
        if isValid(self):
            self.status.setText(text)

    def _said_error(self, exc: Exception) -> None:
        if isValid(self):
            self.show_error(describe(exc))

    def open_in_viewer(self) -> None:
        if self.report is None:
            return
        path = self.report.path
        if not path.exists():
            self.show_error(f"{path.name} is no longer in the reports folder; generate the report again.")
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.show_error(f"No PDF viewer could open the report. It is saved at {path}.")
        else:
            self.status.setText(f"Opened {path.name} in the PDF viewer.")

    def print_report(self) -> None:
        if self.report is None or self.busy() or not self.preview.pages:
            return
        count = self.preview.page_count()
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self.preview.pages[0].size_pt, self.report.request.title)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the report")
        dialog.setMinMax(1, count)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if not accepted:
            return
        pages = chosen_pages(printer, count)
        if prints_to_pdf(printer):
            self._print_to_pdf(printer, pages, count)
            return
        path, title, dpi = self.report.path, self.report.request.title, self.print_dpi
        self._printing = True
        job = self._start_job(f"Printing the {title}…")
        cancel, progress = self._cancel, self._emit_progress(job)
        self._printer = printer  # alive until the worker is done with it

        def printed(n: int) -> None:
            if self._current(job):
                self._set_idle(f"Sent {n} page{'s' if n != 1 else ''} to {printer.printerName() or 'the file'}.")

        self.app.runner.read(lambda: print_pdf(path, printer, pages, max_dpi=dpi, progress=progress,
                                               cancelled=cancel),
                             printed, lambda exc: self._failed(job, exc))
