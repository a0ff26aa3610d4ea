"""The section builders of the SCMR-5 monthly report: each takes the report and the office time zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from . import figures as fg
from .charts import inline_bar, pie_chart
from .feedback_section import themes_and_knowledge
from .figures import Figure, of_section
from .formatting import fmt_target, fmt_value, local_time, markup, verdict
from .moderation_section import moderation_story
from .styles import (
    FRAME_WIDTH,
    cells,
    grid_table,
    head_cells,
    heading,
    layout,
    styles,
    verdict_paragraph,
    verdict_style,
)

if TYPE_CHECKING:
    from ..core.kpi import KpiCheck
    from .monthly import BreachRow, MonthlyReport


def moderation(report: MonthlyReport, tz: tzinfo) -> list[Flowable]:
    if report.moderation is None:
        return [note("Moderation figures were not included in this report.")]
    return moderation_story(report.moderation, figure_table)


def numbered(n: int, title: str) -> list[Flowable]:
    return [heading(f"{n}. {title}")]


def note(text: str) -> Paragraph:
    return Paragraph(text, styles().small)


def figure_table(figures: Sequence[Figure]) -> Table:
    """Measure, value and, where the measure has one, its target and verdict (words and colour)."""
    with_targets = any(f.target is not None for f in figures)
    if not with_targets:
        rows = [head_cells(["Measure", "Value"])]
        rows += [cells([markup(f.measure), fmt_value(f.value, f.unit)]) for f in figures]
        return grid_table(rows, [FRAME_WIDTH - 92 * mm, 92 * mm])  # values line up with the tables with targets
    rows = [head_cells(["Measure", "Value", "Target", "Result"])]
    extra = []
    for r, f in enumerate(figures, 1):
        if f.target is None:
            rows.append(cells([markup(f.measure), fmt_value(f.value, f.unit), "", ""]))
            continue
        rows.append([*cells([markup(f.measure), fmt_value(f.value, f.unit, f.target, f.higher_is_better),
                             fmt_target(f.target, f.unit, f.higher_is_better)]),
                     verdict_paragraph(f.met, verdict(f.met))])
        extra += verdict_style(r, 3, f.met)
    return grid_table(rows, [FRAME_WIDTH - 92 * mm, 30 * mm, 30 * mm, 32 * mm], extra=extra, zebra=False)


def executive_summary(report: MonthlyReport, tz: tzinfo) -> list[Flowable]:
    s = styles()
    d = report.data
    met = sum(c.met is True for c in report.checks)
    missed = sum(c.met is False for c in report.checks)
    no_data = sum(c.met is None for c in report.checks)
    summary = (f"In {d.period} the office logged <b>{d.logged}</b> inquiries: <b>{d.resolved}</b> resolved or "
               f"closed and <b>{d.open}</b> still open"
               + (f" (<b>{d.cancelled}</b> more were cancelled as spam, duplicates or tests and are left out)"
                  if d.cancelled else "")
               + f". Of {len(report.checks)} targets, <b>{met} met</b> and "
               f"<b>{missed} missed</b>" + (f"; {no_data} had no data" if no_data else "") + ".")
    out: list[Flowable] = [Paragraph(summary, s.body), Spacer(0, 2 * mm), check_table(report.checks),
                           Spacer(0, 2 * mm)]
    if report.breaches_total:
        out.append(Paragraph(f"<b>{report.breaches_total}</b> inquiries passed their resolution due time before "
                             "they were resolved; they are listed in the last section.", s.body))
    out.append(verdicts_note(report.span))
    return out


def check_table(checks: Sequence[KpiCheck]) -> Table:
    """Each KPI: its result, target and verdict (in words and colour)."""
    rows = [head_cells(["Key performance indicator", "Result", "Target", "Verdict"])]
    extra = []
    for r, c in enumerate(checks, 1):
        rows.append([*cells([c.label, fmt_value(c.value, c.unit, c.target, c.higher_is_better),
                             fmt_target(c.target, c.unit, c.higher_is_better)]),
                     verdict_paragraph(c.met, verdict(c.met))])
        extra += verdict_style(r, 3, c.met)
    return grid_table(rows, [FRAME_WIDTH - 92 * mm, 30 * mm, 30 * mm, 32 * mm], extra=extra, zebra=False)


def verdicts_note(span: str) -> Paragraph:
    return note(verdicts_text(span))


def verdicts_text(span: str) -> str:
    return ("Verdicts are written out (met, missed, no data) as well as coloured. “No data” means nothing was "
            f"measured in the {span}, which is not the same as zero.")


def response_times(report: MonthlyReport, tz: tzinfo) -> list[Flowable]:
    return [figure_table(of_section(report.figures, fg.RESPONSE)), Spacer(0, 1.5 * mm),
            note("First response: from the time logged to the first acknowledgement or contact with the user, "
                 "counted in business time (the office's opening hours, without weekends and public holidays), "
                 "shown in hours and minutes. An acknowledgement is due within 1 business hour, or by the next "
                 "working hour when the inquiry arrives after hours. Inquiries not yet acknowledged count once "
                 "their due time has passed.")]


def resolution(report: MonthlyReport, tz: tzinfo) -> list[Flowable]:
    return [figure_table(of_section(report.figures, fg.RESOLUTION)), Spacer(0, 1.5 * mm),
            note(f"Shares of the inquiries logged in the {report.span}, except first-contact resolution (share of "
                 "those resolved) and the due-time measure (share of those resolved or past their due time). High and "
                 "critical inquiries are due within 24 hours, standard ones within 48 hours.")]


def escalations(report: MonthlyReport, tz: tzinfo) -> list[Flowable]:
    return [figure_table(of_section(report.figures, fg.ESCALATIONS))]


def reopening(report: MonthlyReport, tz: tzinfo) -> list[Flowable]:
    figures = report.figures
    out = [figure_table(of_section(figures, fg.REOPENING)), Spacer(0, 3 * mm),
           heading(f"Inquiries of the {report.span} by current status", 2),
           _breakdown(of_section(figures, fg.BY_STATUS)),
           Spacer(0, 3 * mm), heading("Cancelled inquiries, by reason", 2)]
    if not report.data.cancelled:
        return [*out, Paragraph(f"No inquiry logged in {report.data.period} was cancelled.", styles().body)]
    return [*out, _breakdown(of_section(figures, fg.CANCELLED)), Spacer(0, 1.5 * mm),
            note(f"{report.data.cancelled} inquiries were set aside as spam, duplicates or tests; every other "
                 "figure of this report leaves them out.")]


def feedback(report: MonthlyReport, tz: tzinfo) -> list[Flowable]:
    out = [figure_table(of_section(report.figures, fg.FEEDBACK)), Spacer(0, 1.5 * mm),
           note("User satisfaction (CSAT) is the average rating on a 1-5 scale of the feedback collected after "
                "resolution.")]
    analysis = getattr(report, "feedback_analysis", None)
    if analysis is not None and getattr(report, "span", "") == "month":  # the weekly has its own analysis
        out += themes_and_knowledge(analysis, getattr(report, "knowledge", None))
    return out


def _breakdown(figures: Sequence[Figure], pie: bool = False) -> Table:
    """Counts and shares; with a bar in each row, or beside a pie when parts of one whole are compared."""
    total = sum(f.value or 0 for f in figures)
    largest = max([f.value or 0 for f in figures], default=0)
    name_w, count_w, share_w = 62 * mm, 20 * mm, 18 * mm
    bar_w = FRAME_WIDTH - name_w - count_w - share_w
    header = ["", "Inquiries", "Share"] if pie else ["", "Inquiries", "Share", ""]
    rows = [head_cells(header)]
    for f in figures:
        row = cells([markup(f.measure), fmt_value(f.value), fmt_value(100 * (f.value or 0) / total, "%")
                     if total else "–"])
        if not pie:
            row.append(inline_bar(f.value or 0, largest, bar_w - 8))
        rows.append(row)
    if not pie:
        return grid_table(rows, [name_w, count_w, share_w, bar_w], extra=[("VALIGN", (3, 1), (3, -1), "MIDDLE")])
    counts = grid_table(rows, [name_w, count_w, share_w])
    drawing = pie_chart([(f.measure, int(f.value or 0)) for f in figures], bar_w - 6 * mm)
    return layout([counts, drawing or Spacer(0, 0)], [name_w + count_w + share_w + 6 * mm, bar_w - 6 * mm])


def volumes(report: MonthlyReport, tz: tzinfo) -> list[Flowable]:
    figures = report.figures
    out: list[Flowable] = []
    for section, title, pie in ((fg.BY_CHANNEL, "By channel (mode of inquiry)", False),
                                (fg.BY_CATEGORY, "By category of inquiry", False),
                                (fg.BY_USER_TYPE, "By user type", True),
                                (fg.BY_CLASSIFIED, "By classified category affected", False),
                                (fg.BY_PRIORITY, "By priority", False)):
        out += [heading(title, 2), _breakdown(of_section(figures, section), pie), Spacer(0, 2 * mm)]
    unset = report.data.logged - sum(f.value or 0 for f in of_section(figures, fg.BY_CLASSIFIED))
    if unset:
        out.append(note(f"{unset} inquiries have no classified category recorded; they are not in that table."))
    return out


def top_lists(report: MonthlyReport, tz: tzinfo) -> list[Flowable]:
    out: list[Flowable] = []
    for section, title, column in ((fg.TOP_SUBJECTS, "Most frequent subjects", "Subject"),
                                   (fg.TOP_CATEGORIES, "Most frequent categories", "Category")):
        items = of_section(report.figures, section)
        out.append(heading(title, 2))
        if not items:
            out.append(Paragraph(f"No inquiries in the {report.span}.", styles().body))
            continue
        rows = [head_cells(["#", column, "Inquiries"])]
        rows += [cells([str(n), markup(f.measure), fmt_value(f.value)]) for n, f in enumerate(items, 1)]
        out += [grid_table(rows, [10 * mm, FRAME_WIDTH - 35 * mm, 25 * mm]), Spacer(0, 2 * mm)]
    return out


def _over(hours: float) -> str:
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def breaches(report: MonthlyReport, tz: tzinfo) -> list[Flowable]:
    s = styles()
    if not report.breaches_total:
        return [Paragraph(f"No inquiry logged in {report.data.period} passed its resolution due time.", s.body)]
    intro = (f"<b>{report.breaches_total}</b> inquiries logged in {report.data.period} passed their resolution due "
             "time before they were resolved (or are still unresolved past it), ordered by due time, then "
             "Inquiry ID. Times are in the office time zone.")
    return [Paragraph(intro, s.body), *breach_table(report.breaches, report.breaches_total, report.as_of, tz)]


def breach_table(breaches: Sequence[BreachRow], total: int, as_of: datetime, tz: tzinfo) -> list[Flowable]:
    """The breached inquiries, and how many more when the list was cut short at ``len(breaches)`` of ``total``."""
    s = styles()
    rows = [head_cells(["Inquiry ID", "Priority", "Logged", "Resolution due", "Resolved", "Over by",
                        "Assigned to"], compact=True)]
    for b in breaches:
        resolved = local_time(b.resolved_at, tz) if b.resolved_at else f"not yet ({b.status})"
        rows.append(cells([b.inquiry_id, b.priority, local_time(b.logged_at, tz), local_time(b.due_at, tz),
                           resolved, _over(b.hours_over(as_of)), markup(b.assigned_to, "—")], s.compact))
    widths = [28 * mm, 14 * mm, 27 * mm, 27 * mm, 30 * mm, 16 * mm]
    out: list[Flowable] = [grid_table(rows, [*widths, FRAME_WIDTH - sum(widths)])]
    more = total - len(breaches)
    if more > 0:
        out.append(Paragraph(f"… and {more} more not listed here.", s.body))
    return out
