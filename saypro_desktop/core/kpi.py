"""The KPI dataset of a period and how it stands against the office's targets (seeds 001, 002, 004)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from .office_settings import KpiTargets


@dataclass
class KpiDataset:
    period: str
    first_day: str
    last_day: str
    as_of: str
    logged: int = 0
    open: int = 0
    resolved: int = 0
    # Cancelled inquiries (spam, duplicates, tests) are left out of every other figure, counted here by reason.
    cancelled: int = 0
    cancelled_by_reason: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    ack_within_target_pct: float | None = None
    ack_measured: int = 0
    # In business time (the office calendar's opening hours), as the 1-business-hour acknowledgement target.
    avg_first_response_business_minutes: float | None = None
    median_first_response_business_minutes: float | None = None
    resolved_within_24h_pct: float | None = None
    resolved_within_48h_pct: float | None = None
    high_priority_within_24h_pct: float | None = None
    resolution_target_met_pct: float | None = None
    same_day_pct: float | None = None
    first_contact_resolution_pct: float | None = None
    escalated: int = 0
    escalations_by_tier: dict[str, int] = field(default_factory=dict)
    auto_escalated: int = 0
    reopened: int = 0
    reopen_rate_pct: float | None = None
    closed_without_reopen_pct: float | None = None
    csat_average: float | None = None
    csat_responses: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_user_type: dict[str, int] = field(default_factory=dict)
    by_classified_category: dict[str, int] = field(default_factory=dict)
    by_priority: dict[str, int] = field(default_factory=dict)
    top_subjects: list[tuple[str, int]] = field(default_factory=list)
    top_categories: list[tuple[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class KpiCheck:
    key: str
    label: str
    value: float | None
    target: float
    unit: str  # "%" or "/5"
    higher_is_better: bool = True

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    @property
    def verdict(self) -> str:
        return {True: "met", False: "missed", None: "no data"}[self.met]


def pct(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, unrounded: only the display rounds, once (see ``shown``)."""
    return None if whole == 0 else 100.0 * part / whole


# Decimal places a figure is shown with, by unit.
DIGITS = {"%": 1, "/5": 2}


def shown(value: float, digits: int, target: float | None = None, higher_is_better: bool = True) -> Decimal:
    """``value`` rounded once, half up, to ``digits`` places for display.

    Verdicts are decided on the unrounded value (``KpiCheck.met``); the display must never contradict them. A
    value that misses its target but would round onto or past it (a CSAT of 4.495 against 4.5, 94.96% against
    95%) is rounded toward the side it is on instead: 4.49, 94.9%. So a printed figure never reads as the
    target beside "missed".
    """
    step = Decimal(1).scaleb(-digits)
    exact = Decimal(repr(float(value)))  # the float's shortest spelling: 93.55 is 93.55, not 93.549999...
    out = exact.quantize(step, rounding=ROUND_HALF_UP)
    if target is not None:
        goal = Decimal(repr(float(target)))
        if higher_is_better and exact < goal <= out:
            out = exact.quantize(step, rounding=ROUND_FLOOR)
        elif not higher_is_better and out <= goal < exact:
            out = exact.quantize(step, rounding=ROUND_CEILING)
    return out


def against_targets(data: KpiDataset, targets: KpiTargets) -> list[KpiCheck]:
    """Each measured KPI beside its target; percentages as 0-100."""
    return [
        KpiCheck("ack_within_target_pct", "Acknowledged within 1 business hour", data.ack_within_target_pct,
                 targets.ack_within_target * 100, "%"),
        KpiCheck("resolved_within_24h_pct", "Resolved within 24 hours", data.resolved_within_24h_pct,
                 targets.resolved_within_24h * 100, "%"),
        KpiCheck("resolved_within_48h_pct", "Resolved within 48 hours", data.resolved_within_48h_pct,
                 targets.resolved_within_48h * 100, "%"),
        KpiCheck("same_day_pct", "Resolved the same day", data.same_day_pct, targets.same_day * 100, "%"),
        KpiCheck("first_contact_resolution_pct", "First-contact resolution", data.first_contact_resolution_pct,
                 targets.first_contact_resolution * 100, "%"),
        KpiCheck("closed_without_reopen_pct", "Closed without reopening", data.closed_without_reopen_pct,
                 targets.closed_without_reopen * 100, "%"),
        KpiCheck("csat_average", "User satisfaction (CSAT)", data.csat_average, targets.csat, "/5"),
    ]
