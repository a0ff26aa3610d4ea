"""Figures a supervisor signs: verdicts on unrounded values, one rounding for display, times in business hours."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from saypro_desktop.core.kpi import KpiDataset, against_targets, pct, shown
from saypro_desktop.core.office_settings import KpiTargets, OfficeSettings
from saypro_desktop.reports.figures import monthly_csv_rows, monthly_figures
from saypro_desktop.reports.formatting import fmt_value, hours_minutes
from saypro_desktop.reports.monthly import MonthlyReport, render_monthly_pdf
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.kpi import kpi_dataset
from tests.conftest import draft
from tests.reports.conftest import AS_OF, GENERATED, pdf_pages, pdf_text

TZ = ZoneInfo("Africa/Johannesburg")


@pytest.mark.parametrize(("value", "digits", "target", "higher", "expected"), [
    (93.551, 1, None, True, "93.6"),  # once, from the value: not 93.55 and then 93.5
    (100 * 1871 / 2000, 1, None, True, "93.6"),  # a ratio of exactly 93.55%: half up
    (4.495, 2, 4.5, True, "4.49"),  # misses 4.5: never shown as 4.50
    (4.4999, 2, 4.5, True, "4.49"),
    (4.5, 2, 4.5, True, "4.50"),  # meets it
    (4.505, 2, 4.5, True, "4.51"),
    (94.96, 1, 95.0, True, "94.9"),
    (94.94, 1, 95.0, True, "94.9"),
    (99.99, 1, 100.0, True, "99.9"),
    (2.04, 1, 2.0, False, "2.1"),  # a ceiling missed is never shown as the ceiling either
    (1.96, 1, 2.0, False, "2.0"),
])
def test_shown_rounds_once_and_never_onto_a_missed_target(value, digits, target, higher, expected):
    assert shown(value, digits, target, higher) == Decimal(expected)


def test_percentages_are_kept_unrounded():
    assert pct(93551, 100000) == 93.551
    assert pct(1, 3) == 100 / 3
    assert pct(0, 0) is None


@pytest.mark.parametrize(("minutes", "text"), [(769.0, "12 h 49 min"), (55, "55 min"), (59.6, "1 h 00 min"),
                                               (0.4, "0 min"), (60, "1 h 00 min"), (1501.5, "25 h 02 min")])
def test_times_are_hours_and_minutes(minutes, text):
    assert hours_minutes(minutes) == text
    assert fmt_value(minutes, "min") == text


def _report(**figures) -> MonthlyReport:
    data = KpiDataset(period="January 2025", first_day="2025-01-01", last_day="2025-01-31",
                      as_of=AS_OF.isoformat(), logged=200, resolved=200, csat_responses=200, **figures)
    return MonthlyReport(data=data, checks=against_targets(data, KpiTargets(csat=4.5)), as_of=AS_OF)


def test_a_csat_of_4_495_is_missed_and_printed_as_such(tmp_path):
    report = _report(csat_average=899 / 200, ack_within_target_pct=pct(187102, 200000))  # 4.495 and 93.551%
    csat = next(c for c in report.checks if c.key == "csat_average")
    assert csat.met is False  # decided on 4.495, not on 4.50
    out = tmp_path / "m.pdf"
    render_monthly_pdf(report, out, generated_at=GENERATED, tz=TZ)
    text = pdf_text(out)
    assert text.count("User satisfaction (CSAT) 4.49 / 5 ≥ 4.50 / 5 ✘ missed") == 2  # summary and its section
    assert "4.50 / 5 ✔" not in text and "4.50 / 5 ≥" not in text
    assert text.count("Acknowledged within 1 business hour 93.6% ≥ 100.0% ✘ missed") == 2
    # The cover's tiles: 200 logged, 200 resolved, 0 open, and no target met (the CSAT is not counted as met).
    assert "200 200 0 0 of 7 Inquiries logged Resolved or closed Still open Targets met" in pdf_pages(out)[0]
    rows = {(r[0], r[1]): r[2:] for r in monthly_csv_rows(monthly_figures(report.data, report.checks))}
    assert rows[("User feedback", "User satisfaction (CSAT)")] == ["4.495", "/5", "4.5", "missed"]
    assert rows[("Response times", "Acknowledged within 1 business hour")] == ["93.551", "%", "100.0", "missed"]


def test_the_average_rating_reaches_the_report_unrounded(ctx, clock):
    for rating in (5, 4, 4):
        i = svc.create_inquiry(ctx, draft())
        svc.change_status(ctx, i, "Resolved", resolution="Approved after review.", handled_by=ctx.actor)
        svc.record_feedback(ctx, i, rating)
    ctx.session.flush()
    from saypro_desktop.core.periods import Period

    d = kpi_dataset(ctx.session, Period.month("2025-01"), datetime(2025, 2, 1, tzinfo=UTC), ctx.calendar)
    assert d.csat_average == pytest.approx(13 / 3, abs=1e-12)  # not 4.33


def test_the_default_acknowledgement_target_is_seed_002s_100_percent():
    assert OfficeSettings().targets.ack_within_target == 1.0
    assert OfficeSettings.from_dict({}).targets.ack_within_target == 1.0


def test_the_monthly_report_counts_cancelled_inquiries_apart(ctx, clock, january, tmp_path):
    from saypro_desktop.services.cancellation import cancel_inquiry
    from saypro_desktop.services.report_files import write_monthly_csv, write_monthly_pdf

    clock.t = datetime(2025, 1, 20, 8, 0, tzinfo=UTC)
    spam = svc.create_inquiry(ctx, draft(subject="Cheap watches"))
    again = svc.create_inquiry(ctx, draft(subject="Charged twice", category="Payment/Billing"))
    cancel_inquiry(ctx, spam, "Spam")
    cancel_inquiry(ctx, again, "Duplicate", duplicate_of=january.a)
    ctx.session.flush()
    text = pdf_text(write_monthly_pdf(ctx, "2025-01", tmp_path / "m.pdf", as_of=AS_OF, generated_at=GENERATED))
    # The figures are those of the four real inquiries; the two set aside are counted apart, by reason.
    assert ("In January 2025 the office logged 4 inquiries: 3 resolved or closed and 1 still open (2 more were "
            "cancelled as spam, duplicates or tests and are left out).") in text
    assert "Acknowledged within 1 business hour 50.0% ≥ 100.0% ✘ missed" in text
    assert ("Cancelled inquiries, by reason Inquiries Share Spam 1 50.0% Duplicate 1 50.0% Test 0 0.0% "
            "Other 0 0.0% 2 inquiries were set aside") in text
    out = write_monthly_csv(ctx, "2025-01", tmp_path / "m.csv", as_of=AS_OF)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = {(r[0], r[1]): r[2] for r in csv.reader(fh)}
    assert rows[("Totals", "Inquiries logged")] == "4"
    assert rows[("Totals", "Cancelled (spam, duplicates, tests), not counted above")] == "2"
    assert rows[("Cancelled (left out of the figures)", "Duplicate")] == "1"
