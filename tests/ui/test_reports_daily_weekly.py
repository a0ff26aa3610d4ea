"""The Reports workspace offers the daily and the weekly report beside the monthly and quarterly ones; they are made
on the pool like the others. The store holds the known week of tests/week_data.py; "now" is 10 February 2025."""

from __future__ import annotations

import csv
import threading
from datetime import date

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from saypro_desktop.services import report_files
from saypro_desktop.services.context import acting
from saypro_desktop.ui.reports.jobs import recent_days, recent_weeks
from saypro_desktop.ui.reports.workspace import ReportsWorkspace
from tests.reports.conftest import pdf_text
from tests.ui.conftest import wait_idle
from tests.week_data import AS_OF, WEEK, build_week


@pytest.fixture
def reports(qtbot, app, clock) -> ReportsWorkspace:
    with acting(app.store, clock=clock) as ctx:
        build_week(ctx, clock)
    clock.t = AS_OF
    ws = ReportsWorkspace(app)
    qtbot.addWidget(ws)
    ws.resize(1000, 700)
    ws.show()
    qtbot.waitExposed(ws)
    return ws


def test_day_and_week_choices_start_today_and_this_week():
    assert recent_days(date(2025, 2, 10), 2) == [("Mon 10/02/2025", "2025-02-10"), ("Sun 09/02/2025", "2025-02-09")]
    assert recent_weeks(date(2025, 2, 10), 3) == [("2025-W07 (10/02 – 16/02/2025)", "2025-W07"),
                                                  ("2025-W06 (03/02 – 09/02/2025)", "2025-W06"),
                                                  ("2025-W05 (27/01 – 02/02/2025)", "2025-W05")]
    assert recent_weeks(date(2026, 1, 1), 1)[0][1] == "2026-W01"  # Thursday 1 January 2026 is in 2026's week 1


def test_the_daily_and_weekly_reports_are_offered_with_their_own_period(reports):
    kinds = [reports.kind.itemData(i) for i in range(reports.kind.count())]
    assert kinds == ["daily", "weekly", "monthly", "quarterly"] and reports.kind.currentData() == "monthly"
    assert reports.day.currentData() == "2025-02-10" and reports.week.currentData() == "2025-W06"
    assert not reports.day.isVisible() and not reports.week.isVisible()
    reports.select("daily", "2025-01-28")
    assert reports.day.isVisible() and not reports.week.isVisible() and not reports.month.isVisible()
    assert not reports.recommendations.isVisible()
    reports.select("weekly", WEEK)
    assert reports.week.isVisible() and not reports.day.isVisible()
    with pytest.raises(ValueError, match="2025-W08 is not offered"):
        reports.select("weekly", "2025-W08")  # the future is not a choice


@pytest.mark.parametrize(("kind", "period", "writer", "title", "name", "text"), [
    ("daily", "2025-01-28", "write_daily_pdf", "Daily support report, Tuesday 28 January 2025",
     "Daily report 2025-01-28.pdf", "the office logged 2 inquiries, acknowledged 2 and resolved 2"),
    ("weekly", WEEK, "write_weekly_pdf", "SCMR weekly report, Week 5 of 2025 (27 January – 2 February 2025)",
     "Weekly report 2025-W05.pdf", "Tue 28/01 2 100.0% 20 min 2 2 0 1 0"),
])
def test_generating_on_the_pool_previews_the_report(qtbot, app, reports, monkeypatch, kind, period, writer, title,
                                                   name, text):
    real = getattr(report_files, writer)
    threads = []

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(report_files, writer, spy)
    reports.select(kind, period)
    qtbot.mouseClick(reports.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not reports.busy(), timeout=15_000)
    wait_idle(qtbot, app)
    assert reports.error.text() == ""
    assert threads and threads[0] is not threading.main_thread()
    path = reports.report.path
    assert path == app.store.paths.root / "reports" / name
    pages = len(PdfReader(path).pages)
    assert reports.preview.page_count() == pages
    assert reports.page_count.text() == f"{pages} page{'s' if pages != 1 else ''} · {title}"
    assert text in pdf_text(path)


def test_csv_of_the_chosen_week(qtbot, app, reports, tmp_path, monkeypatch):
    asked = []

    def ask(parent, caption, default, filters):
        asked.append(default)
        return str(tmp_path / "week.csv"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(ask))
    reports.select("weekly", WEEK)
    reports.save_csv()
    wait_idle(qtbot, app)
    assert asked[0].endswith("Weekly report 2025-W05.csv")
    with (tmp_path / "week.csv").open(encoding="utf-8-sig", newline="") as fh:
        table = {(r[0], r[1]): r[2] for r in csv.reader(fh)}
    assert table[("Totals", "Inquiries logged")] == "5" and table[("Activity", "Resolved")] == "3"


def test_a_day_without_new_inquiries_still_reports_the_work(qtbot, app, reports):
    reports.select("daily", "2025-01-27")  # P acknowledged, nothing logged
    reports.generate()
    qtbot.waitUntil(lambda: not reports.busy(), timeout=15_000)
    wait_idle(qtbot, app)
    assert reports.status.text() == ("Daily support report, Monday 27 January 2025: no inquiries were logged; the "
                                     "report shows the work on older ones.")
    assert "Acknowledged (first response given) 1" in pdf_text(reports.report.path)
