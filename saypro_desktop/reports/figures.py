"""The figures of a period as rows: one list feeds the PDF section tables and the CSV twin alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..core.kpi import KpiCheck, KpiDataset, against_targets, pct
from ..core.office_settings import KpiTargets
from ..core.vocab import EscalationTier

TOTALS = "Totals"
RESPONSE = "Response times"
RESOLUTION = "Resolution"
ESCALATIONS = "Escalations"
REOPENING = "Reopening and closure"
FEEDBACK = "User feedback"
BY_STATUS = "By status"
BY_CHANNEL = "By channel"
BY_CATEGORY = "By category"
BY_USER_TYPE = "By user type"
BY_CLASSIFIED = "By classified category"
BY_PRIORITY = "By priority"
TOP_SUBJECTS = "Top subjects"
TOP_CATEGORIES = "Top categories"
BREACHES = "Breached inquiries"
CANCELLED = "Cancelled (left out of the figures)"
OTHER_TARGETS = "Other targets"

# Breakdowns and their dataset attribute, in the order the report shows them.
BREAKDOWNS = ((BY_CHANNEL, "by_channel"), (BY_CATEGORY, "by_category"), (BY_USER_TYPE, "by_user_type"),
              (BY_CLASSIFIED, "by_classified_category"), (BY_PRIORITY, "by_priority"), (BY_STATUS, "by_status"))


@dataclass(frozen=True)
class Figure:
    section: str
    measure: str
    value: float | int | None
    unit: str = ""  # "%", "/5", "min" (business minutes, shown as hours and minutes) or "" for a count
    target: float | None = None
    met: bool | None = None
    higher_is_better: bool = True  # the target is a floor (≥) or, when False, a ceiling (≤)

    @property
    def result(self) -> str:
        """met / missed / no data for a figure with a target, empty otherwise."""
        if self.target is None:
            return ""
        return {True: "met", False: "missed", None: "no data"}[self.met]


def _from_check(section: str, check: KpiCheck) -> Figure:
    return Figure(section, check.label, check.value, check.unit, check.target, check.met, check.higher_is_better)


def monthly_figures(data: KpiDataset, checks: Sequence[KpiCheck], breaches_total: int | None = None, *,
                    tops: bool = True) -> list[Figure]:
    """Every figure of a period in report order; KPIs with a target carry it and their verdict."""
    placed = {"ack_within_target_pct": RESPONSE, "resolved_within_24h_pct": RESOLUTION,
              "resolved_within_48h_pct": RESOLUTION, "same_day_pct": RESOLUTION,
              "first_contact_resolution_pct": RESOLUTION, "closed_without_reopen_pct": REOPENING,
              "csat_average": FEEDBACK}
    by_key = {c.key: c for c in checks}

    def check(key: str) -> list[Figure]:
        return [_from_check(placed[key], by_key[key])] if key in by_key else []

    rows = [
        Figure(TOTALS, "Inquiries logged", data.logged),
        Figure(TOTALS, "Resolved or closed", data.resolved),
        Figure(TOTALS, "Still open", data.open),
        Figure(TOTALS, "Cancelled (spam, duplicates, tests), not counted above", data.cancelled),
        *check("ack_within_target_pct"),
        Figure(RESPONSE, "First responses measured", data.ack_measured),
        Figure(RESPONSE, "Average first response (business time)", data.avg_first_response_business_minutes, "min"),
        Figure(RESPONSE, "Median first response (business time)", data.median_first_response_business_minutes,
               "min"),
        *check("resolved_within_24h_pct"),
        *check("resolved_within_48h_pct"),
        Figure(RESOLUTION, "High and critical priority resolved within 24 hours", data.high_priority_within_24h_pct,
               "%"),
        Figure(RESOLUTION, "Resolved by the resolution due time", data.resolution_target_met_pct, "%"),
        *check("same_day_pct"),
        *check("first_contact_resolution_pct"),
        Figure(ESCALATIONS, "Escalated to higher-tier support", data.escalated),
        Figure(ESCALATIONS, "Escalated automatically (unresolved at 48 hours)", data.auto_escalated),
        *[Figure(ESCALATIONS, _tier_label(tier), n) for tier, n in data.escalations_by_tier.items()],
        Figure(REOPENING, "Reopened", data.reopened),
        Figure(REOPENING, "Reopen rate", data.reopen_rate_pct, "%"),
        *check("closed_without_reopen_pct"),
        *check("csat_average"),
        Figure(FEEDBACK, "Feedback responses", data.csat_responses),
        Figure(FEEDBACK, "Feedback responses per resolved inquiry", pct(data.csat_responses, data.resolved), "%"),
    ]
    # A target added to core.kpi later still reaches the report, under its own heading.
    rows += [_from_check(OTHER_TARGETS, c) for c in checks if c.key not in placed]
    for section, attr in BREAKDOWNS:
        rows += [Figure(section, name, n) for name, n in getattr(data, attr).items()]
    rows += [Figure(CANCELLED, reason or "No reason recorded", n) for reason, n in data.cancelled_by_reason.items()]
    if tops:
        rows += [Figure(TOP_SUBJECTS, name, n) for name, n in data.top_subjects]
        rows += [Figure(TOP_CATEGORIES, name, n) for name, n in data.top_categories]
    if breaches_total is not None:
        rows.append(Figure(BREACHES, "Resolution due time passed before resolution", breaches_total))
    return rows


def _tier_label(tier: str) -> str:
    try:
        return f"{tier} ({EscalationTier(tier).description})"
    except ValueError:
        return tier


def of_section(figures: Iterable[Figure], section: str) -> list[Figure]:
    return [f for f in figures if f.section == section]


def _raw(value: float | int | None) -> str:
    """Figures in CSV stay exact (unrounded, no units: a spreadsheet rounds them once); no data is an empty
    cell. Times ("min") are business minutes."""
    return "" if value is None else str(value)


MONTHLY_CSV_HEADER = ["Section", "Measure", "Value", "Unit", "Target", "Result"]


def monthly_csv_rows(figures: Sequence[Figure]) -> list[list[str]]:
    return [MONTHLY_CSV_HEADER] + [[f.section, f.measure, _raw(f.value), f.unit, _raw(f.target), f.result]
                                   for f in figures]


def quarterly_csv_rows(columns: Sequence[KpiDataset], targets: KpiTargets) -> list[list[str]]:
    """One row per measure, a value and a result column per month and for the whole quarter."""
    per_column = [monthly_figures(d, against_targets(d, targets), tops=False) for d in columns]
    keys: dict[tuple[str, str], Figure] = {}
    for figures in per_column:
        for f in figures:
            keys.setdefault((f.section, f.measure), f)
    lookup = [{(f.section, f.measure): f for f in figures} for figures in per_column]
    header = ["Section", "Measure", "Unit", "Target"]
    for d in columns:
        header += [d.period, f"{d.period} result"]
    rows = [header]
    for key, first in keys.items():
        row = [first.section, first.measure, first.unit, _raw(first.target)]
        for table in lookup:
            f = table.get(key)
            row += [_raw(f.value), f.result] if f else ["", ""]
        rows.append(row)
    return rows
