"""The quarterly review: three month columns and the quarter, targets met, trends, recommendations, CSV."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, datetime

from saypro_desktop.services.report_files import write_quarterly_csv, write_quarterly_pdf
from tests.reports.conftest import GENERATED, pdf_pages, pdf_text

Q_AS_OF = datetime(2025, 4, 10, tzinfo=UTC)
RECOMMENDATIONS = "Train agents on partner payouts – Zoë Hélène leads.\n\nAdd a Tier 2 rota for weekends.\n"


def _pdf(ctx, tmp_path, name="q.pdf", recommendations=RECOMMENDATIONS, generated_at=GENERATED):
    return write_quarterly_pdf(ctx, "2025Q1", tmp_path / name, recommendations, as_of=Q_AS_OF,
                               generated_at=generated_at)


def test_three_month_columns_and_the_quarter_against_targets(ctx, january, tmp_path):
    text = pdf_text(_pdf(ctx, tmp_path))
    assert "Key performance indicator Target Jan 2025 Feb 2025 Mar 2025 Q1 2025" in text
    # January as in the monthly report; February holds inquiry E only (open, never acknowledged);
    # March is empty; the quarter counts all five.
    for row in (
        "Acknowledged within 1 business hour ≥ 100.0% 50.0% ✘ missed 0.0% ✘ missed no data – no data "
        "40.0% ✘ missed",
        "Resolved within 24 hours ≥ 95.0% 25.0% ✘ missed 0.0% ✘ missed no data – no data 20.0% ✘ missed",
        "Resolved within 48 hours ≥ 95.0% 50.0% ✘ missed 0.0% ✘ missed no data – no data 40.0% ✘ missed",
        "Resolved the same day ≥ 95.0% 25.0% ✘ missed 0.0% ✘ missed no data – no data 20.0% ✘ missed",
        "First-contact resolution ≥ 80.0% 33.3% ✘ missed no data – no data no data – no data 33.3% ✘ missed",
        "Closed without reopening ≥ 98.0% 66.7% ✘ missed no data – no data no data – no data 66.7% ✘ missed",
        "User satisfaction (CSAT) ≥ 4.50 / 5 4.00 / 5 ✘ missed no data – no data no data – no data "
        "4.00 / 5 ✘ missed",
        "Targets met 0 of 7 0 of 7 0 of 7 0 of 7",
        "Measure Jan 2025 Feb 2025 Mar 2025 Q1 2025 Inquiries logged 4 1 0 5 Resolved or closed 3 0 0 3 "
        "Still open 1 1 0 2 Escalated 1 0 0 1 Reopened 1 0 0 1",
        "Average first response (business time) 43 min no data no data 43 min",
    ):
        assert row in text, row


def test_sections_trends_targets_met_and_recommendations(ctx, january, tmp_path):
    pages = pdf_pages(_pdf(ctx, tmp_path))
    text = " ".join(pages)
    titles = ["1. KPIs by month against targets", "2. Volumes and response times by month",
              "3. Targets met per month", "4. Trends across the quarter", "5. Ad moderation",
              "6. Recommendations"]
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "Quarterly Review · Q1 2025" in pages[0] and "Period January 2025 – March 2025" in pages[0]
    assert ("Period Met Missed No data January 2025 0 of 7 7 of 7 0 of 7 February 2025 0 of 7 4 of 7 3 of 7 "
            "March 2025 0 of 7 0 of 7 7 of 7 Q1 2025 0 of 7 7 of 7 0 of 7") in text
    # The trend charts label the months and name their series.
    trends = text[text.index(titles[3]):text.index(titles[4])]
    for label in ("Jan 2025", "Feb 2025", "Mar 2025", "Acknowledged ≤ 1 business hour", "First contact",
                  "target 4.5", "Logged", "Resolved", "Escalated"):
        assert label in trends, label
    assert text.endswith(f"Train agents on partner payouts – Zoë Hélène leads. Add a Tier 2 rota for weekends. "
                         f"Page {len(pages)} of {len(pages)}")


def test_met_targets_read_as_met(ctx, january, tmp_path):
    ctx.settings = replace(ctx.settings, targets=replace(ctx.settings.targets, first_contact_resolution=0.3,
                                                         csat=4.0))
    text = pdf_text(_pdf(ctx, tmp_path))
    assert "First-contact resolution ≥ 30.0% 33.3% ✔ met no data – no data no data – no data 33.3% ✔ met" in text
    assert "User satisfaction (CSAT) ≥ 4.00 / 5 4.00 / 5 ✔ met" in text
    assert "Targets met 2 of 7 0 of 7 0 of 7 2 of 7" in text


def test_without_recommendations_it_says_so(ctx, january, tmp_path):
    assert "No recommendations were entered for this quarter." in pdf_text(_pdf(ctx, tmp_path,
                                                                                recommendations=" \n"))


def test_the_csv_twin_has_a_column_per_month_and_the_quarter(ctx, january, tmp_path):
    out = write_quarterly_csv(ctx, "2025Q1", tmp_path / "q.csv", as_of=Q_AS_OF)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Section", "Measure", "Unit", "Target", "January 2025", "January 2025 result",
                       "February 2025", "February 2025 result", "March 2025", "March 2025 result", "Q1 2025",
                       "Q1 2025 result"]
    table = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert table[("Totals", "Inquiries logged")] == ["", "", "4", "", "1", "", "0", "", "5", ""]
    assert table[("Resolution", "First-contact resolution")] == ["%", "80.0", str(100 / 3), "missed", "", "no data",
                                                                "", "no data", str(100 / 3), "missed"]
    assert table[("Response times", "Acknowledged within 1 business hour")][2:] == [
        "50.0", "missed", "0.0", "missed", "", "no data", "40.0", "missed"]
    assert table[("By category", "Payment/Billing")] == ["", "", "1", "", "1", "", "0", "", "2", ""]
    assert not any(section.startswith("Top") for section, _ in table)


def test_same_data_gives_the_same_bytes(ctx, january, tmp_path):
    assert _pdf(ctx, tmp_path, "1.pdf").read_bytes() == _pdf(ctx, tmp_path, "2.pdf").read_bytes()
