"""Ad moderation in the reports: the office's figures against the seed targets, the reasons given, and each
moderator's month. Used by the SCMR-5 monthly, the quarterly review and the moderation report."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from ..core.moderation_kpi import ModerationFigures, moderation_checks
from .figures import Figure
from .formatting import fmt_value, markup
from .styles import FRAME_WIDTH, cells, grid_table, head_cells, heading, styles


def _pc(value: float | None) -> float | None:
    return None if value is None else 100 * value


def moderation_rows(f: ModerationFigures, section: str = "Ad moderation") -> list[Figure]:
    """Every moderation figure of the period in report order (the PDF's tables and the CSV twin)."""
    out = [Figure(section, "Ads submitted", f.ads_submitted), Figure(section, "Ads reviewed", f.ads_reviewed),
           Figure(section, "Waiting for a decision at the end", f.pending_at_end),
           Figure(section, "Approved", _pc(f.approval_rate), "%"),
           Figure(section, "Rejected", _pc(f.rejection_rate), "%"),
           Figure(section, "Changes requested", f.changes_requested), Figure(section, "Removed", f.removed),
           Figure(section, "Escalated", f.escalated),
           Figure(section, "Median time to decision", f.median_hours_to_decision, "h"),
           Figure(section, "Decided within 12 hours", _pc(f.within_12h), "%")]
    out += [Figure(section, c.label, c.value, c.unit, c.target, c.met, c.higher_is_better)
            for c in moderation_checks(f)]
    out += [Figure(section, "Appeals and complaints", f.appeals), Figure(section, "Overturned on appeal", f.overturned),
            Figure(section, "Decisions audited", f.audited),
            Figure(section, "Decisions that met another (conflicts)", f.conflicts)]
    return out


def _reasons(f: ModerationFigures) -> Table | Paragraph:
    if not f.reasons:
        return Paragraph("No reasons were given: no ad was rejected, sent back or removed.", styles().small)
    total = sum(f.reasons.values())
    rows = [head_cells(["Reason", "Decisions", "Share"])]
    rows += [cells([markup(code.replace("_", " ")), str(n), fmt_value(100 * n / total, "%")])
             for code, n in f.reasons.items()]
    return grid_table(rows, [FRAME_WIDTH - 60 * mm, 30 * mm, 30 * mm])


def moderator_table(f: ModerationFigures) -> list[Flowable]:
    if not f.moderators:
        return [Paragraph("No moderator decided an ad in the period.", styles().small)]
    rows = [head_cells(["Moderator", "Count", "Median", "≤ 12 h", "≤ 24 h", "Audited", "Correct", "Appeals",
                        "Compl."])]
    for m in f.moderators:
        rows.append(cells([markup(m.moderator), str(m.decisions), fmt_value(m.median_hours_to_decision, "h"),
                           fmt_value(_pc(m.within_12h), "%"), fmt_value(_pc(m.within_24h), "%"), str(m.audited),
                           fmt_value(_pc(m.audit_accuracy), "%"), f"{m.appeals} ({m.overturned})",
                           fmt_value(_pc(m.complaint_rate), "%")]))
    number = (FRAME_WIDTH - 40 * mm) / 8
    table_ = grid_table(rows, [40 * mm, *[number] * 8])
    return [table_, Paragraph("Count: decisions that stand. Median: hours from submission to decision. Correct: "
                              "share found correct in the weekly audit. Appeals: appeals and complaints against "
                              "their decisions (overturned ones in brackets). Compl.: appeals and complaints per "
                              "decision.", styles().small)]


def moderation_story(f: ModerationFigures, figure_table: Callable[[list[Figure]], Flowable],
                     level: int = 2) -> list[Flowable]:
    """The section's content: ``figure_table`` is the report's own renderer of figures with targets."""
    s = styles()
    if not f.ads_submitted and not f.ads_reviewed:
        return [Paragraph("No ads were submitted or decided in the period.", s.body)]
    return [
        figure_table(moderation_rows(f)),
        Paragraph("An ad counts as reviewed by its decision that stands (a decision taken back, or kept aside "
                  "because it met another, does not count). Times run from the ad's submission.", s.small),
        Spacer(0, 3 * mm),
        heading("Reasons given", level + 1),
        _reasons(f),
        Spacer(0, 3 * mm),
        heading("Moderators", level + 1),
        *moderator_table(f),
    ]
