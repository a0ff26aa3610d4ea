"""The feedback report of a period (``saypro report feedback``): a summary, the figures, themes with the users'
own words, the top queries and complaints, the knowledge base, and the recommendations the supervisor wrote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import IO

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from ..core.csv_safety import csv_writer
from ..core.feedback import FeedbackAnalysis
from ..core.knowledge import KnowledgeMeasures
from .document import DIVISION, OFFICE, build_pdf
from .feedback_section import feedback_rows, feedback_story
from .figures import monthly_csv_rows
from .formatting import fmt_value, markup, stamp
from .styles import FRAME_WIDTH, RULE, heading, styles, table

TITLE = "Feedback Report"


@dataclass
class FeedbackReport:
    period: str  # "1-28 November 2026"
    analysis: FeedbackAnalysis
    knowledge: KnowledgeMeasures
    csat_target: float
    as_of: datetime
    recommendations: str = ""  # typed by the supervisor; paragraphs separated by blank lines


def summary(r: FeedbackReport) -> list[str]:
    """The report's opening sentences, from the figures (nothing here is typed by hand)."""
    a, k = r.analysis, r.knowledge
    rated = [w for w in a.csat_trend if w.average is not None]
    lines = [f"{a.ratings} rating(s) were collected after resolution and {a.feedback_items} other feedback item(s) "
             "were recorded."]
    if rated:
        last = rated[-1]
        met = last.average >= r.csat_target
        lines.append(f"CSAT in {last.week} was {fmt_value(last.average, '/5', r.csat_target)} from {last.responses} "
                     f"rating(s): the target of {fmt_value(r.csat_target, '/5')} was {'met' if met else 'missed'}.")
    if a.themes:
        top = a.themes[0]
        lines.append(f"The most pressing theme was {top.theme} ({top.count} item(s), {top.high} of high priority).")
    if a.top_complaints:
        c = a.top_complaints[0]
        lines.append(f"The most frequent complaint was about {c.label} ({c.count}).")
    if k.resolved:
        lines.append(f"{fmt_value(100 * k.article_share, '%') if k.article_share is not None else 'None'} of "
                     f"the {k.resolved} inquiries resolved were answered with a knowledge-base article.")
    return lines


def render_feedback_pdf(r: FeedbackReport, out: str | Path | IO[bytes], *, generated_at: datetime,
                        tz: tzinfo) -> None:
    s = styles()
    facts = [("Office", f"{OFFICE} · {DIVISION}"), ("Period", r.period), ("Data as of", stamp(r.as_of, tz)),
             ("Generated at", stamp(generated_at, tz))]
    fact_table = table([[Paragraph(k, s.label), Paragraph(v, s.cell)] for k, v in facts],
                       [28 * mm, FRAME_WIDTH - 28 * mm],
                       [("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("TOPPADDING", (0, 0), (-1, -1), 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 3)])
    written = [p.strip() for p in r.recommendations.split("\n\n") if p.strip()]
    story = [Paragraph(f"{TITLE} · {r.period}", s.title), fact_table, Spacer(0, 3 * mm),
             heading("1. Summary"), *[Paragraph(markup(line), s.body) for line in summary(r)],
             heading("2. Figures"), *feedback_story(r.analysis, r.knowledge, r.csat_target, number="2."),
             heading("3. Recommendations")]
    story += [Paragraph(markup(p).replace("\n", "<br/>"), s.body) for p in written] or \
        [Paragraph("No recommendations were written for this report.", s.small)]
    build_pdf(out, story, title=f"{TITLE} – {r.period}", header=f"{TITLE} · {r.period}",
              generated=f"Generated at {stamp(generated_at, tz)} · data as of {stamp(r.as_of, tz)}")


def write_feedback_csv(r: FeedbackReport, out: Path) -> None:
    """The report's figures as CSV (unrounded values), beside the PDF."""
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        csv_writer(f).writerows(monthly_csv_rows(feedback_rows(r.analysis, r.knowledge, r.csat_target)))
