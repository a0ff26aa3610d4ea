"""The weekly audit of moderation (seed 004): a random 10% (rounded up) of a week's decisions, drawn with a
recorded seed, each decision at most once ever, marked correct or wrong by someone other than its moderator."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..core.moderation import FINAL, AuditVerdict, audit_row_id, audit_sample_size
from ..core.permissions import Permission
from ..core.validation import FieldError, ValidationError
from ..models import Ad, AdDecision, ModerationAudit
from .context import NotFound, ServiceContext


def week_bounds(ctx: ServiceContext, week: str) -> tuple[datetime, datetime]:
    """The instants [start, end) of an ISO week ``YYYY-Www`` in the office's time zone."""
    try:
        year, _, number = week.strip().upper().partition("-W")
        monday = date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        raise ValidationError([FieldError("week", f"{week!r} is not a week; write it like 2026-W48")]) from None
    tz = ctx.calendar.tz
    start = datetime.combine(monday, time(0), tz)
    return start, datetime.combine(monday + timedelta(days=7), time(0), tz)


def previous_week(ctx: ServiceContext) -> str:
    year, number, _ = (ctx.calendar.local_date(ctx.now()) - timedelta(days=7)).isocalendar()
    return f"{year}-W{number:02d}"


def week_decisions(ctx: ServiceContext, week: str) -> list[AdDecision]:
    """The decisions of the week that end a review (not escalations), in a fixed order."""
    start, end = week_bounds(ctx, week)
    return list(ctx.session.scalars(select(AdDecision).where(
        AdDecision.deleted.is_(False), AdDecision.decided_at >= start, AdDecision.decided_at < end,
        AdDecision.decision.in_(FINAL)).order_by(AdDecision.id)))


def draw_sample(decision_ids: list[str], size: int, seed: str) -> list[str]:
    """The same ids, size and seed always give the same sample."""
    ordered = sorted(decision_ids)
    return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))))


@dataclass
class Draw:
    week: str
    seed: str
    decisions: int
    size: int
    drawn: list[ModerationAudit]
    already: int  # drawn before (by this desktop or another): kept, never drawn again


def draw(ctx: ServiceContext, week: str, seed: str | None = None) -> Draw:
    """Draw the week's sample. A week drawn before keeps its rows; a second draw adds only what the first could
    not see (decisions that arrived later), from the decisions not yet drawn."""
    ctx.require(Permission.AUDIT_MODERATION)
    week = week.strip().upper()
    decisions = week_decisions(ctx, week)
    size = audit_sample_size(len(decisions))
    existing = list(ctx.session.scalars(select(ModerationAudit).where(ModerationAudit.week == week,
                                                                      ModerationAudit.deleted.is_(False))))
    taken = {a.decision_id for a in ctx.session.scalars(select(ModerationAudit).where(
        ModerationAudit.decision_id.in_([d.id for d in decisions])))}
    seed = seed or (existing[0].seed if existing else secrets.token_hex(8))
    missing = size - len(existing)
    rows = []
    if missing > 0:
        candidates = [d.id for d in decisions if d.id not in taken]
        for decision_id in draw_sample(candidates, missing, seed):
            row = ModerationAudit(id=audit_row_id(decision_id), week=week, decision_id=decision_id, seed=seed,
                                  drawn_by_id=ctx.actor.id, drawn_at=ctx.now())
            ctx.session.add(row)
            rows.append(row)
    return Draw(week, seed, len(decisions), size, rows, len(existing))


def sample(ctx: ServiceContext, week: str) -> list[tuple[ModerationAudit, AdDecision, Ad]]:
    ctx.require(Permission.VIEW_ADS)
    q = (select(ModerationAudit, AdDecision, Ad).join(AdDecision, AdDecision.id == ModerationAudit.decision_id)
         .join(Ad, Ad.id == AdDecision.ad_id)
         .where(ModerationAudit.week == week.strip().upper(), ModerationAudit.deleted.is_(False))
         .order_by(AdDecision.decided_at, AdDecision.id))
    return [tuple(r) for r in ctx.session.execute(q)]  # type: ignore[misc]


def audit_of(ctx: ServiceContext, ad: Ad) -> ModerationAudit:
    """The audit row of the newest drawn decision on ``ad``."""
    row = ctx.session.scalars(select(ModerationAudit).join(AdDecision, AdDecision.id == ModerationAudit.decision_id)
                              .where(AdDecision.ad_id == ad.id, ModerationAudit.deleted.is_(False))
                              .order_by(ModerationAudit.drawn_at.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"no decision on ad {ad.display_id} is in an audit sample; draw the week first")
    return row


def mark(ctx: ServiceContext, audit: ModerationAudit, verdict: AuditVerdict, note: str | None = None) \
        -> ModerationAudit:
    ctx.require(Permission.AUDIT_MODERATION)
    decision = ctx.session.get(AdDecision, audit.decision_id)
    if decision is not None and decision.moderator_id == ctx.actor.id:
        raise ValidationError([FieldError("auditor", "a decision is audited by someone other than its moderator")])
    if verdict is AuditVerdict.WRONG and not (note and note.strip()):
        raise ValidationError([FieldError("note", "say what was wrong with the decision")])
    audit.auditor_id, audit.verdict, audit.marked_at = ctx.actor.id, verdict, ctx.now()
    audit.note = note.strip() if note and note.strip() else None
    return audit
