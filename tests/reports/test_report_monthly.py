"""The SCMR-5 monthly report and its CSV twin on the hand-made January (figures worked out in conftest)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest

from saypro_desktop.core.periods import Period
from saypro_desktop.reports.monthly import MONTHLY_SECTIONS
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services import report_data as data
from saypro_desktop.services.report_files import write_monthly_csv, write_monthly_pdf
from saypro_desktop.services.staff import create_staff_user
from tests.conftest import draft
from tests.reports.conftest import AS_OF, GENERATED, T0, pdf_pages, pdf_text

JANUARY = Period.month("2025-01")


@pytest.fixture
def report_text(ctx, january, tmp_path):
    out = write_monthly_pdf(ctx, "2025-01", tmp_path / "m.pdf", as_of=AS_OF, generated_at=GENERATED)
    return pdf_text(out)


def test_cover_and_every_section_heading_in_order(ctx, january, tmp_path):
    pages = pdf_pages(write_monthly_pdf(ctx, "2025-01", tmp_path / "m.pdf", as_of=AS_OF, generated_at=GENERATED))
    cover = pages[0]
    for expected in ("SCMR-5 Monthly Report", "January 2025", "Office SayPro Classified Office",
                     "Period 01/01/2025 – 31/01/2025", "Data as of 10/02/2025 02:00 (Africa/Johannesburg)",
                     "Generated at 10/02/2025 12:00 (Africa/Johannesburg)",
                     "4 3 1 0 of 7 Inquiries logged Resolved or closed Still open Targets met"):
        assert expected in cover, expected
    body = " ".join(pages[1:])
    titles = [f"{n}. {title}" for n, (title, _) in enumerate(MONTHLY_SECTIONS, 1)]
    assert titles[0] == "1. Executive summary" and titles[-2] == "9. Breached inquiries"
    assert titles[-1] == "10. Ad moderation"
    positions = [body.index(t) for t in titles]
    assert positions == sorted(positions)
    assert all(p.endswith(f"Page {n} of {len(pages)}") for n, p in enumerate(pages, 1))


def test_executive_summary_gives_each_kpi_against_its_target_in_words(report_text):
    for row in ("Acknowledged within 1 business hour 50.0% ≥ 100.0% ✘ missed",
                "Resolved within 24 hours 25.0% ≥ 95.0% ✘ missed",
                "Resolved within 48 hours 50.0% ≥ 95.0% ✘ missed",
                "Resolved the same day 25.0% ≥ 95.0% ✘ missed",
                "First-contact resolution 33.3% ≥ 80.0% ✘ missed",
                "Closed without reopening 66.7% ≥ 98.0% ✘ missed",
                "User satisfaction (CSAT) 4.00 / 5 ≥ 4.50 / 5 ✘ missed"):
        assert report_text.count(row) == 2, row  # once in the summary, once in its own section
    assert ("In January 2025 the office logged 4 inquiries: 3 resolved or closed and 1 still open. Of 7 targets, "
            "0 met and 7 missed.") in report_text


def test_section_figures_equal_the_kpi_dataset(report_text):
    for row in (
        # 2. Response times
        "First responses measured 4", "Average first response (business time) 43 min",
        "Median first response (business time) 30 min", "counted in business time",
        # 3. Resolution
        "High and critical priority resolved within 24 hours 100.0%", "Resolved by the resolution due time 50.0%",
        # 4. Escalations
        "Escalated to higher-tier support 1", "Escalated automatically (unresolved at 48 hours) 0",
        "Tier 2 (Senior support) 0", "Tier 3 (Technical / development team) 1", "Tier 4 (Management) 0",
        # 5. Reopening and closure, with the status breakdown
        "Reopened 1 Reopen rate 33.3%", "New 1 25.0% In Progress 0 0.0% Escalated 0 0.0% Resolved 2 50.0% "
                                        "Closed 1 25.0% Reopened 0 0.0%",
        # 6. User feedback
        "Feedback responses 2 Feedback responses per resolved inquiry 66.7%",
        # 7. Volumes
        "Email 2 50.0% Phone 1 25.0% Live Chat 1 25.0% Support Portal 0 0.0% Social Media 0 0.0% In-person 0 0.0%",
        "Technical Issue 2 50.0% Classified Ad Posting 0 0.0% Payment/Billing 1 25.0%",
        "Feature Request 1 25.0%", "General Public 1 25.0% Registered User 1 25.0% Advertiser 2 50.0% "
                                   "Organization 0 0.0% Partner 0 0.0%",
        "Jobs 1 50.0% Real Estate 1 50.0% Vehicles 0 0.0%",
        "2 inquiries have no classified category recorded",
        "Critical 0 0.0% High 1 25.0% Normal 2 50.0% Low 1 25.0%",
        # 8. Top lists
        "# Subject Inquiries 1 Images look blurry 2 2 Charged twice 1 3 Error 500 on dashboard 1",
        "# Category Inquiries 1 Technical Issue 2 2 Feature Request 1 3 Payment/Billing 1",
    ):
        assert row in report_text, row


def test_breached_inquiries_are_listed_by_due_time_then_id(ctx, january, report_text):
    c, d = january.c, january.d
    # C (Low) and D (Normal) are both due 48 h after 14/01 10:00; the tie goes to the lower Inquiry ID.
    assert c.inquiry_ref < d.inquiry_ref
    assert ("2 inquiries logged in January 2025 passed their resolution due time" in report_text)
    # C was resolved 12 h late; D is still open 24 days 16 hours past its due time (as of 10/02 02:00).
    # C was taken on by whoever acknowledged it; nobody ever took D on.
    assert (f"{c.inquiry_ref} Low 14/01/2025 10:00 16/01/2025 10:00 16/01/2025 22:00 12.0 h Administrator "
            f"{d.inquiry_ref} Normal 14/01/2025 10:00 16/01/2025 10:00 not yet (New) 24.7 days —") in report_text
    assert january.a.inquiry_ref not in report_text.split("9. Breached inquiries")[1]


def test_breach_query_orders_by_due_time_and_caps_the_list(ctx, clock):
    made = []
    for hours, category in ((0, "Technical Issue"), (1, "Payment/Billing"), (2, "Feature Request"),
                            (3, "Payment/Billing")):
        clock.t = T0 + timedelta(hours=hours)
        made.append(svc.create_inquiry(ctx, draft(category=category)))
    svc.assign(ctx, made[1], create_staff_user(ctx, "lerato", "Lerato Mokoena", "Support Agent"))
    ctx.session.flush()
    refs = [i.inquiry_ref for i in made]
    # Payment/Billing is high priority (due in 24 h), so #2 and #4 fall due before #1 and #3 (48 h).
    rows, total = data.breached_inquiries(ctx.session, JANUARY, AS_OF, limit=3)
    assert total == 4 and [r.inquiry_id for r in rows] == [refs[1], refs[3], refs[0]]
    assert (rows[0].assigned_to, rows[0].priority, rows[0].status, rows[0].resolved_at) == (
        "Lerato Mokoena", "High", "New", None)
    assert rows[0].due_at == T0 + timedelta(hours=25)
    rows, total = data.breached_inquiries(ctx.session, JANUARY, T0 + timedelta(hours=30))
    assert total == 2 and [r.inquiry_id for r in rows] == [refs[1], refs[3]]


def test_a_long_breach_list_ends_with_how_many_more(ctx, january, tmp_path, monkeypatch):
    monkeypatch.setattr(data, "BREACH_LIST_LIMIT", 1)
    text = pdf_text(write_monthly_pdf(ctx, JANUARY, tmp_path / "m.pdf", as_of=AS_OF, generated_at=GENERATED))
    assert f"{january.c.inquiry_ref} Low" in text and f"{january.d.inquiry_ref} Normal" not in text
    assert "… and 1 more not listed here." in text


def test_an_empty_month_reports_no_data_rather_than_zero(ctx, tmp_path):
    text = pdf_text(write_monthly_pdf(ctx, "2024-12", tmp_path / "e.pdf", as_of=AS_OF, generated_at=GENERATED))
    assert text.count("– no data") == 2 * 7
    assert "Acknowledged within 1 business hour no data ≥ 100.0% – no data" in text
    assert "Of 7 targets, 0 met and 0 missed; 7 had no data." in text
    assert "No inquiry logged in December 2024 passed its resolution due time." in text


def test_the_csv_twin_holds_the_same_figures(ctx, january, tmp_path):
    out = write_monthly_csv(ctx, "2025-01", tmp_path / "m.csv", as_of=AS_OF)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Section", "Measure", "Value", "Unit", "Target", "Result"]
    table = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert table[("Totals", "Inquiries logged")] == ["4", "", "", ""]
    assert table[("Response times", "Acknowledged within 1 business hour")] == ["50.0", "%", "100.0", "missed"]
    # Exact, unrounded values (business minutes for times): whoever reads the CSV rounds once.
    assert table[("Response times", "Average first response (business time)")] == [str(130 / 3), "min", "", ""]
    assert table[("Resolution", "First-contact resolution")] == [str(100 / 3), "%", "80.0", "missed"]
    assert table[("Resolution", "Resolved by the resolution due time")] == ["50.0", "%", "", ""]
    assert table[("Reopening and closure", "Closed without reopening")] == [str(200 / 3), "%", "98.0", "missed"]
    assert table[("User feedback", "User satisfaction (CSAT)")] == ["4.0", "/5", "4.5", "missed"]
    assert table[("Escalations", "Tier 3 (Technical / development team)")] == ["1", "", "", ""]
    assert table[("By channel", "Email")] == ["2", "", "", ""]
    assert table[("Top subjects", "Images look blurry")] == ["2", "", "", ""]
    assert table[("Breached inquiries", "Resolution due time passed before resolution")] == ["2", "", "", ""]
    assert len(rows) == len(set(table)) + 1  # one row per measure


def test_same_data_gives_the_same_bytes(ctx, january, tmp_path):
    one = write_monthly_pdf(ctx, JANUARY, tmp_path / "1.pdf", as_of=AS_OF, generated_at=GENERATED).read_bytes()
    two = write_monthly_pdf(ctx, JANUARY, tmp_path / "2.pdf", as_of=AS_OF, generated_at=GENERATED).read_bytes()
    assert one == two
    other = write_monthly_pdf(ctx, JANUARY, tmp_path / "3.pdf", as_of=AS_OF,
                              generated_at=datetime(2025, 3, 1, 6, 30, tzinfo=UTC))
    assert pdf_text(other) == pdf_text(one).replace("Generated at 10/02/2025 12:00", "Generated at 01/03/2025 08:30")
