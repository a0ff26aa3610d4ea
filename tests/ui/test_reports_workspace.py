"""The Reports workspace and the inquiry PDF buttons, on a real store with three January inquiries.

"Now" is the clock fixture: Tuesday 14 January 2025 08:00 UTC (10:00 in Johannesburg).
"""

from __future__ import annotations

import csv
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QAbstractButton, QComboBox, QFileDialog, QLabel, QPlainTextEdit, QWidget
from sqlalchemy import select

from saypro_desktop.core.permissions import Role
from saypro_desktop.models import Attachment
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services import report_files
from saypro_desktop.services.context import acting
from saypro_desktop.services.staff import create_staff_user
from saypro_desktop.ui.app_context import SignedIn
from saypro_desktop.ui.inquiries.detail import InquiryDetailPanel
from saypro_desktop.ui.main_window import MainWindow
from saypro_desktop.ui.reports.jobs import describe, recent_months, recent_quarters
from saypro_desktop.ui.reports.pdf_pages import PdfPages, dpi_for_width
from saypro_desktop.ui.reports.pdf_preview import FIT_PAGE
from saypro_desktop.ui.reports.printing import is_pdf_printer_name, prepare_printer, print_pdf
from saypro_desktop.ui.reports.workspace import ReportsWorkspace
from tests.conftest import draft
from tests.reports.conftest import pdf_pages, pdf_text
from tests.ui.conftest import wait_idle

NOW = datetime(2025, 1, 14, 8, 0, tzinfo=UTC)


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 1, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def january(app, clock) -> dict[str, tuple[str, str]]:
    """A: resolved on first contact; B: escalated to Tier 2; C: still new. Returns (row id, Inquiry ID) by letter."""
    out = {}
    with acting(app.store, clock=clock) as ctx:
        clock.t = t(6, 8)
        a = svc.create_inquiry(ctx, draft(subject="Charged twice", category="Payment/Billing", mode="Phone"))
        clock.t = t(6, 8, 20)
        svc.acknowledge(ctx, a)
        clock.t = t(6, 10)
        svc.change_status(ctx, a, "Resolved", resolution="Duplicate charge refunded.")
        clock.t = t(8, 9)
        b = svc.create_inquiry(ctx, draft(subject="Ad rejected twice"))
        clock.t = t(8, 12)
        svc.change_status(ctx, b, "Escalated", tier="Tier 2", reason="Needs a senior moderator")
        clock.t = t(13, 9)
        c = svc.create_inquiry(ctx, draft(subject="Cannot log in"))
        ctx.session.flush()
        out = {k: (i.id, i.display_id) for k, i in (("A", a), ("B", b), ("C", c))}
    clock.t = NOW
    return out


@pytest.fixture
def reports(qtbot, app, january) -> ReportsWorkspace:
    ws = ReportsWorkspace(app)
    qtbot.addWidget(ws)
    ws.resize(1000, 700)
    ws.show()
    qtbot.waitExposed(ws)
    return ws


def generate(qtbot, app, ws: ReportsWorkspace, kind: str = "monthly", period: str = "2025-01") -> None:
    ws.select(kind, period)
    qtbot.mouseClick(ws.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not ws.busy(), timeout=15_000)
    wait_idle(qtbot, app)


@pytest.fixture
def generated(qtbot, app, reports) -> ReportsWorkspace:
    generate(qtbot, app, reports)
    assert reports.error.text() == ""
    return reports


def _save_as(monkeypatch, path: Path, asked: list | None = None) -> None:
    def ask(parent, title, default, filters):
        if asked is not None:
            asked.append((title, default, filters))
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(ask))


# periods ----------------------------------------------------------------------------------------------------------
def test_period_choices_start_at_this_month_and_quarter_and_default_to_the_one_before(reports):
    from datetime import date

    assert recent_months(date(2025, 1, 14), 3) == [("January 2025", "2025-01"), ("December 2024", "2024-12"),
                                                  ("November 2024", "2024-11")]
    assert recent_quarters(date(2025, 1, 14), 3) == [("Q1 2025", "2025Q1"), ("Q4 2024", "2024Q4"),
                                                    ("Q3 2024", "2024Q3")]
    assert reports.month.currentText() == "December 2024" and reports.month.count() == 24
    assert reports.quarter.currentText() == "Q4 2024"
    assert reports.month.isVisible() and not reports.quarter.isVisible() and not reports.recommendations.isVisible()
    reports.select("quarterly", "2025Q1")
    assert reports.quarter.isVisible() and reports.recommendations.isVisible() and not reports.month.isVisible()
    with pytest.raises(ValueError, match="2025Q2 is not offered"):
        reports.select("quarterly", "2025Q2")  # the future is not a choice


# generating and the preview ---------------------------------------------------------------------------------------
def test_generating_the_monthly_report_previews_every_page(app, generated):
    ws = generated
    path = ws.report.path
    assert path == app.store.paths.root / "reports" / "SCMR-5 2025-01.pdf"
    pages = len(PdfReader(path).pages)
    assert pages >= 2
    assert ws.preview.page_count() == pages
    assert ws.page_count.text() == f"{pages} pages · SCMR-5 monthly report, January 2025"
    assert ws.status.text() == "SCMR-5 monthly report, January 2025: 3 inquiries."
    assert [p.accessibleName() for p in ws.preview.pages] == [f"Page {n} of {pages}" for n in range(1, pages + 1)]
    first = ws.preview.pages[0]
    assert first.image is not None and not first.image.isNull()
    assert all(p.image is not None for p in ws.preview.pages)
    # Fit width: the page fills the viewport less the margins, at the A4 aspect ratio.
    assert first.width() == ws.preview.viewport().width() - 2 * ws.preview._margin
    assert first.height() == pytest.approx(first.width() * 842 / 595, abs=2)
    # The image has ink on it (the title), not only white paper.
    image = first.image
    dark = sum(image.pixelColor(x, y).lightness() < 100 for x in range(0, image.width(), 4)
               for y in range(0, image.height() // 3, 4))
    assert dark > 50
    assert "January 2025" in pdf_pages(path)[0]
    assert ws.save_button.isEnabled() and ws.print_button.isEnabled() and ws.open_button.isEnabled()
    assert not ws.cancel_button.isEnabled() and ws.progress_bar.isHidden()


def test_generation_runs_on_the_pool_while_the_window_stays_responsive(qtbot, app, reports, monkeypatch):
    real = report_files.write_monthly_pdf
    threads = []

    def slow(*args, **kwargs):
        threads.append(threading.current_thread())
        time.sleep(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(report_files, "write_monthly_pdf", slow)
    ticks = []
    timer = QTimer(interval=20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    reports.select("monthly", "2025-01")
    reports.generate()
    assert reports.busy()
    assert not reports.generate_button.isEnabled() and reports.cancel_button.isEnabled()
    assert reports.progress_bar.isVisible() and reports.progress_bar.maximum() == 0  # indeterminate
    assert reports.status.text().startswith("Generating the SCMR-5 monthly report, January 2025…")
    qtbot.waitUntil(lambda: not reports.busy(), timeout=15_000)
    timer.stop()
    assert threads and threads[0] is not threading.main_thread()
    assert len(ticks) >= 10  # the GUI thread went on running its timers while the report was made
    assert reports.preview.page_count() == len(PdfReader(reports.report.path).pages)


def test_page_progress_from_the_pool_arrives_on_the_gui_thread(qtbot, app, january, monkeypatch):
    seen = []
    show = ReportsWorkspace._on_progress

    def spy(self, job, done, total):
        seen.append((threading.current_thread() is threading.main_thread(), done, total))
        show(self, job, done, total)

    monkeypatch.setattr(ReportsWorkspace, "_on_progress", spy)
    ws = ReportsWorkspace(app)
    qtbot.addWidget(ws)
    generate(qtbot, app, ws)
    pages = ws.preview.page_count()
    assert seen == [(True, n, pages) for n in range(1, pages + 1)]


def test_cancel_ignores_a_late_result(qtbot, app, reports, monkeypatch):
    real = report_files.write_monthly_pdf
    monkeypatch.setattr(report_files, "write_monthly_pdf", lambda *a, **k: (time.sleep(0.4), real(*a, **k))[1])
    reports.select("monthly", "2025-01")
    reports.activateWindow()
    qtbot.waitActive(reports)
    reports.generate()
    qtbot.keyClick(reports, Qt.Key.Key_Escape)  # the Cancel button's shortcut (an animated click)
    qtbot.waitUntil(lambda: not reports.busy(), timeout=2000)
    assert reports.status.text() == "Cancelled."
    assert reports.generate_button.isEnabled()
    wait_idle(qtbot, app, timeout=10_000)
    assert reports.report is None and reports.preview.page_count() == 0
    assert not reports.save_button.isEnabled()


def test_an_empty_month_says_it_has_no_data(qtbot, app, reports):
    generate(qtbot, app, reports, "monthly", "2024-12")
    assert "No inquiries were logged in December 2024: the report has no data." in reports.status.text()
    assert reports.preview.page_count() == len(PdfReader(reports.report.path).pages)


def test_changing_the_period_says_the_preview_is_of_another(qtbot, generated):
    generated.select("monthly", "2024-11")
    assert generated.status.text() == ("The preview shows the SCMR-5 monthly report, January 2025. "
                                       "Press Generate (Ctrl+G) for November 2024.")
    generated.select("monthly", "2025-01")
    assert generated.status.text() == "SCMR-5 monthly report, January 2025: 3 inquiries."


def test_zoom_fit_page_and_percentages_with_a_sharper_rendering(qtbot, app, generated):
    ws = generated
    ws.zoom.setCurrentIndex(ws.zoom.findData(FIT_PAGE))
    page = ws.preview.pages[0]
    assert page.height() <= ws.preview.viewport().height() - 2 * ws.preview._margin
    dpi_before = ws.preview.dpi
    ws.zoom.setCurrentIndex(ws.zoom.findData(2.0))
    assert page.width() == round(595.2756 / 72 * ws.preview.logicalDpiX() * 2.0)
    qtbot.waitUntil(lambda: ws.preview.dpi > dpi_before * 1.15, timeout=10_000)  # rendered again, on the pool
    assert page.image.width() >= page.width() * 0.95  # sharp at 200%, not the fit-width pixels blown up
    ws.step_zoom(-1)
    assert ws.zoom.currentText() == "150%"
    ws.step_zoom(0)
    assert ws.zoom.currentText() == "Fit width"


def test_quarterly_review_carries_the_recommendations_kept_per_quarter(qtbot, app, reports):
    reports.select("quarterly", "2025Q1")
    reports.recommendations.setPlainText("Publish a payments FAQ before March.")
    reports.select("quarterly", "2024Q4")
    assert reports.recommendations.toPlainText() == ""
    reports.select("quarterly", "2025Q1")
    assert reports.recommendations.toPlainText() == "Publish a payments FAQ before March."
    generate(qtbot, app, reports, "quarterly", "2025Q1")
    path = reports.report.path
    assert path.name == "Quarterly review 2025Q1.pdf"
    text = pdf_text(path)
    assert "Q1 2025" in text and "Publish a payments FAQ before March." in text
    assert reports.preview.page_count() == len(PdfReader(path).pages)


# output -----------------------------------------------------------------------------------------------------------
def test_save_as_writes_the_pdf_with_the_month_in_it(qtbot, app, generated, tmp_path, monkeypatch):
    asked = []
    _save_as(monkeypatch, tmp_path / "out" / "january", asked)
    qtbot.mouseClick(generated.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    target = tmp_path / "out" / "january.pdf"  # the suffix is added
    assert asked[0][1].endswith("SCMR-5 2025-01.pdf")
    assert target.read_bytes() == generated.report.path.read_bytes()
    text = pdf_text(target)
    assert "January 2025" in text and "SCMR-5" in text
    assert generated.status.text() == f"Saved {target}."


def test_open_in_viewer_opens_the_file_in_the_reports_folder(qtbot, app, generated, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    qtbot.mouseClick(generated.open_button, Qt.MouseButton.LeftButton)
    assert [Path(u.toLocalFile()) for u in opened] == [app.store.paths.root / "reports" / "SCMR-5 2025-01.pdf"]
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    generated.open_in_viewer()
    assert generated.error.text().startswith("No PDF viewer could open the report. It is saved at ")


def _print_to(monkeypatch, out: Path | None, pages: tuple[int, int] | None = None) -> list[QPrinter]:
    """The print dialog accepted with Qt's PDF output (to ``out``; None: no file named, as a PDF printer driver)."""
    used = []

    def accept(dialog):
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out) if out else "")
        if pages:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(*pages)
        used.append(printer)
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    return used


def test_print_to_pdf_gives_the_reports_own_pdf_with_its_text(qtbot, app, generated, tmp_path, monkeypatch):
    out = tmp_path / "printed.pdf"
    used = _print_to(monkeypatch, out)
    qtbot.mouseClick(generated.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: out.exists(), timeout=30_000)
    wait_idle(qtbot, app)
    count = generated.preview.page_count()
    assert generated.status.text() == f"Saved {count} pages as {out} (the report's PDF, with its text)."
    # The generated file itself, not page images: same bytes, searchable text, no image on any page.
    assert out.read_bytes() == generated.report.path.read_bytes()
    assert "SCMR-5 Monthly Report" in pdf_text(out) and "Acknowledged within 1 business hour" in pdf_text(out)
    printed = PdfReader(out)
    assert len(printed.pages) == count and not any(page.images for page in printed.pages)
    assert used[0].docName() == "SCMR-5 monthly report, January 2025"


def test_print_a_page_range_to_pdf(qtbot, app, generated, tmp_path, monkeypatch):
    out = tmp_path / "two.pdf"
    _print_to(monkeypatch, out, pages=(2, 3))
    generated.print_report()
    qtbot.waitUntil(lambda: out.exists(), timeout=30_000)
    wait_idle(qtbot, app)
    assert generated.status.text() == f"Saved 2 pages as {out} (the report's PDF, with its text)."
    whole = pdf_pages(generated.report.path)
    assert pdf_pages(out) == whole[1:3]  # pages 2 and 3, as text


def test_a_pdf_printer_that_names_no_file_asks_where_to_save(qtbot, app, generated, tmp_path, monkeypatch):
    # "Microsoft Print to PDF" and "Save as PDF" ask for the file in their driver; the app asks instead and
    # writes the report's own PDF there.
    out = tmp_path / "chosen.pdf"
    asked = []
    _save_as(monkeypatch, out, asked)
    _print_to(monkeypatch, None)
    generated.print_report()
    qtbot.waitUntil(lambda: out.exists(), timeout=30_000)
    wait_idle(qtbot, app)
    assert asked and asked[0][1].endswith("SCMR-5 2025-01.pdf")
    assert out.read_bytes() == generated.report.path.read_bytes()


@pytest.mark.parametrize(("name", "pdf"), [("Microsoft Print to PDF", True), ("Save as PDF", True),
                                           ("CUPS-PDF", True), ("PDF", True), ("HP LaserJet 4250", False),
                                           ("PDFCreator", False), ("", False)])
def test_pdf_printers_are_known_by_name(name, pdf):
    assert is_pdf_printer_name(name) is pdf


def test_a_paper_printer_gets_the_pages_painted(qtbot, app, generated, tmp_path):
    # The path of a real printer: pages rendered and painted (checked here through Qt's PDF output directly).
    out = tmp_path / "painted.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_printer(printer, generated.preview.pages[0].size_pt, "t")
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    assert print_pdf(generated.report.path, printer, [0, 1], max_dpi=72) == 2
    printed = PdfReader(out)
    assert len(printed.pages) == 2
    box = printed.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (pytest.approx(595, abs=2), pytest.approx(842, abs=2))  # A4


def test_csv_writes_the_figures_of_the_chosen_month(qtbot, app, reports, tmp_path, monkeypatch):
    asked = []
    _save_as(monkeypatch, tmp_path / "january.csv", asked)
    reports.select("monthly", "2025-01")
    qtbot.mouseClick(reports.csv_button, Qt.MouseButton.LeftButton)  # no need to generate first
    wait_idle(qtbot, app)
    assert asked[0][1].endswith("SCMR-5 2025-01.csv")
    with (tmp_path / "january.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    table = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert table[("Totals", "Inquiries logged")] == ["3", "", "", ""]
    assert table[("Totals", "Resolved or closed")] == ["1", "", "", ""]
    assert [v for (section, measure), v in table.items() if section == "Escalations" and "Tier 2" in measure] \
        == [["1", "", "", ""]]
    assert reports.status.text() == f"Figures saved to {tmp_path / 'january.csv'}."


def test_quarterly_csv_has_a_column_per_month(qtbot, app, reports, tmp_path, monkeypatch):
    _save_as(monkeypatch, tmp_path / "q1.csv")
    reports.select("quarterly", "2025Q1")
    reports.save_csv()
    wait_idle(qtbot, app)
    with (tmp_path / "q1.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][4:] == ["January 2025", "January 2025 result", "February 2025", "February 2025 result",
                           "March 2025", "March 2025 result", "Q1 2025", "Q1 2025 result"]
    logged = next(r for r in rows if r[1] == "Inquiries logged")
    assert logged[4] == "3" and logged[10] == "3"


# errors -----------------------------------------------------------------------------------------------------------
def _viewer(app) -> SignedIn:
    with acting(app.store) as ctx:
        viewer = create_staff_user(ctx, "viv", "Viv Viewer", Role.VIEWER)
        return SignedIn(viewer.id, viewer.username, viewer.display_name, viewer.role)


def test_a_role_without_reports_is_told_so_and_the_service_refuses_too(qtbot, app, january, monkeypatch):
    ws = ReportsWorkspace(replace(app, user=_viewer(app)))
    qtbot.addWidget(ws)
    assert ws.error.text() == "Your role (Viewer) does not include KPIs and reports."
    assert not ws.generate_button.isEnabled() and not ws.csv_button.isEnabled()
    monkeypatch.setattr(type(ws.app), "can", lambda self, permission: True)  # the UI let it through: the service not
    ws.select("monthly", "2025-01")
    ws.generate()
    qtbot.waitUntil(lambda: not ws.busy(), timeout=10_000)
    assert ws.error.text() == "Not allowed: viv (Viewer) may not view KPIs and reports."
    assert ws.report is None


def test_a_failure_is_shown_in_the_workspace(qtbot, app, reports, monkeypatch):
    def refuse(ctx, period, out, **kwargs):
        raise ValueError("march 2025 has not begun yet (today is 14/01/2025); there is nothing to report")

    monkeypatch.setattr(report_files, "write_monthly_pdf", refuse)
    generate(qtbot, app, reports)
    assert reports.error.text() == ("March 2025 has not begun yet (today is 14/01/2025); there is nothing to "
                                    "report.")
    assert reports.status.text() == "" and reports.generate_button.isEnabled()
    assert describe(PermissionError(13, "Permission denied", "x.pdf")) == \
        "The file could not be written: Permission denied (x.pdf)"


def test_a_locked_file_gets_the_next_name(qtbot, app, reports, monkeypatch):
    real = report_files.write_monthly_pdf

    def locked_first(ctx, period, out, **kwargs):
        if Path(out).name == "SCMR-5 2025-01.pdf":
            raise PermissionError(13, "The process cannot access the file", str(out))  # Windows, open in a viewer
        return real(ctx, period, out, **kwargs)

    monkeypatch.setattr(report_files, "write_monthly_pdf", locked_first)
    generate(qtbot, app, reports)
    assert reports.report.path.name == "SCMR-5 2025-01 (2).pdf"


# controls ---------------------------------------------------------------------------------------------------------
def test_every_control_is_named_and_shortcuts_are_in_tooltips(reports):
    buddies = {id(label.buddy()) for label in reports.findChildren(QLabel) if label.buddy() is not None}
    for w in reports.findChildren(QWidget):
        if isinstance(w, QAbstractButton | QComboBox | QPlainTextEdit) and not isinstance(w.parent(), QComboBox):
            assert w.accessibleName() or id(w) in buddies, w
    for b in reports.findChildren(QAbstractButton):
        if not b.shortcut().isEmpty():
            assert b.shortcut().toString() in b.toolTip(), b.text()
    assert "Ctrl+G" in reports.generate_button.toolTip() and "Ctrl+P" in reports.print_button.toolTip()
    assert reports.preview.accessibleName() == "Report preview"


def test_pdfium_is_used_by_one_thread_at_a_time(app, generated):
    """Four threads render at once; the lock keeps pdfium (not thread-safe) from crashing."""
    path, errors, sizes = generated.report.path, [], []

    def work():
        try:
            with PdfPages(path) as pdf:
                sizes.extend(pdf.render(i, 50).width for i in range(len(pdf)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == [] and len(sizes) == 4 * generated.preview.page_count()
    assert set(sizes) == {round(595.2756 * 50 / 72 + 0.49)}
    assert dpi_for_width(595.2756, 1240) == pytest.approx(150, abs=0.1) and dpi_for_width(595, 10) == 36


# the inquiry's PDF buttons and the main window --------------------------------------------------------------------
@pytest.fixture
def panel(qtbot, app, january) -> InquiryDetailPanel:
    panel = InquiryDetailPanel(app)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_inquiry(january["A"][0])
    qtbot.waitUntil(lambda: panel.detail is not None, timeout=5000)
    return panel


def test_attach_pdf_adds_the_template_as_an_attachment(qtbot, app, panel, january):
    rid, ref = january["A"]
    with qtbot.waitSignal(panel.message, timeout=10_000) as said:
        qtbot.mouseClick(panel.attach_pdf_button, Qt.MouseButton.LeftButton)
    assert said.args == [f"Attached {ref}.pdf"]
    wait_idle(qtbot, app)
    with app.store.session() as s:
        rows = s.scalars(select(Attachment).where(Attachment.inquiry_id == rid, Attachment.deleted.is_(False))).all()
        assert [a.filename for a in rows] == [f"{ref}.pdf"]
    qtbot.waitUntil(lambda: panel.files.count() == 1, timeout=5000)  # the view reloaded on the change
    assert panel.files.item(0).text().startswith(f"{ref}.pdf (")
    panel.attach_pdf()  # again: it replaces the earlier one
    wait_idle(qtbot, app)
    with app.store.session() as s:
        assert len(s.scalars(select(Attachment).where(Attachment.inquiry_id == rid,
                                                      Attachment.deleted.is_(False))).all()) == 1


def test_pdf_button_saves_the_inquiry_template(qtbot, app, panel, january, tmp_path, monkeypatch):
    ref = january["A"][1]
    asked = []
    _save_as(monkeypatch, tmp_path / "mine", asked)
    with qtbot.waitSignal(panel.message, timeout=10_000) as said:
        qtbot.mouseClick(panel.pdf_button, Qt.MouseButton.LeftButton)
    target = tmp_path / "mine.pdf"
    assert Path(asked[0][1]).name == f"{ref}.pdf"
    assert said.args == [f"Saved {target}"]
    text = pdf_text(target)
    assert ref in text and "Charged twice" in text


def test_a_viewer_has_no_reports_workspace(qtbot, app, ui_state):
    window = MainWindow(replace(app, user=_viewer(app)), ui_state)
    qtbot.addWidget(window)
    assert window.reports is None
    assert [ws.title for ws in window.workspaces] == ["Dashboard", "Inquiries", "Knowledge"]
    assert [window.sidebar.item(i).text() for i in range(window.sidebar.count())] == ["Dashboard", "Inquiries",
                                                                                       "Knowledge"]
    wait_idle(qtbot, app)


def test_a_supervisor_reaches_reports_from_the_sidebar(qtbot, app, ui_state):
    window = MainWindow(app, ui_state)  # the first Admin
    qtbot.addWidget(window)
    window.show()
    assert isinstance(window.reports, ReportsWorkspace)
    row = window.workspaces.index(window.reports)
    assert window.sidebar.item(row).text() == "Reports"
    window.sidebar.setCurrentRow(row)
    assert window.stack.currentWidget() is window.reports
    wait_idle(qtbot, app)
