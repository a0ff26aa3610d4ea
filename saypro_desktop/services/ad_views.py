"""Read models of moderation for the screens: plain data, made on a worker thread, shown on the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..core.moderation import DECIDE_WITHIN, AuditVerdict
from ..models import Ad, AdDecision, ChangeLogEntry, StaffUser
from . import ads, moderation, moderation_audit
from .ad_scoring import current_policy
from .context import ServiceContext
from .links_and_files import blob_path


@dataclass(frozen=True)
class QueueRow:
    id: str
    display: str
    title: str
    category: str
    status: str
    submitted_at: datetime
    hours_waiting: float
    overdue: bool  # past 12 h since submission
    risk: int | None
    flags: tuple[str, ...]
    reports: int


def queue_rows(ctx: ServiceContext, flt: ads.QueueFilter) -> list[QueueRow]:
    now = ctx.now()
    rows = []
    for ad, score in ads.queue_scored(ctx, flt, now):
        waited = now - ad.submitted_at
        rows.append(QueueRow(ad.id, ad.display_id, ad.title, ad.category.value, ad.status.value, ad.submitted_at,
                             waited.total_seconds() / 3600, waited > DECIDE_WITHIN,
                             score.risk if score else None, tuple(h["rule"] for h in score.hits) if score else (),
                             ad.report_count))
    return rows


@dataclass(frozen=True)
class DecisionLine:
    at: datetime
    who: str
    decision: str
    reasons: tuple[str, ...]
    standing: bool
    message: str | None


@dataclass
class AdDetail:
    id: str
    display: str
    status: str
    title: str
    description: str
    category: str
    subcategory: str
    ad_type: str
    price: str
    location: str
    submitted_at: datetime
    images: list[tuple[str, Path | None]]  # (name, file on this desktop, None until it is fetched)
    risk: int | None
    rules_version: int | None
    hits: list[dict[str, Any]]
    decisions: list[DecisionLine]
    advertiser_id: str
    advertiser_name: str
    advertiser_ads: int
    strikes: int
    repeat_violator: bool
    sanction_now: str | None
    sanctions: list[str]
    advertiser_recent: list[tuple[str, str, str]]  # (ad, status, title) of their other ads, newest first
    can_undo: bool
    reasons: dict[str, str] = field(default_factory=dict)  # the policy's codes and labels


def _price(ad: Ad) -> str:
    return "no price" if ad.price_minor is None else f"{ad.currency} {ad.price_minor / 100:,.2f}"


def ad_detail(ctx: ServiceContext, ad_id: str) -> AdDetail:
    ad = ads.get_ad(ctx, ad_id)
    score = ads.score_of(ctx, ad)
    history = ads.advertiser_history(ctx, ad.advertiser_id)
    names = {u.id: u.display_name for u in ctx.session.scalars(select(StaffUser))}
    decisions = [DecisionLine(d.decided_at, names.get(d.moderator_id or "", "?"), d.decision.value,
                              tuple(d.reasons or ()), d.standing, d.message) for d in moderation.decisions_of(ctx, ad)]
    images = []
    root = ctx.attachments_dir
    for image in ad.images or []:
        path = blob_path(root, image["sha256"]) if root is not None else None
        images.append((str(image.get("filename") or "image"), path if path is not None and path.exists() else None))
    tz = ctx.calendar.tz

    def when(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%d/%m/%Y") if moment else ""

    sanction_now = None
    if history.sanctioned_now is not None:
        s = history.sanctioned_now
        sanction_now = s.kind.value + (f" until {when(s.ends_at)}" if s.ends_at else "")
    sanctions = [f"{when(s.issued_at)} {s.kind.value}" + (f" until {when(s.ends_at)}" if s.ends_at else "")
                 + f" ({', '.join(s.reasons)})" + (f"; lifted {when(s.lifted_at)}" if s.lifted_at else "")
                 for s in history.sanctions]
    return AdDetail(
        ad.id, ad.display_id, ad.status.value, ad.title, ad.description or "", ad.category.value,
        ad.subcategory or "", ad.ad_type.value, _price(ad), ad.location or "", ad.submitted_at, images,
        score.risk if score else None, score.rules_version if score else None, list(score.hits) if score else [],
        decisions, ad.advertiser_id, history.name, len(history.ads), history.strikes, history.repeat_violator,
        sanction_now, sanctions, [(a.display_id, a.status.value, a.title) for a in history.ads if a.id != ad.id][:20],
        _can_undo(ctx, ad), current_policy(ctx).reasons)


def _can_undo(ctx: ServiceContext, ad: Ad) -> bool:
    decision = ctx.session.get(AdDecision, ad.decision_id) if ad.decision_id else None
    if decision is None or decision.moderator_id != ctx.actor.id:
        return False
    return ctx.session.scalar(select(ChangeLogEntry.seq).where(
        ChangeLogEntry.table_name == "ad_decision", ChangeLogEntry.row_id == decision.id,
        ChangeLogEntry.op == "insert", ChangeLogEntry.state == "pending")) is not None


@dataclass(frozen=True)
class AppealRow:
    id: str
    ad_id: str
    ad: str
    kind: str
    text: str
    received_at: datetime
    decision: str
    moderator: str
    outcome: str


def appeal_rows(ctx: ServiceContext, open_only: bool = True) -> list[AppealRow]:
    names = {u.id: u.display_name for u in ctx.session.scalars(select(StaffUser))}
    out = []
    for a in moderation.appeals(ctx, open_only=open_only):
        ad = ctx.session.get(Ad, a.ad_id)
        d = ctx.session.get(AdDecision, a.decision_id)
        out.append(AppealRow(a.id, a.ad_id, ad.display_id if ad else "?", a.kind.value, a.text, a.received_at,
                             d.decision.value if d else "?", names.get(d.moderator_id or "", "?") if d else "?",
                             a.outcome.value if a.outcome else "open"))
    return out


@dataclass(frozen=True)
class AuditRow:
    audit_id: str
    ad_id: str
    ad: str
    decision: str
    reasons: tuple[str, ...]
    moderator: str
    own: bool  # the signed-in user made the decision: they may not mark it
    verdict: str | None
    note: str | None


def audit_rows(ctx: ServiceContext, week: str) -> tuple[str, list[AuditRow]]:
    names = {u.id: u.display_name for u in ctx.session.scalars(select(StaffUser))}
    rows = [AuditRow(a.id, ad.id, ad.display_id, d.decision.value, tuple(d.reasons or ()),
                     names.get(d.moderator_id or "", "?"), d.moderator_id == ctx.actor.id,
                     a.verdict.value if a.verdict else None, a.note)
            for a, d, ad in moderation_audit.sample(ctx, week)]
    return week, rows


def week_accuracy(rows: list[AuditRow]) -> float | None:
    marked = [r for r in rows if r.verdict]
    return None if not marked else sum(r.verdict == AuditVerdict.CORRECT.value for r in marked) / len(marked)
