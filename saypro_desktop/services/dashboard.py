"""What the dashboard shows: today's figures, the last days' volume and SLA compliance, the inquiries at
risk, this month's KPIs against targets, and what is about to fall due for one staff user.

"Today" and every day here are local dates in the office's time zone. The at-risk and breached rules are
those of the Inquiries list (services/inquiry_table.py), so a tile's number matches the saved view it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from ..core.kpi import KpiCheck, KpiDataset, against_targets, pct
from ..core.periods import Period
from ..core.permissions import Permission, can
from ..core.sla import SlaState
from .context import ServiceContext
from .inquiry_table import SavedView, TableQuery, fetch_rows, row_ids
from .kpi import kpi_dataset

_OPEN = "status IN ('New', 'In Progress', 'Escalated', 'Reopened')"


def _at(moment: datetime) -> str:
    """A moment in the stored text form, microseconds always included so that text order is time order."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _aware(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


@dataclass(frozen=True)
class TodayFigures:
    day: date  # the office's local date
    new: int  # logged today
    open: int  # New, In Progress, Escalated or Reopened, whenever logged
    ack_within_target_pct: float | None  # of today's inquiries acknowledged or past their acknowledgement due time
    ack_measured: int
    at_risk: int
    breached: int
    escalated: int


@dataclass(frozen=True)
class DayPoint:
    day: date
    logged: int
    resolved: int
    sla_met_pct: float | None  # resolved by the resolution due time, of those resolved that day; None if none


@dataclass(frozen=True)
class AtRiskItem:
    id: str
    ref: str
    subject: str
    assignee: str  # display name, "" when unassigned
    due_at: datetime  # resolution due time (UTC)
    state: SlaState


@dataclass(frozen=True)
class DueSoon:
    id: str
    ref: str
    subject: str
    clock: str  # "acknowledgement" or "resolution"
    due_at: datetime

    @property
    def key(self) -> tuple[str, str]:
        """One notice per inquiry and clock: an acknowledgement notice does not silence the resolution one."""
        return (self.id, self.clock)


@dataclass(frozen=True)
class MonthKpis:
    period: Period
    data: KpiDataset
    checks: list[KpiCheck]


@dataclass(frozen=True)
class DashboardData:
    as_of: datetime
    today: TodayFigures
    series: list[DayPoint]
    at_risk: list[AtRiskItem]
    kpis: MonthKpis | None  # None when the role may not see KPIs
    due_soon: list[DueSoon]


def _count(ctx: ServiceContext, view: SavedView, now: datetime) -> int:
    return len(row_ids(ctx, TableQuery(view=view), now, ctx.settings.sla.at_risk_fraction))


_TODAY = f"""
SELECT
  coalesce(sum(logged_date = :today), 0) AS new,
  coalesce(sum({_OPEN}), 0) AS open,
  coalesce(sum(logged_date = :today AND acknowledged_at IS NOT NULL AND acknowledged_at <= ack_due_at), 0) AS ack_ok,
  coalesce(sum(logged_date = :today AND (acknowledged_at IS NOT NULL OR ack_due_at <= :now)), 0) AS ack_measured,
  coalesce(sum(status = 'Escalated'), 0) AS escalated
FROM inquiry WHERE deleted = 0 AND status <> 'Cancelled'
"""


def today_figures(ctx: ServiceContext) -> TodayFigures:
    now = ctx.now()
    today = ctx.calendar.local_date(now)
    t = ctx.session.execute(text(_TODAY), {"today": today.isoformat(), "now": _at(now)}).mappings().one()
    return TodayFigures(
        day=today, new=t["new"], open=t["open"], ack_within_target_pct=pct(t["ack_ok"], t["ack_measured"]),
        ack_measured=t["ack_measured"], at_risk=_count(ctx, SavedView.AT_RISK, now),
        breached=_count(ctx, SavedView.BREACHED, now), escalated=t["escalated"])


_LOGGED_BY_DAY = """
SELECT logged_date, count(*) FROM inquiry
WHERE deleted = 0 AND status <> 'Cancelled' AND logged_date BETWEEN :first AND :last GROUP BY logged_date
"""
_RESOLVED_BY_DAY = """
SELECT resolved_date, count(*), sum(resolved_at <= resolution_due_at) FROM inquiry
WHERE deleted = 0 AND status IN ('Resolved', 'Closed') AND resolved_date BETWEEN :first AND :last
GROUP BY resolved_date
"""


def daily_series(ctx: ServiceContext, days: int = 30) -> list[DayPoint]:
    """One point per local day, oldest first, ending today; days without inquiries are zeros."""
    if days < 1:
        raise ValueError("days must be at least 1")
    last = ctx.calendar.local_date(ctx.now())
    first = last - timedelta(days=days - 1)
    params = {"first": first.isoformat(), "last": last.isoformat()}
    logged = {str(d): n for d, n in ctx.session.execute(text(_LOGGED_BY_DAY), params)}
    resolved = {str(d): (n, on_time or 0) for d, n, on_time in ctx.session.execute(text(_RESOLVED_BY_DAY), params)}
    out = []
    for k in range(days):
        d = first + timedelta(days=k)
        n_resolved, on_time = resolved.get(d.isoformat(), (0, 0))
        out.append(DayPoint(d, logged.get(d.isoformat(), 0), n_resolved, pct(on_time, n_resolved)))
    return out


def at_risk_list(ctx: ServiceContext, limit: int = 20) -> list[AtRiskItem]:
    """Open inquiries at risk of missing their resolution time (not yet breached), the soonest due first."""
    ids = row_ids(ctx, TableQuery(view=SavedView.AT_RISK, sort="resolution_due_at", descending=False),
                  ctx.now(), ctx.settings.sla.at_risk_fraction)[:limit]
    rows = fetch_rows(ctx, ids)
    return [AtRiskItem(r.id, r.ref, r.subject, r.assignee, r.resolution_due_at, SlaState.AT_RISK)
            for r in (rows[i] for i in ids)]


def month_kpis(ctx: ServiceContext) -> MonthKpis:
    """The KPI dataset of the current local month so far, each KPI beside the office's target."""
    ctx.require(Permission.VIEW_KPI)
    today = ctx.calendar.local_date(ctx.now())
    period = Period.month(f"{today.year}-{today.month:02d}")
    data = kpi_dataset(ctx.session, period, ctx.now(), ctx.calendar)
    return MonthKpis(period, data, against_targets(data, ctx.settings.targets))


_DUE_SOON = f"""
SELECT id, coalesce(inquiry_ref, provisional_ref), subject, acknowledged_at, ack_due_at, resolution_due_at
FROM inquiry
WHERE deleted = 0 AND assigned_to_id = :staff AND {_OPEN}
  AND resolution_due_at >= :now AND (acknowledged_at IS NOT NULL OR ack_due_at >= :now)
  AND ((acknowledged_at IS NULL AND ack_due_at <= :until) OR resolution_due_at <= :until)
"""


def due_soon_for(ctx: ServiceContext, staff_id: str, within_minutes: int = 60) -> list[DueSoon]:
    """Clocks of open inquiries assigned to ``staff_id`` that fall due within the window and are not yet
    breached (the breached ones are on the dashboard already), the soonest first."""
    now = ctx.now()
    until = now + timedelta(minutes=within_minutes)
    rows = ctx.session.execute(text(_DUE_SOON), {"staff": staff_id, "now": _at(now), "until": _at(until)})
    out = []
    for rid, ref, subject, acked, ack_due, resolution_due in rows:
        if acked is None and _aware(ack_due) <= until:
            out.append(DueSoon(rid, ref, subject, "acknowledgement", _aware(ack_due)))
        if _aware(resolution_due) <= until:
            out.append(DueSoon(rid, ref, subject, "resolution", _aware(resolution_due)))
    return sorted(out, key=lambda d: (d.due_at, d.ref))


def load_dashboard(ctx: ServiceContext, staff_id: str, days: int = 30, at_risk_limit: int = 20) -> DashboardData:
    """Everything the dashboard shows, read in one unit of work so the figures agree with each other."""
    return DashboardData(
        as_of=ctx.now(), today=today_figures(ctx), series=daily_series(ctx, days),
        at_risk=at_risk_list(ctx, at_risk_limit),
        kpis=month_kpis(ctx) if can(ctx.actor.role, Permission.VIEW_KPI) else None,
        due_soon=due_soon_for(ctx, staff_id))
