"""The weekly report to the SCMR team: the week's KPIs against the SCMR-5 targets, its work, the trend by day,
the monthly report's sections over the week (response, resolution, escalations, reopening, feedback, categories,
top 10), the agents, the breaches and the ad moderation of the week.

The feedback analysis (CSAT trend, themes, top 10 queries and complaints, comments, the knowledge base) is the
last section; the report lists it only when it carries an analysis.
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
from ..core.feedback import FeedbackAnalysis
from ..core.knowledge import KnowledgeMeasures
from ..core.kpi import KpiCheck, KpiDataset
from ..core.moderation_kpi import ModerationFigures
from . import monthly_sections as ms
from . import period_sections as ps
from .charts import grouped_bars
from .cover import cover_story
from .document import DIVISION, OFFICE
from .feedback_section import feedback_rows, feedback_story
from .figures import Figure, monthly_figures
from .formatting import fmt_value, stamp
from .moderation_section import moderation_rows
from .monthly import PROGRAMME, BreachRow
from .styles import FRAME_WIDTH, cells, grid_table, head_cells, styles

TITLE = "SCMR Weekly Report"
REPORT_TO = "The SCMR team"


@dataclass
class DayColumn:
    data: KpiDataset  # the inquiries logged in the day
    activity: PeriodActivity  # the day's work, whenever the inquiries were logged

    @property
    def short(self) -> str:
        """Mon 13/01."""
        day = date.fromisoformat(self.data.first_day)
        return f"{day:%a %d/%m}"


# The trend by day: measure (the CSV's), heading (the PDF's), the value of a day, its unit.
TREND_COLUMNS = (
    ("Inquiries logged", "Logged", lambda d: d.data.logged, ""),
    ("Of those, acknowledged within 1 business hour", "On time (≤ 1 business hour)",
     lambda d: d.data.ack_within_target_pct, "%"),
    ("Of those, average first response (business time)", "Average first response",
     lambda d: d.data.avg_first_response_business_minutes, "min"),
    ("Acknowledged (first response given)", "First responses", lambda d: d.activity.acknowledged, ""),
    ("Resolved", "Resolved", lambda d: d.activity.resolved, ""),
    ("Escalated", "Escalated", lambda d: d.activity.escalated, ""),
    ("Open at the end of the day", "Open at day end", lambda d: d.activity.open_at_end, ""),
    ("Resolution due times missed (breaches)", "Breaches", lambda d: d.activity.breached, ""),
)


@dataclass
class WeeklyReport:
    data: KpiDataset  # the inquiries logged in the week
    checks: list[KpiCheck]
    activity: PeriodActivity  # the week's work
    days: list[DayColumn]  # Monday to Sunday
    as_of: datetime
    breaches: list[BreachRow] = field(default_factory=list)  # resolution due in the week, missed
    breaches_total: int = 0
    moderation: ModerationFigures | None = None
    feedback_analysis: FeedbackAnalysis | None = None  # the week's; None: the report has no such section
    knowledge: KnowledgeMeasures | None = None
    csat_target: float = 4.5
    span: ClassVar[str] = "week"

    @property
    def figures(self) -> list[Figure]:
        trend = [Figure(ps.TREND, f"{d.short}: {name}", value(d), unit)
                 for d in self.days for name, _, value, unit in TREND_COLUMNS]
        return (monthly_figures(self.data, self.checks) + ps.activity_figures(self.activity, self.span)
                + trend + ps.agent_figures(self.activity.agents)
                + (moderation_rows(self.moderation) if self.moderation is not None else [])
                + (feedback_rows(self.feedback_analysis, self.knowledge, self.csat_target, "Feedback analysis")
                   if self.feedback_analysis is not None else []))


def summary(report: WeeklyReport, tz: tzinfo) -> list[Flowable]:
    s, d, a = styles(), report.data, report.activity
    met = sum(c.met is True for c in report.checks)
    missed = sum(c.met is False for c in report.checks)
    text = (f"In {d.period} the office logged <b>{d.logged}</b> inquiries, acknowledged <b>{a.acknowledged}</b> "
            f"and resolved <b>{a.resolved}</b> (whenever logged); <b>{a.open_at_end}</b> were open at the end. "
            f"Of {len(report.checks)} targets, measured on the inquiries logged in the week, <b>{met} met</b> and "
            f"<b>{missed} missed</b>.")
    return [Paragraph(text, s.body), Spacer(0, 2 * mm), ms.check_table(report.checks), Spacer(0, 1.5 * mm),
            ms.verdicts_note(report.span)]


def work(report: WeeklyReport, tz: tzinfo) -> list[Flowable]:
    return ps.activity_table(report.activity, report.span)


def trend(report: WeeklyReport, tz: tzinfo) -> list[Flowable]:
    s = styles()
    day_w = 18 * mm
    col_w = (FRAME_WIDTH - day_w) / len(TREND_COLUMNS)
    rows = [head_cells(["Day", *[head for _, head, _, _ in TREND_COLUMNS]], compact=True)]
    rows += [cells([d.short, *[fmt_value(value(d), unit) for _, _, value, unit in TREND_COLUMNS]], s.compact)
             for d in report.days]
    chart = grouped_bars([d.short for d in report.days],
                         [("Logged", [d.data.logged for d in report.days]),
                          ("Resolved", [d.activity.resolved for d in report.days]),
                          ("Escalated", [d.activity.escalated for d in report.days])], FRAME_WIDTH, 160)
    return [grid_table(rows, [day_w, *[col_w] * len(TREND_COLUMNS)]), Spacer(0, 3 * mm), chart, Spacer(0, 2 * mm),
            ms.note("Logged and the first-response figures are of the inquiries logged that day; acknowledged, "
                    "resolved and escalated are the day's work, whenever the inquiries were logged. A day without "
                    "data shows “no data”, not zero.")]


def agents(report: WeeklyReport, tz: tzinfo) -> list[Flowable]:
    return ps.agent_table(report.activity.agents, report.span)


def feedback_analysis_story(analysis: FeedbackAnalysis | None = None, knowledge: KnowledgeMeasures | None = None,
                            csat_target: float = 4.5) -> list[Flowable]:
    """The week's feedback analysis: CSAT trend, themes by count and priority, the top 10 queries and complaints,
    verbatim comments per theme, and the knowledge base. Renders nothing when ``analysis`` is None."""
    if analysis is None:
        return []
    return feedback_story(analysis, knowledge, csat_target)


def feedback_analysis(report: WeeklyReport, tz: tzinfo) -> list[Flowable]:
    return feedback_analysis_story(report.feedback_analysis, report.knowledge, report.csat_target)


WEEKLY_SECTIONS: list[tuple[str, ps.Builder]] = [
    ("Key performance indicators against targets", summary),
    ("The week's work", work),
    ("Trend by day", trend),
    ("Response times", ms.response_times),
    ("Resolution", ms.resolution),
    ("Escalations", ms.escalations),
    ("Reopening and closure", ms.reopening),
    ("User feedback", ms.feedback),
    ("Categories, channels and user types", ms.volumes),
    ("Top 10 subjects and categories", ms.top_lists),
    ("Agents", agents),
    ("Breached inquiries", ps.due_breaches),
    ("Ad moderation", ms.moderation),
]


def weekly_sections(report: WeeklyReport) -> list[tuple[str, ps.Builder]]:
    """The sections of ``report``: the feedback analysis comes after the others when the report has one."""
    extra = [("Feedback analysis", feedback_analysis)] if report.feedback_analysis is not None else []
    return [*WEEKLY_SECTIONS, *extra]


def _cover(report: WeeklyReport, tz: tzinfo, generated_at: datetime,
           sections: Sequence[tuple[str, ps.Builder]]) -> list[Flowable]:
    d = report.data
    first, last = date.fromisoformat(d.first_day), date.fromisoformat(d.last_day)
    facts = [("Office", OFFICE), ("Division", DIVISION), ("Report to", REPORT_TO),
             ("Week", f"Monday {first:%d/%m/%Y} – Sunday {last:%d/%m/%Y} (the office's calendar days, "
                      f"{getattr(tz, 'key', tz)})"),
             ("Data as of", stamp(report.as_of, tz)), ("Generated at", stamp(generated_at, tz))]
    met = sum(c.met is True for c in report.checks)
    tiles = [("Inquiries logged", str(d.logged)), ("Resolved in the week", str(report.activity.resolved)),
             ("Open at the end" if report.activity.period_over else "Open now", str(report.activity.open_at_end)),
             ("Targets met", f"{met} of {len(report.checks)}")]
    short = d.period.partition(" (")[0]  # "Week 3 of 2025": the dates are in the facts below
    return cover_story(TITLE, f"SayPro {PROGRAMME}", short, facts, tiles, [name for name, _ in sections])


def render_weekly_pdf(report: WeeklyReport, out: str | Path | IO[bytes], *, generated_at: datetime, tz: tzinfo,
                      sections: Sequence[tuple[str, ps.Builder]] | None = None) -> None:
    chosen = weekly_sections(report) if sections is None else sections
    ps.render_numbered(report, out, _cover(report, tz, generated_at, chosen), chosen, title=TITLE,
                       generated_at=generated_at, tz=tz)
