"""The feedback report and the feedback section: a known analysis rendered, its summary from the figures, the
supervisor's recommendations, and the CSV twin with unrounded values."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from saypro_desktop.core.feedback import FeedbackAnalysis, ThemeCount, TopItem, WeekCsat
from saypro_desktop.core.knowledge import KnowledgeMeasures
from saypro_desktop.reports.feedback_report import FeedbackReport, render_feedback_pdf, summary, write_feedback_csv
from tests.reports.conftest import GENERATED, pdf_text

TZ = ZoneInfo("Africa/Johannesburg")


def _report(recommendations: str = "") -> FeedbackReport:
    analysis = FeedbackAnalysis(
        datetime(2025, 1, 6, tzinfo=UTC), datetime(2025, 1, 13, tzinfo=UTC),
        csat_trend=[WeekCsat("2025-W01", 4.0, 1), WeekCsat("2025-W02", 4.495, 4)],
        themes=[ThemeCount("Technical issue", 7, 3, 2, 2, 5), ThemeCount("Payments", 2, 0, 1, 1, 1)],
        top_queries=[TopItem("Charged twice for featured ad", 12, "inquiries 12")],
        top_complaints=[TopItem("Payments", 4, "feedback 1, inquiries 3")],
        verbatims={"Technical issue": ["The app keeps crashing when I upload photos"]},
        feedback_items=9, ratings=5)
    knowledge = KnowledgeMeasures(resolved=40, resolved_with_article=14, helpful_votes=9, not_helpful_votes=1,
                                  articles_published=25, articles_overdue=3)
    return FeedbackReport("6-12 January 2025", analysis, knowledge, 4.5, GENERATED, recommendations)


def test_the_summary_is_written_from_the_figures_and_never_rounds_a_miss_into_a_met():
    lines = summary(_report())
    assert lines[0] == "5 rating(s) were collected after resolution and 9 other feedback item(s) were recorded."
    assert lines[1] == "CSAT in 2025-W02 was 4.49 / 5 from 4 rating(s): the target of 4.50 / 5 was missed."
    assert "Technical issue (7 item(s), 3 of high priority)" in lines[2]
    assert lines[-1] == "35.0% of the 40 inquiries resolved were answered with a knowledge-base article."


def test_the_feedback_pdf_and_its_csv(tmp_path):
    out = tmp_path / "feedback.pdf"
    render_feedback_pdf(_report("Fix the photo upload first.\n\nAdd EFT refund times to the FAQ."), out,
                        generated_at=GENERATED, tz=TZ)
    text = pdf_text(out)
    for expected in ("Feedback Report · 6-12 January 2025", "1. Summary", "2.1 User satisfaction (CSAT) by week",
                     "2.3 Top 10 queries", "Charged twice for featured ad", "2.4 Top 10 complaints",
                     "“The app keeps crashing when I upload photos”", "answered with a knowledge-base article",
                     "14 (35.0%)", "3. Recommendations", "Fix the photo upload first.",
                     "Add EFT refund times to the FAQ."):
        assert expected in text, expected
    empty = tmp_path / "empty.pdf"
    render_feedback_pdf(_report(), empty, generated_at=GENERATED, tz=TZ)
    assert "No recommendations were written for this report." in pdf_text(empty)
    figures = tmp_path / "feedback.csv"
    write_feedback_csv(_report(), figures)
    rows = list(csv.reader(figures.open(encoding="utf-8-sig")))
    by_measure = {r[1]: r for r in rows[1:]}
    assert by_measure["CSAT, 2025-W02"][2] == "4.495" and by_measure["CSAT, 2025-W02"][5] == "missed"
    assert by_measure["Resolved with an article"][2] == "35.0"


def test_the_scmr5_monthly_carries_the_feedback_themes_and_the_knowledge_base(ctx, clock, tmp_path):
    from saypro_desktop.services import feedback, knowledge
    from saypro_desktop.services import report_files as rf

    knowledge.add_article(ctx, "Duplicate charges and refunds", "Payment Issues",
                          "If your card was charged twice for one ad, the second charge is refunded.")
    feedback.record(ctx, "The app keeps crashing when I upload photos", "Survey")
    feedback.record(ctx, "Refund still not received, terrible", "Email")
    out = rf.write_monthly_pdf(ctx, "2025-01", tmp_path / "m.pdf", as_of=clock.t, generated_at=clock.t)
    text = pdf_text(out)
    assert "Feedback themes" in text and "Technical issue 1 1" in text and "Payments 1" in text
    assert "Knowledge base" in text and "Articles published 1" in text
    rows = {r[1]: r for r in csv.reader(rf.write_monthly_csv(ctx, "2025-01", tmp_path / "m.csv", as_of=clock.t)
                                        .open(encoding="utf-8-sig"))}
    assert rows["Other feedback items"][2] == "2" and rows["Articles published"][2] == "1"
