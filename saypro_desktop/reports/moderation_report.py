"""The moderation report of a month (``saypro report moderation``): the office's figures against the seed
targets, the reasons given, each moderator's month, and the weekly audits of the month."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import IO

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from ..core.moderation_kpi import ModerationFigures
from .document import DIVISION, OFFICE, build_pdf
from .formatting import fmt_value, markup, stamp
from .moderation_section import moderation_story
from .monthly_sections import figure_table
from .styles import FRAME_WIDTH, RULE, cells, grid_table, head_cells, heading, styles, table

TITLE = "Ad Moderation Report"


@dataclass(frozen=True)
class AuditWeek:
    week: str
    drawn: int
    marked: int
    correct: int
    seed: str


@dataclass
class ModerationReport:
    period: str  # "November 2026"
    figures: ModerationFigures
    as_of: datetime
    audits: list[AuditWeek] = field(default_factory=list)


def _audits(weeks: list[AuditWeek]) -> list:
    s = styles()
    if not weeks:
        return [Paragraph("No weekly audit was drawn for the weeks of this month.", s.body)]
    rows = [head_cells(["Week", "Drawn", "Marked", "Correct", "Accuracy", "Seed"])]
    for w in weeks:
        accuracy = fmt_value(100 * w.correct / w.marked, "%") if w.marked else "no data"
        rows.append(cells([w.week, str(w.drawn), str(w.marked), str(w.correct), accuracy, markup(w.seed)]))
    return [grid_table(rows, [30 * mm, 20 * mm, 20 * mm, 20 * mm, 24 * mm, FRAME_WIDTH - 114 * mm]),
            Paragraph("Each week 10% of the previous week's decisions (rounded up) are drawn with the seed shown; "
                      "the same seed and decisions give the same sample.", s.small)]


def render_moderation_pdf(report: ModerationReport, out: str | Path | IO[bytes], *, generated_at: datetime,
                          tz: tzinfo) -> None:
    s = styles()
    facts = [("Office", f"{OFFICE} · {DIVISION}"), ("Period", f"{report.period} (decisions made in the month)"),
             ("Data as of", stamp(report.as_of, tz)), ("Generated at", stamp(generated_at, tz))]
    fact_table = table([[Paragraph(k, s.label), Paragraph(v, s.cell)] for k, v in facts],
                       [28 * mm, FRAME_WIDTH - 28 * mm],
                       [("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("TOPPADDING", (0, 0), (-1, -1), 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 3)])
    story = [Paragraph(f"{TITLE} · {report.period}", s.title), fact_table, Spacer(0, 3 * mm),
             heading("1. Decisions against targets"), *moderation_story(report.figures, figure_table),
             heading("2. Weekly audits"), *_audits(report.audits)]
    build_pdf(out, story, title=f"{TITLE} – {report.period}", header=f"{TITLE} · {report.period}",
              generated=f"Generated at {stamp(generated_at, tz)} · data as of {stamp(report.as_of, tz)}")
