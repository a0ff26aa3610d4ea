"""The moderation figures of a period and how they stand against the seed targets (100% of ads decided within
24 h, audit accuracy >= 98%, complaints under 2%). Ratios are fractions 0-1, kept unrounded."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .kpi import KpiCheck
from .moderation import ACCURACY_TARGET, COMPLAINT_RATE_TARGET


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@dataclass
class ModeratorFigures:
    moderator: str
    decisions: int = 0
    median_hours_to_decision: float | None = None
    within_12h: float | None = None  # share of decisions made within 12 h of submission
    within_24h: float | None = None
    audited: int = 0
    audit_accuracy: float | None = None
    appeals: int = 0  # appeals and complaints against their decisions
    overturned: int = 0
    complaint_rate: float | None = None


@dataclass
class ModerationFigures:
    period: str
    ads_submitted: int = 0
    ads_reviewed: int = 0  # ads with a decision that ends the review, made in the period
    pending_at_end: int = 0
    approved: int = 0
    rejected: int = 0
    changes_requested: int = 0
    removed: int = 0
    escalated: int = 0
    approval_rate: float | None = None
    rejection_rate: float | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    median_hours_to_decision: float | None = None
    within_12h: float | None = None
    within_24h: float | None = None
    appeals: int = 0
    overturned: int = 0
    complaint_rate: float | None = None
    audited: int = 0
    audit_accuracy: float | None = None
    conflicts: int = 0
    moderators: list[ModeratorFigures] = field(default_factory=list)
    targets: dict[str, float] = field(default_factory=lambda: {
        "within_24h": 1.0, "audit_accuracy": ACCURACY_TARGET, "complaint_rate": COMPLAINT_RATE_TARGET})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)



def moderation_checks(f: ModerationFigures) -> list[KpiCheck]:
    """The figures with a target, as percentages (0-100) like the inquiry KPIs."""
    def pc(value: float | None) -> float | None:
        return None if value is None else 100 * value

    return [
        KpiCheck("ads_within_24h_pct", "Ads decided within 24 hours of submission", pc(f.within_24h),
                 100 * f.targets["within_24h"], "%"),
        KpiCheck("audit_accuracy_pct", "Decisions found correct in the weekly audit", pc(f.audit_accuracy),
                 100 * f.targets["audit_accuracy"], "%"),
        KpiCheck("complaint_rate_pct", "Decisions appealed or complained about", pc(f.complaint_rate),
                 100 * f.targets["complaint_rate"], "%", higher_is_better=False),
    ]
