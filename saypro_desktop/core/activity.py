"""What the support desk did in a day or a week, whenever the inquiries it worked were logged.

The KPI dataset (``kpi.py``) follows the inquiries *logged* in a period to their outcome; a daily or weekly
report also needs the period's work: inquiries acknowledged, resolved and escalated in it, the open backlog at
its start and end, and the resolution due times that fell in it and were missed. Each figure is read from the
inquiry's stored times (``acknowledged_at``, ``resolved_at``, ``escalated_at``, ``resolution_due_at``), the
moments the monthly report measures too; an inquiry reopened since counts where it stands now (its earlier
resolution is no longer stored). Cancelled inquiries are left out, as from every KPI.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .kpi import pct


@dataclass
class AgentActivity:
    """One agent's share of the period's work, by the inquiry's current assignee."""

    agent: str  # display name; "Unassigned" for inquiries nobody holds
    logged: int = 0  # logged in the period, assigned to the agent now
    acknowledged: int = 0  # first response given in the period
    acknowledged_on_time: int = 0
    resolved: int = 0  # resolved in the period (and not reopened since)
    resolved_by_due: int = 0
    escalated: int = 0  # escalated in the period
    open_at_start: int = 0
    open_at_end: int = 0  # open at the period's end
    overdue_at_end: int = 0
    due: int = 0
    breached: int = 0  # resolution due in the period and missed


@dataclass
class PeriodActivity:
    period: str
    first_day: str
    last_day: str
    as_of: str
    period_over: bool = True  # False while the period runs: the backlog "at the end" is the one at as_of
    logged: int = 0
    acknowledged: int = 0
    acknowledged_on_time: int = 0  # by the acknowledgement due time
    resolved: int = 0
    resolved_by_due: int = 0  # by the resolution due time
    escalated: int = 0
    cancelled: int = 0  # logged in the period and since cancelled (left out of every other figure)
    open_at_start: int = 0
    open_at_end: int = 0
    overdue_at_end: int = 0  # open at the end with the resolution due time behind
    due: int = 0  # resolution due times that fell in the period (up to the moment the data is of)
    breached: int = 0  # of those, passed before the inquiry was resolved
    agents: list[AgentActivity] = field(default_factory=list)

    @property
    def acknowledged_on_time_pct(self) -> float | None:
        return pct(self.acknowledged_on_time, self.acknowledged)

    @property
    def resolved_by_due_pct(self) -> float | None:
        return pct(self.resolved_by_due, self.resolved)

    @property
    def due_met_pct(self) -> float | None:
        return pct(self.due - self.breached, self.due)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(acknowledged_on_time_pct=self.acknowledged_on_time_pct, resolved_by_due_pct=self.resolved_by_due_pct,
                   due_met_pct=self.due_met_pct)
        return out
