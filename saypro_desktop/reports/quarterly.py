"""The quarterly review: the quarter's three months side by side against the targets, trends, recommendations."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import IO, Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from ..core.kpi import KpiCheck, KpiDataset, against_targets
from ..core.moderation_kpi import ModerationFigures, moderation_checks
from ..core.office_settings import KpiTargets
from .charts import grouped_bars, trend_chart
from .document import DIVISION, OFFICE, build_pdf
from .formatting import fmt_target, fmt_value, markup, stamp, verdict
from .moderation_section import moderator_table
from .styles import (
    FRAME_WIDTH,
    RULE,
    cells,
    grid_table,
    head_cells,
    heading,
    layout,
    styles,
    table,
    verdict_paragraph,
    verdict_style,
)

TITLE = "Quarterly Review"
PROGRAMME = "SayPro Classified User Support and Help Management"


@dataclass
class QuarterlyReport:
    label: str  # "Q1 2025"
    months: list[KpiDataset]
    quarter: KpiDataset
    targets: KpiTargets
    as_of: datetime
    recommendations: str = ""
    moderation: list[ModerationFigures] = field(default_factory=list)  # the months, then the quarter

    @property
    def columns(self) -> list[KpiDataset]:
        """The months, then the whole quarter."""
        return [*self.months, self.quarter]

    def checks(self) -> list[list[KpiCheck]]:
        return [against_targets(d, self.targets) for d in self.columns]


def _short(d: KpiDataset) -> str:
    """"January 2025" as "Jan 2025" so four columns fit."""
    month, _, year = d.period.partition(" ")
    return f"{month[:3]} {year}" if year else d.period


def _checks_by_month(report: QuarterlyReport, first_header: str,
                     all_checks: list[list[KpiCheck]]) -> tuple[list[Any], list[Any]]:
    """A row per measure: its target, then each month's and the quarter's value with its verdict. Returns the
    rows (header first) and the table's verdict colouring."""
    names = [_short(d) for d in report.months] + [report.label]
    rows: list[Any] = [head_cells([first_header, "Target", *names])]
    extra: list[Any] = []
    for k, first in enumerate(all_checks[0]):
        row = cells([first.label, fmt_target(first.target, first.unit, first.higher_is_better)])
        for col, checks in enumerate(all_checks, 2):
            c = checks[k]
            value = fmt_value(c.value, c.unit, c.target, c.higher_is_better)
            row.append([*cells([value]), verdict_paragraph(c.met, verdict(c.met))])
            extra += verdict_style(len(rows), col, c.met)
        rows.append(row)
    return rows, extra


def _kpi_table(report: QuarterlyReport) -> Table:
    all_checks = report.checks()
    rows, extra = _checks_by_month(report, "Key performance indicator", all_checks)
    rows.append(cells(["<b>Targets met</b>", ""] + [f"<b>{sum(c.met is True for c in checks)} of {len(checks)}</b>"
                                                   for checks in all_checks]))
    month_w = 24 * mm
    return grid_table(rows, [FRAME_WIDTH - 22 * mm - 4 * month_w, 22 * mm, *[month_w] * 4], extra=extra,
                      zebra=False)


VOLUME_ROWS = (("Inquiries logged", "logged", ""), ("Resolved or closed", "resolved", ""),
               ("Still open", "open", ""), ("Escalated", "escalated", ""), ("Reopened", "reopened", ""),
               ("Average first response (business time)", "avg_first_response_business_minutes", "min"),
               ("Median first response (business time)", "median_first_response_business_minutes", "min"),
               ("Feedback responses", "csat_responses", ""))


def _volume_table(report: QuarterlyReport) -> Table:
    names = [_short(d) for d in report.months] + [report.label]
    rows = [head_cells(["Measure", *names])]
    rows += [cells([label, *[fmt_value(getattr(d, attr), unit) for d in report.columns]])
             for label, attr, unit in VOLUME_ROWS]
    month_w = 24 * mm
    return grid_table(rows, [FRAME_WIDTH - 4 * month_w, *[month_w] * 4])


# The percentage KPIs drawn as trend lines (key, legend name).
TREND_KEYS = (("ack_within_target_pct", "Acknowledged ≤ 1 business hour"), ("resolved_within_24h_pct", "≤ 24 h"),
              ("resolved_within_48h_pct", "≤ 48 h"), ("same_day_pct", "Same day"),
              ("first_contact_resolution_pct", "First contact"), ("closed_without_reopen_pct", "Not reopened"))


def _trends(report: QuarterlyReport) -> list[Flowable]:
    months = [_short(d) for d in report.months]
    series = [(name, [getattr(d, key) for d in report.months]) for key, name in TREND_KEYS]
    seen = [v for _, values in series for v in values if v is not None]
    low = max(0, math.floor((min(seen, default=50) - 5) / 10) * 10)
    step = 10 if 100 - low > 40 else 5
    pct_chart = trend_chart(months, series, FRAME_WIDTH, 190, low=low, high=100, step=step, unit="%")
    half = (FRAME_WIDTH - 6 * mm) / 2
    csat = [d.csat_average for d in report.months]
    csat_low = min(4.0, math.floor(min([v for v in csat if v is not None], default=4.0) * 2) / 2)
    csat_chart = trend_chart(months, [("CSAT average (1-5)", csat)], half, 150, low=csat_low, high=5, step=0.25
                             if 5 - csat_low <= 1 else 0.5, target=report.targets.csat)
    volume_chart = grouped_bars(months, [("Logged", [d.logged for d in report.months]),
                                         ("Resolved", [d.resolved for d in report.months]),
                                         ("Escalated", [d.escalated for d in report.months])], half)
    s = styles()
    widths = [half + 6 * mm, half]
    return [heading("Percentage KPIs", 2), pct_chart, Spacer(0, 3 * mm),
            layout([Paragraph("User satisfaction against its target", s.subheading),
                    Paragraph("Inquiries per month", s.subheading)], widths),
            layout([csat_chart, volume_chart], widths),
            Paragraph("A month without data leaves a gap in its line; section 1 gives every value.", s.small)]


def _targets_met(report: QuarterlyReport) -> Table:
    """How many targets each month (and the quarter) met; section 1 says which."""
    rows = [head_cells(["Period", "Met", "Missed", "No data"])]
    for d, checks in zip(report.columns, report.checks(), strict=True):
        rows.append(cells([d.period, *[f"{sum(c.met is m for c in checks)} of {len(checks)}"
                                       for m in (True, False, None)]]))
    widths = [FRAME_WIDTH - 3 * 30 * mm, 30 * mm, 30 * mm, 30 * mm]
    return grid_table(rows, widths)


def _moderation(report: QuarterlyReport) -> list[Flowable]:
    """The moderation targets by month and for the quarter, then the quarter's moderators."""
    s = styles()
    if not report.moderation or not any(f.ads_submitted or f.ads_reviewed for f in report.moderation):
        return [Paragraph("No ads were submitted or decided in the quarter.", s.body)]
    rows, extra = _checks_by_month(report, "Measure", [moderation_checks(f) for f in report.moderation])
    for label, attr in (("Ads submitted", "ads_submitted"), ("Ads reviewed", "ads_reviewed"),
                        ("Appeals and complaints", "appeals")):
        rows.append(cells([label, "", *[str(getattr(f, attr)) for f in report.moderation]]))
    month_w = 24 * mm
    table_ = grid_table(rows, [FRAME_WIDTH - 22 * mm - 4 * month_w, 22 * mm, *[month_w] * 4], extra=extra,
                        zebra=False)
    return [table_, Spacer(0, 3 * mm), heading("Moderators over the quarter", 2),
            *moderator_table(report.moderation[-1])]


def _recommendations(text: str) -> list[Flowable]:
    s = styles()
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    if not blocks:
        return [Paragraph("No recommendations were entered for this quarter.", s.body)]
    return [Paragraph(markup(b), s.body) for b in blocks]


def _title(report: QuarterlyReport, tz: tzinfo, generated_at: datetime) -> list[Flowable]:
    s = styles()
    first, last = report.months[0], report.months[-1]
    facts = [("Office", f"{OFFICE} · {DIVISION}"),
             ("Period", f"{first.period} – {last.period} (inquiries logged in the quarter)"),
             ("Data as of", stamp(report.as_of, tz)), ("Generated at", stamp(generated_at, tz))]
    fact_table = table([[Paragraph(k, s.label), Paragraph(v, s.cell)] for k, v in facts],
                       [28 * mm, FRAME_WIDTH - 28 * mm],
                       [("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("TOPPADDING", (0, 0), (-1, -1), 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 3)])
    return [Paragraph(f"{TITLE} · {report.label}", s.title), Paragraph(PROGRAMME, s.subtitle), Spacer(0, 3 * mm),
            fact_table, Spacer(0, 2 * mm)]


def render_quarterly_pdf(report: QuarterlyReport, out: str | Path | IO[bytes], *, generated_at: datetime,
                         tz: tzinfo) -> None:
    story = [
        *_title(report, tz, generated_at),
        heading("1. KPIs by month against targets"), _kpi_table(report),
        heading("2. Volumes and response times by month"), _volume_table(report),
        heading("3. Targets met per month"), _targets_met(report),
        heading("4. Trends across the quarter"), *_trends(report),
        heading("5. Ad moderation"), *_moderation(report),
        heading("6. Recommendations"), *_recommendations(report.recommendations),
    ]
    build_pdf(out, story, title=f"{TITLE} – {report.label}", header=f"{TITLE} · {report.label}",
              generated=f"Generated at {stamp(generated_at, tz)} · data as of {stamp(report.as_of, tz)}")
