"""Moderation figures of a period: the office's and each moderator's, against the seed targets.

Counted by the time of the decision in the office's time zone. Ratios are kept unrounded (fractions 0-1);
only what displays them rounds. A decision counts once: the one that stands on its ad (a decision kept aside
as a conflict, or undone, is not a decision of the office).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..core.moderation import DECIDE_AT_MOST, DECIDE_WITHIN, FINAL, AppealOutcome, AuditVerdict, DecisionKind
from ..core.moderation_kpi import ModerationFigures, ModeratorFigures, share
from ..core.periods import Period
from ..models import Ad, AdDecision, Appeal, ModerationAudit, StaffUser


def _timing(hours: list[float]) -> tuple[float | None, float | None, float | None]:
    if not hours:
        return None, None, None
    h12, h24 = DECIDE_WITHIN.total_seconds() / 3600, DECIDE_AT_MOST.total_seconds() / 3600
    return (statistics.median(hours), sum(h <= h12 for h in hours) / len(hours),
            sum(h <= h24 for h in hours) / len(hours))


def moderation_figures(session: Any, period: Period, tz: Any, now: datetime) -> ModerationFigures:
    start, end = period.instants(tz)
    out = ModerationFigures(period.label)
    out.ads_submitted = len(session.scalars(select(Ad.id).where(
        Ad.deleted.is_(False), Ad.submitted_at >= start, Ad.submitted_at < end)).all())
    rows = session.execute(select(AdDecision, Ad.submitted_at).join(Ad, Ad.id == AdDecision.ad_id).where(
        AdDecision.deleted.is_(False), AdDecision.decided_at >= start, AdDecision.decided_at < end)).all()
    names = {u.id: u.username for u in session.scalars(select(StaffUser))}
    standing = [(d, sub) for d, sub in rows if d.standing]
    out.conflicts = sum(1 for d, _ in rows if not d.standing and d.conflict_with_id)
    final = [(d, sub) for d, sub in standing if d.decision in FINAL]
    kinds = Counter(d.decision for d, _ in standing)
    out.approved, out.rejected = kinds[DecisionKind.APPROVE], kinds[DecisionKind.REJECT]
    out.changes_requested, out.removed = kinds[DecisionKind.REQUEST_CHANGES], kinds[DecisionKind.REMOVE]
    out.escalated = kinds[DecisionKind.ESCALATE]
    reviewed = {d.ad_id for d, _ in final if d.decision is not DecisionKind.REMOVE}
    out.ads_reviewed = len(reviewed)
    first = [(d, sub) for d, sub in final if d.decision is not DecisionKind.REMOVE]
    out.approval_rate = share(out.approved, len(first))
    out.rejection_rate = share(out.rejected, len(first))
    out.reasons = dict(Counter(r for d, _ in final for r in d.reasons or []).most_common())

    def hours(d: AdDecision, submitted: datetime) -> float:
        return max(0.0, (d.decided_at - submitted).total_seconds() / 3600)

    out.median_hours_to_decision, out.within_12h, out.within_24h = _timing([hours(d, s) for d, s in first])
    ids = [d.id for d, _ in final]
    appeals = session.scalars(select(Appeal).where(Appeal.deleted.is_(False), Appeal.decision_id.in_(ids))).all()
    audits = session.scalars(select(ModerationAudit).where(
        ModerationAudit.deleted.is_(False), ModerationAudit.decision_id.in_(ids),
        ModerationAudit.verdict.is_not(None))).all()
    out.appeals = len(appeals)
    out.overturned = sum(a.outcome is AppealOutcome.OVERTURNED for a in appeals)
    out.complaint_rate = share(out.appeals, len(final))
    out.audited = len(audits)
    out.audit_accuracy = share(sum(a.verdict is AuditVerdict.CORRECT for a in audits), len(audits))
    out.pending_at_end = len(session.scalars(select(Ad.id).where(
        Ad.deleted.is_(False), Ad.submitted_at < min(end, now), Ad.status.in_(("Pending", "Escalated")))).all())

    by_decision = {d.id: d for d, _ in final}
    per: dict[str, ModeratorFigures] = {}
    timing: dict[str, list[float]] = defaultdict(list)
    for d, submitted in final:
        who = names.get(d.moderator_id or "", "(unknown)")
        figures = per.setdefault(who, ModeratorFigures(who))
        figures.decisions += 1
        if d.decision is not DecisionKind.REMOVE:
            timing[who].append(hours(d, submitted))
    for a in appeals:
        who = names.get(by_decision[a.decision_id].moderator_id or "", "(unknown)")
        per[who].appeals += 1
        per[who].overturned += a.outcome is AppealOutcome.OVERTURNED
    correct: Counter[str] = Counter()
    for a in audits:
        who = names.get(by_decision[a.decision_id].moderator_id or "", "(unknown)")
        per[who].audited += 1
        correct[who] += a.verdict is AuditVerdict.CORRECT
    for who, figures in per.items():
        figures.median_hours_to_decision, figures.within_12h, figures.within_24h = _timing(timing[who])
        figures.audit_accuracy = share(correct[who], figures.audited)
        figures.complaint_rate = share(figures.appeals, figures.decisions)
    out.moderators = sorted(per.values(), key=lambda f: f.moderator)
    return out
