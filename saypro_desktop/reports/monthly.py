"""The SCMR-5 monthly report: a cover, then one section per topic, each made by a section builder.

``MONTHLY_SECTIONS`` is the list of (title, builder) pairs the report is made of; the moderation and
feedback reports of later issues add their builders to it (or render with their own list).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import IO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from ..core.kpi import KpiCheck, KpiDataset
from ..core.moderation_kpi import ModerationFigures
from . import monthly_sections as ms
from .document import DIVISION, OFFICE, build_pdf
from .figures import Figure, monthly_figures
from .formatting import stamp
from .moderation_section import moderation_rows
from .styles import BRAND, FRAME_WIDTH, MUTED, RULE, SHADE, styles, table

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

    @property
    def figures(self) -> list[Figure]:
        rows = monthly_figures(self.data, self.checks, self.breaches_total)
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
    s = styles()
    d = report.data
    first, last = date.fromisoformat(d.first_day), date.fromisoformat(d.last_day)
    met = sum(c.met is True for c in report.checks)
    facts = [
        ("Office", OFFICE), ("Division", DIVISION), ("Report to", REPORT_TO),
        ("Period", f"{first:%d/%m/%Y} – {last:%d/%m/%Y} (inquiries logged in the month)"),
        ("Data as of", stamp(report.as_of, tz)), ("Generated at", stamp(generated_at, tz)),
    ]
    fact_table = table([[Paragraph(k, s.label), Paragraph(v, s.cell)] for k, v in facts],
                       [32 * mm, FRAME_WIDTH - 32 * mm],
                       [("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)])
    tiles = [("Inquiries logged", str(d.logged)), ("Resolved or closed", str(d.resolved)),
             ("Still open", str(d.open)), ("Targets met", f"{met} of {len(report.checks)}")]
    big = s.big.clone("tile", alignment=1, fontSize=20, leading=24, textColor=BRAND)
    small = s.small.clone("tile_label", alignment=1)
    tile_table = table([[Paragraph(v, big) for _, v in tiles], [Paragraph(k, small) for k, _ in tiles]],
                       [FRAME_WIDTH / 4] * 4,
                       [("BACKGROUND", (0, 0), (-1, -1), SHADE), ("LINEAFTER", (0, 0), (-2, -1), 2, "white"),
                        ("TOPPADDING", (0, 0), (-1, 0), 9), ("BOTTOMPADDING", (0, -1), (-1, -1), 9)])
    contents = [Paragraph(f"{n}.&nbsp;&nbsp;{title}", s.body) for n, (title, _) in enumerate(sections, 1)]
    return [
        Spacer(0, 22 * mm),
        Paragraph(TITLE, s.title.clone("cover_title", fontSize=28, leading=34)),
        Paragraph(f"SayPro {PROGRAMME}", s.subtitle),
        Spacer(0, 10 * mm),
        Paragraph(d.period, s.title.clone("cover_month", fontSize=22, leading=27, textColor=MUTED)),
        Spacer(0, 8 * mm),
        fact_table,
        Spacer(0, 10 * mm),
        tile_table,
        Spacer(0, 10 * mm),
        Paragraph("Contents", s.subheading),
        *contents,
        PageBreak(),
    ]


def render_monthly_pdf(report: MonthlyReport, out: str | Path | IO[bytes], *, generated_at: datetime, tz: tzinfo,
                       sections: Sequence[tuple[str, Builder]] = tuple(MONTHLY_SECTIONS)) -> None:
    story = _cover(report, tz, generated_at, sections)
    for n, (title, builder) in enumerate(sections, 1):
        story += ms.numbered(n, title)
        story += builder(report, tz)
    build_pdf(out, story, title=f"{TITLE} – {report.data.period}", header=f"{TITLE} · {report.data.period}",
              generated=f"Generated at {stamp(generated_at, tz)} · data as of {stamp(report.as_of, tz)}",
              header_on_first_page=False)
