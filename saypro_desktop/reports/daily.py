"""The daily support report: one office calendar day's work (logged, acknowledged, resolved, escalated, the open
backlog at the day's end, breaches) and by agent, then the day's inquiries against the SCMR-5 targets and their
first response in business time. Built from the monthly report's sections over a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import IO, ClassVar

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from ..core.activity import PeriodActivity
from ..core.kpi import KpiCheck, KpiDataset
from . import figures as fg
from . import monthly_sections as ms
from . import period_sections as ps
from .cover import cover_story
from .document import DIVISION, OFFICE
from .figures import Figure, monthly_figures
from .formatting import stamp
from .monthly import PROGRAMME, BreachRow
from .styles import styles

TITLE = "Daily Support Report"
REPORT_TO = "Support supervisor"


@dataclass
class DailyReport:
    data: KpiDataset  # the inquiries logged in the day
    checks: list[KpiCheck]
    activity: PeriodActivity  # the day's work, whenever the inquiries were logged
    as_of: datetime
    breaches: list[BreachRow] = field(default_factory=list)  # resolution due in the day, missed
    breaches_total: int = 0
    moderation: None = None  # not in the daily report
    span: ClassVar[str] = "day"

    @property
    def figures(self) -> list[Figure]:
        return (ps.activity_figures(self.activity, self.span) + ps.agent_figures(self.activity.agents)
                + monthly_figures(self.data, self.checks, tops=False))


def summary(report: DailyReport, tz: tzinfo) -> list[Flowable]:
    a, s = report.activity, styles()
    backlog = "At the end of the day" if a.period_over else "Now (the day is not over)"
    text = (f"On {a.period} the office logged <b>{a.logged}</b> inquiries, acknowledged <b>{a.acknowledged}</b> and "
            f"resolved <b>{a.resolved}</b>; <b>{a.escalated}</b> were escalated. {backlog} <b>{a.open_at_end}</b> "
            f"were open, <b>{a.overdue_at_end}</b> of them past their resolution due time. Of <b>{a.due}</b> "
            f"resolution due times in the day, <b>{a.breached}</b> were missed.")
    return [Paragraph(text, s.body), Spacer(0, 1 * mm), *ps.activity_table(a, report.span)]


def against_targets(report: DailyReport, tz: tzinfo) -> list[Flowable]:
    return [ms.check_table(report.checks), Spacer(0, 1.5 * mm),
            ms.note("The inquiries logged in the day, measured against the SCMR-5 targets as of the time the data "
                    "is of: a figure over 24 or 48 hours settles only once those hours have passed. "
                    + ms.verdicts_text(report.span))]


def escalations(report: DailyReport, tz: tzinfo) -> list[Flowable]:
    return [Paragraph(f"<b>{report.activity.escalated}</b> inquiries were escalated in the day (whenever logged). "
                      "Of the inquiries logged in the day:", styles().body),
            ms.figure_table(fg.of_section(report.figures, fg.ESCALATIONS))]


def agents(report: DailyReport, tz: tzinfo) -> list[Flowable]:
    return ps.agent_table(report.activity.agents, report.span)


DAILY_SECTIONS: list[tuple[str, ps.Builder]] = [
    ("The day's work", summary),
    ("By agent", agents),
    ("The day's inquiries against targets", against_targets),
    ("First response (business time)", ms.response_times),
    ("Escalations", escalations),
    ("Breaches", ps.due_breaches),
]


def _opening(report: DailyReport, tz: tzinfo, generated_at: datetime) -> list[Flowable]:
    a = report.activity
    day = date.fromisoformat(a.first_day)
    facts = [("Office", f"{OFFICE} · {DIVISION}"), ("Report to", REPORT_TO),
             ("Day", f"{day:%d/%m/%Y}, the office's calendar day ({getattr(tz, 'key', tz)})"),
             ("Data as of", stamp(report.as_of, tz)), ("Generated at", stamp(generated_at, tz))]
    tiles = [("Logged", str(a.logged)), ("Acknowledged", str(a.acknowledged)), ("Resolved", str(a.resolved)),
             ("Open at day end" if a.period_over else "Open now", str(a.open_at_end)),
             ("Breaches", str(a.breached))]
    return cover_story(TITLE, f"SayPro {PROGRAMME}", a.period, facts, tiles)


def render_daily_pdf(report: DailyReport, out: str | Path | IO[bytes], *, generated_at: datetime, tz: tzinfo,
                     sections: Sequence[tuple[str, ps.Builder]] = tuple(DAILY_SECTIONS)) -> None:
    ps.render_numbered(report, out, _opening(report, tz, generated_at), sections, title=TITLE,
                       generated_at=generated_at, tz=tz)
