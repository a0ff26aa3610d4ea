"""The SCMR-5 monthly report: a cover, then one section per topic, each made by a section builder.

``MONTHLY_SECTIONS`` is the list of (title, builder) pairs the report is made of; the moderation and
feedback reports of later issues add their builders to it (or render with their own list).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import IO, ClassVar

from reportlab.platypus import Flowable

from ..core.feedback import FeedbackAnalysis
from ..core.knowledge import KnowledgeMeasures
from ..core.kpi import KpiCheck, KpiDataset
from ..core.moderation_kpi import ModerationFigures
from . import monthly_sections as ms
from .cover import cover_story
from .document import DIVISION, OFFICE, build_pdf
from .feedback_section import feedback_rows
from .figures import Figure, monthly_figures
from .formatting import stamp
from .moderation_section import moderation_rows

TITLE = "SCMR-5 Monthly Report"
PROGRAMME = "Classified User Support and Help Management"
REPORT_TO = "Head of Classified Services and User Experience"


@dataclass(frozen=True)
class BreachRow:
    """An inquiry whose resolution due time passed before it was resolved."""

    inquiry_id: str
    priority: str
    status: str
    logged_at: datetime
    due_at: datetime
    resolved_at: datetime | None  # None while unresolved
    assigned_to: str

    def hours_over(self, as_of: datetime) -> float:
        return ((self.resolved_at or as_of) - self.due_at).total_seconds() / 3600


@dataclass
class MonthlyReport:
    data: KpiDataset
    checks: list[KpiCheck]
    as_of: datetime
    breaches: list[BreachRow] = field(default_factory=list)
    breaches_total: int = 0
    moderation: ModerationFigures | None = None
    feedback_analysis: FeedbackAnalysis | None = None  # the month's feedback themes and complaints
    knowledge: KnowledgeMeasures | None = None
    csat_target: float = 4.5
    span: ClassVar[str] = "month"  # what the sections call the period: "logged in the month"

    @property
    def figures(self) -> list[Figure]:
        rows = monthly_figures(self.data, self.checks, self.breaches_total)
        if self.feedback_analysis is not None:
            rows += feedback_rows(self.feedback_analysis, self.knowledge, self.csat_target, trend=False)
        return rows + (moderation_rows(self.moderation) if self.moderation is not None else [])


Builder = Callable[[MonthlyReport, tzinfo], list[Flowable]]

MONTHLY_SECTIONS: list[tuple[str, Builder]] = [
    ("Executive summary", ms.executive_summary),
    ("Response times", ms.response_times),
    ("Resolution", ms.resolution),
    ("Escalations", ms.escalations),
    ("Reopening and closure", ms.reopening),
    ("User feedback", ms.feedback),
    ("Volumes", ms.volumes),
    ("Top 10 subjects and categories", ms.top_lists),
    ("Breached inquiries", ms.breaches),
    ("Ad moderation", ms.moderation),
]


def _cover(report: MonthlyReport, tz: tzinfo, generated_at: datetime,
           sections: Sequence[tuple[str, Builder]]) -> list[Flowable]:
    d = report.data
    first, last = date.fromisoformat(d.first_day), date.fromisoformat(d.last_day)
    met = sum(c.met is True for c in report.checks)
    facts = [
        ("Office", OFFICE), ("Division", DIVISION), ("Report to", REPORT_TO),
        ("Period", f"{first:%d/%m/%Y} – {last:%d/%m/%Y} (inquiries logged in the month)"),
        ("Data as of", stamp(report.as_of, tz)), ("Generated at", stamp(generated_at, tz)),
    ]
    tiles = [("Inquiries logged", str(d.logged)), ("Resolved or closed", str(d.resolved)),
             ("Still open", str(d.open)), ("Targets met", f"{met} of {len(report.checks)}")]
    return cover_story(TITLE, f"SayPro {PROGRAMME}", d.period, facts, tiles, [title for title, _ in sections])


def render_monthly_pdf(report: MonthlyReport, out: str | Path | IO[bytes], *, generated_at: datetime, tz: tzinfo,
                       sections: Sequence[tuple[str, Builder]] = tuple(MONTHLY_SECTIONS)) -> None:
    story = _cover(report, tz, generated_at, sections)
    for n, (title, builder) in enumerate(sections, 1):
        story += ms.numbered(n, title)
        story += builder(report, tz)
    build_pdf(out, story, title=f"{TITLE} – {report.data.period}", header=f"{TITLE} · {report.data.period}",
              generated=f"Generated at {stamp(generated_at, tz)} · data as of {stamp(report.as_of, tz)}",
              header_on_first_page=False)
