"""The daily support report and the weekly report to the SCMR team, on the known week of tests/week_data.py."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from saypro_desktop.core.periods import Period
from saypro_desktop.reports.weekly import WEEKLY_SECTIONS, feedback_analysis_story, weekly_sections
from saypro_desktop.services import report_files as rf
from saypro_desktop.services.report_data import weekly_report
from tests.reports.conftest import pdf_pages, pdf_text
from tests.week_data import AS_OF, WEEK, build_week

GENERATED = datetime(2025, 2, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def week(ctx, clock):
    return build_week(ctx, clock)


def _csv(path: Path) -> dict[tuple[str, str], list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Section", "Measure", "Value", "Unit", "Target", "Result"]
    return {(r[0], r[1]): r[2:] for r in rows[1:]}


def test_daily_report_gives_the_days_work_agents_and_breaches(ctx, week, tmp_path):
    out = rf.write_daily_pdf(ctx, "2025-01-28", tmp_path / "day.pdf", as_of=AS_OF, generated_at=GENERATED)
    pages = pdf_pages(out)
    text = " ".join(pages)
    assert "Daily Support Report" in pages[0] and "Tuesday 28 January 2025" in pages[0]
    assert "Day 28/01/2025, the office's calendar day (Africa/Johannesburg)" in pages[0]
    assert ("On Tuesday 28 January 2025 the office logged 2 inquiries, acknowledged 2 and resolved 2; 0 were "
            "escalated. At the end of the day 1 were open, 0 of them past their resolution due time. Of 0 "
            "resolution due times in the day, 0 were missed.") in text
    assert "Open at the start of the day 1" in text and "Of those, resolved by their resolution due time 50.0%" in text
    # By agent: logged, first responses, resolved, escalated, open at end, breaches.
    assert "Ann Agent 1 1 1 0 1 0" in text and "Ben Agent 1 1 1 0 0 0" in text and "All agents 2 2 2 0 1 0" in text
    headings = ["1. The day's work", "2. By agent", "3. The day's inquiries against targets",
                "4. First response (business time)", "5. Escalations", "6. Breaches"]
    assert [text.index(h) for h in headings] == sorted(text.index(h) for h in headings)
    # (10 + 30) / 2 business minutes: A, logged at 00:30, counts from the 09:00 opening.
    assert "Average first response (business time) 20 min" in text
    assert "No resolution due time on Tuesday 28 January 2025 passed before its inquiry was resolved." in text


def test_daily_breaches_are_the_due_times_of_the_office_day(ctx, week, tmp_path):
    thursday = pdf_text(rf.write_daily_pdf(ctx, "2025-01-30", tmp_path / "thu.pdf", as_of=AS_OF,
                                           generated_at=GENERATED))
    assert ("1 inquiries were due for resolution on Thursday 30 January 2025 and were not resolved by their due "
            "time") in thursday
    assert f"{week.g.display_id} Normal 28/01/2025 10:00 30/01/2025 10:00 not yet (In Progress) 11.0 days " \
           "Ann Agent" in thursday
    # A's due time is Tuesday 22:30 UTC: Wednesday in the office, met.
    wednesday = pdf_text(rf.write_daily_pdf(ctx, "2025-01-29", tmp_path / "wed.pdf", as_of=AS_OF,
                                            generated_at=GENERATED))
    assert "Resolution due times that fell in the day 1" in wednesday and "Of those, missed (breaches) 0" in wednesday


def test_daily_csv_holds_the_pdfs_figures_unrounded(ctx, week, tmp_path):
    table = _csv(rf.write_daily_csv(ctx, "2025-01-28", tmp_path / "day.csv", as_of=AS_OF))
    assert table[("Activity", "Inquiries logged in the day")] == ["2", "", "", ""]
    assert table[("Activity", "Resolved")] == ["2", "", "", ""]
    assert table[("Activity", "Of those, resolved by their resolution due time")] == ["50.0", "%", "", ""]
    assert table[("Activity", "Open at the end of the day")] == ["1", "", "", ""]
    assert table[("By agent", "Ann Agent: resolved")] == ["1", "", "", ""]
    assert table[("By agent", "Ben Agent: inquiries logged")] == ["1", "", "", ""]
    assert table[("Totals", "Inquiries logged")] == ["2", "", "", ""]
    assert table[("Response times", "Acknowledged within 1 business hour")] == ["100.0", "%", "100.0", "met"]


def test_weekly_report_against_targets_with_the_trend_by_day(ctx, week, tmp_path):
    out = rf.write_weekly_pdf(ctx, WEEK, tmp_path / "week.pdf", as_of=AS_OF, generated_at=GENERATED)
    pages = pdf_pages(out)
    text = " ".join(pages)
    assert "SCMR Weekly Report" in pages[0] and "Report to The SCMR team" in pages[0]
    assert "Week Monday 27/01/2025 – Sunday 02/02/2025" in pages[0]
    assert "5 3 3 2 of 7 Inquiries logged Resolved in the week Open at the end Targets met" in pages[0]
    assert ("In Week 5 of 2025 (27 January – 2 February 2025) the office logged 5 inquiries, acknowledged 5 and "
            "resolved 3 (whenever logged); 3 were open at the end. Of 7 targets, measured on the inquiries logged "
            "in the week, 2 met and 4 missed.") in text
    assert "Acknowledged within 1 business hour 80.0% ≥ 100.0% ✘ missed" in text
    assert "First-contact resolution 100.0% ≥ 80.0% ✔ met" in text
    assert "Of those, resolved by their resolution due time 66.7%" in text  # 2 of 3, rounded once for display
    for row in ("Mon 27/01 0 no data no data 1 0 0 1 0", "Tue 28/01 2 100.0% 20 min 2 2 0 1 0",
                "Thu 30/01 0 no data no data 0 0 0 1 1", "Sun 02/02 1 0.0% no data 1 0 1 3 0"):
        assert row in text
    assert "Ann Agent 2 3 1 1 2 1" in text and "Ben Agent 2 2 2 0 0 0" in text and "Unassigned 1 0 0 0 1 0" in text
    assert "Cancelled inquiries, by reason Inquiries Share Spam 1 100.0%" in text
    assert f"{week.g.display_id} Normal 28/01/2025 10:00 30/01/2025 10:00 not yet (In Progress)" in text
    headings = [f"{n}. {name}" for n, (name, _) in enumerate(WEEKLY_SECTIONS, 1)]
    body = " ".join(pages[1:])
    assert [body.index(h) for h in headings] == sorted(body.index(h) for h in headings)
    assert "Feedback analysis" in text and "Top 10 complaints" in text and "Knowledge base" in text


def test_weekly_csv_has_the_trend_and_agents_as_rows(ctx, week, tmp_path):
    table = _csv(rf.write_weekly_csv(ctx, WEEK, tmp_path / "week.csv", as_of=AS_OF))
    assert table[("Totals", "Inquiries logged")] == ["5", "", "", ""]
    assert table[("Activity", "Of those, resolved by their resolution due time")] == [str(200 / 3), "%", "", ""]
    assert table[("Activity", "Of those, missed (breaches)")] == ["1", "", "", ""]
    assert table[("Trend by day", "Tue 28/01: Inquiries logged")] == ["2", "", "", ""]
    assert table[("Trend by day", "Sat 01/02: Of those, acknowledged within 1 business hour")] == \
        ["100.0", "%", "", ""]
    assert table[("Trend by day", "Mon 27/01: Of those, acknowledged within 1 business hour")] == ["", "%", "", ""]
    assert table[("By agent", "Ann Agent: due times missed")] == ["1", "", "", ""]
    assert table[("Response times", "Acknowledged within 1 business hour")] == ["80.0", "%", "100.0", "missed"]


def test_same_data_gives_the_same_bytes(ctx, week, tmp_path):
    for write, period in ((rf.write_daily_pdf, "2025-01-28"), (rf.write_weekly_pdf, WEEK)):
        one = write(ctx, period, tmp_path / "1.pdf", as_of=AS_OF, generated_at=GENERATED).read_bytes()
        two = write(ctx, period, tmp_path / "2.pdf", as_of=AS_OF, generated_at=GENERATED).read_bytes()
        assert one == two


def test_the_feedback_analysis_is_the_weekly_report_s_last_section(ctx, week):
    assert feedback_analysis_story() == [] and feedback_analysis_story(None) == []
    report = weekly_report(ctx.session, Period.week(WEEK), AS_OF, ctx.settings)
    assert [name for name, _ in weekly_sections(report)] == [*(n for n, _ in WEEKLY_SECTIONS), "Feedback analysis"]
    assert any(f.section == "Feedback analysis" for f in report.figures), "in the CSV too"
    report.feedback_analysis = None
    assert weekly_sections(report) == WEEKLY_SECTIONS


def test_a_period_of_the_wrong_kind_or_not_begun_is_refused(ctx, week, tmp_path):
    with pytest.raises(ValueError, match="2025-W54 does not exist"):
        rf.write_weekly_pdf(ctx, "2025-W54", tmp_path / "x.pdf")
    with pytest.raises(ValueError, match="is a week; this report needs a day"):
        rf.write_daily_pdf(ctx, Period.week(WEEK), tmp_path / "x.pdf")
    with pytest.raises(ValueError, match="has not begun yet"):
        rf.write_daily_pdf(ctx, "2025-02-11", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
