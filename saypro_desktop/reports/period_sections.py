"""What the daily and the weekly report add to the SCMR-5 sections: the period's work (acknowledged, resolved,
escalated, backlog, breaches), the agents' share of it, the breaches whose due time fell in the period, and the
numbered build of a report from (title, builder) pairs. Figures are rows (``Figure``) as in the monthly report,
so the PDF tables and the CSV twin read one list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import IO, Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from ..core.activity import AgentActivity, PeriodActivity
from . import monthly_sections as ms
from .document import build_pdf
from .figures import Figure
from .formatting import fmt_value, markup, stamp
from .styles import FRAME_WIDTH, cells, grid_table, head_cells, styles

ACTIVITY = "Activity"
BY_AGENT = "By agent"
TREND = "Trend by day"

# The agents' columns: attribute, heading in the PDF, measure in the CSV.
AGENT_COLUMNS = (("logged", "Logged", "inquiries logged"), ("acknowledged", "First responses", "acknowledged"),
                 ("resolved", "Resolved", "resolved"), ("escalated", "Escalated", "escalated"),
                 ("open_at_end", "Open at end", "open at the end"), ("breached", "Breaches", "due times missed"))


def activity_figures(a: PeriodActivity, span: str) -> list[Figure]:
    """The period's work as figure rows; ``span`` is "day" or "week"."""
    backlog = f"Open at the end of the {span}" if a.period_over else f"Open now (the {span} is not over)"
    return [
        Figure(ACTIVITY, f"Inquiries logged in the {span}", a.logged),
        Figure(ACTIVITY, f"Open at the start of the {span}", a.open_at_start),
        Figure(ACTIVITY, "Acknowledged (first response given)", a.acknowledged),
        Figure(ACTIVITY, "Of those, acknowledged by their due time", a.acknowledged_on_time_pct, "%"),
        Figure(ACTIVITY, "Resolved", a.resolved),
        Figure(ACTIVITY, "Of those, resolved by their resolution due time", a.resolved_by_due_pct, "%"),
        Figure(ACTIVITY, "Escalated to higher-tier support", a.escalated),
        Figure(ACTIVITY, backlog, a.open_at_end),
        Figure(ACTIVITY, "Of those, past their resolution due time", a.overdue_at_end),
        Figure(ACTIVITY, f"Resolution due times that fell in the {span}", a.due),
        Figure(ACTIVITY, "Of those, missed (breaches)", a.breached),
        Figure(ACTIVITY, "Cancelled (spam, duplicates, tests), not counted above", a.cancelled),
    ]


def agent_figures(agents: Sequence[AgentActivity]) -> list[Figure]:
    return [Figure(BY_AGENT, f"{a.agent}: {what}", getattr(a, attr))
            for a in agents for attr, _, what in AGENT_COLUMNS]


def activity_table(a: PeriodActivity, span: str) -> list[Flowable]:
    return [ms.figure_table(activity_figures(a, span)), Spacer(0, 1.5 * mm),
            ms.note(f"The {span}'s work, whenever the inquiries were logged, from each inquiry's stored times in the "
                    "office time zone: an inquiry reopened since counts where it stands now. Open means logged and "
                    "not yet resolved or closed. Cancelled inquiries are left out.")]


def agent_table(agents: Sequence[AgentActivity], span: str) -> list[Flowable]:
    s = styles()
    if not agents:
        return [Paragraph(f"No inquiry was logged, worked or open in the {span}.", s.body)]
    name_w = FRAME_WIDTH - len(AGENT_COLUMNS) * 21 * mm
    rows = [head_cells(["Agent", *[head for _, head, _ in AGENT_COLUMNS]], compact=True)]
    rows += [cells([markup(a.agent), *[fmt_value(getattr(a, attr)) for attr, _, _ in AGENT_COLUMNS]], s.cell)
             for a in agents]
    totals = [f"<b>{sum(getattr(a, attr) for a in agents)}</b>" for attr, _, _ in AGENT_COLUMNS]
    rows.append(cells(["<b>All agents</b>", *totals]))
    return [grid_table(rows, [name_w, *[21 * mm] * len(AGENT_COLUMNS)]), Spacer(0, 1.5 * mm),
            ms.note("By the inquiry's current assignee: logged in the period, acknowledged, resolved and escalated "
                    "in it, open at its end, and resolution due times in it that were missed.")]


def due_breaches(report: Any, tz: tzinfo) -> list[Flowable]:
    """The inquiries whose resolution due time fell in the period and passed before they were resolved."""
    s = styles()
    when = f"{'on' if report.span == 'day' else 'in'} {report.data.period}"
    if not report.breaches_total:
        return [Paragraph(f"No resolution due time {when} passed before its inquiry was resolved.", s.body)]
    intro = (f"<b>{report.breaches_total}</b> inquiries were due for resolution {when} and were not resolved "
             "by their due time (or are still unresolved past it), whenever they were logged; ordered by due time, "
             "then Inquiry ID. Times are in the office time zone.")
    return [Paragraph(intro, s.body), *ms.breach_table(report.breaches, report.breaches_total, report.as_of, tz)]


Builder = Callable[[Any, tzinfo], list[Flowable]]


def render_numbered(report: Any, out: str | Path | IO[bytes], opening: list[Flowable],
                    sections: Sequence[tuple[str, Builder]], *, title: str, generated_at: datetime,
                    tz: tzinfo) -> None:
    """``opening`` (the cover), then each section numbered, on the office's pages."""
    story = list(opening)
    for n, (name, builder) in enumerate(sections, 1):
        story += ms.numbered(n, name)
        story += builder(report, tz)
    label = report.data.period
    build_pdf(out, story, title=f"{title} – {label}", header=f"{title} · {label}",
              generated=f"Generated at {stamp(generated_at, tz)} · data as of {stamp(report.as_of, tz)}",
              header_on_first_page=False)
