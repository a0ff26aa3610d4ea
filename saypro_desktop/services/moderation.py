"""Use cases of moderation: deciding ads (and undoing the last decision before it syncs), sanctions of
advertisers, appeals and complaints, and the office's moderation policy.

Decisions are append-only. Each names the decision it followed (the one standing when the moderator decided):
the server lets a decision that follows the standing one stand, and keeps one that meets another (two
moderators offline on one ad) as a conflict for a Supervisor instead of overwriting (saypro_server.moderation).
"""

from __future__ import annotations

import string
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..core.moderation import (
    FINAL,
    NEEDS_REASON,
    PLACEHOLDERS,
    STATUS_AFTER,
    AdStatus,
    AppealKind,
    AppealOutcome,
    DecisionKind,
    SanctionKind,
)
from ..core.moderation_rules import ruleset_from_json, ruleset_to_json
from ..core.permissions import Permission, can
from ..core.validation import FieldError, ValidationError
from ..models import Ad, AdDecision, AdReport, AdScore, Appeal, ChangeLogEntry, Inquiry, ModerationPolicy, Sanction
from .ad_scoring import current_policy, forget_policy
from .ads import OPEN, advertiser_history, needs_second_look, sanction_in_force
from .context import NotFound, ServiceContext


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError([FieldError(field, message)])


def _reasons(ctx: ServiceContext, codes: list[str]) -> tuple[list[str], dict[str, str]]:
    known = current_policy(ctx).reasons
    clean = list(dict.fromkeys(c.strip().lower() for c in codes if c.strip()))
    unknown = [c for c in clean if c not in known]
    if unknown:
        raise _bad("reasons", f"unknown reason {', '.join(unknown)}; choose from: {', '.join(known)}")
    return clean, known


def fill_template(template: str, values: dict[str, str]) -> str:
    return string.Formatter().vformat(template, (), {k: values.get(k, "") for k in PLACEHOLDERS})


def template_problems(template: str) -> list[str]:
    """Placeholders a message template may not use (it is refused when saved)."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        return [f"the braces do not pair up ({exc}); write {{title}} for a placeholder"]
    return [f"unknown placeholder {{{n}}}; use {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}"
            for n in sorted(names - PLACEHOLDERS)]


def _message(ctx: ServiceContext, key: str, ad: Ad | None, reasons: list[str], labels: dict[str, str],
             until: datetime | None = None) -> str | None:
    template = current_policy(ctx).templates.get(key, "")
    if not template:
        return None
    shown = "; ".join(labels.get(r, r) for r in reasons) or "see our posting rules"
    until_text = until.astimezone(ctx.calendar.tz).strftime("%d/%m/%Y %H:%M") if until else ""
    return fill_template(template, {"title": ad.title if ad else "", "reasons": shown,
                                    "ad_id": ad.external_id if ad else "", "until": until_text})


# -- decisions -----------------------------------------------------------------------------------------------------

def decide(ctx: ServiceContext, ad: Ad, kind: DecisionKind, reasons: list[str] | None = None, *,
           message: str | None = None, note: str | None = None) -> AdDecision:
    ctx.require(Permission.MODERATE_ADS)
    codes, labels = _reasons(ctx, reasons or [])
    if kind in NEEDS_REASON and not codes:
        raise _bad("reasons", f"a decision to {kind.value.lower()} needs at least one reason")
    if kind is DecisionKind.REMOVE:
        if ad.status in (AdStatus.REMOVED, AdStatus.SUPERSEDED):
            raise _bad("decision", f"ad {ad.display_id} is {ad.status.value.lower()} already")
    elif ad.status not in OPEN and not (kind is DecisionKind.APPROVE and needs_second_look(ctx, ad)):
        raise _bad("decision", f"ad {ad.display_id} is {ad.status.value.lower()}; only a removal can follow "
                               "(an appeal reviews a decision)")
    if ad.status is AdStatus.ESCALATED and kind is DecisionKind.ESCALATE:
        raise _bad("decision", f"ad {ad.display_id} is escalated already")
    if ad.status is AdStatus.ESCALATED:
        ctx.require(Permission.DECIDE_APPEALS)  # a senior moderator (Supervisor) decides escalated ads
    if kind is DecisionKind.APPROVE:
        s = sanction_in_force(ctx, ad.advertiser_id)
        if s is not None:
            raise _bad("decision", f"the advertiser is under a {s.kind.value.lower()}"
                                   + (f" until {s.ends_at:%d/%m/%Y}" if s.ends_at else "")
                                   + "; their ads cannot be approved")
    score = ctx.session.get(AdScore, ad.id)
    now = ctx.now()
    decision = AdDecision(
        ad_id=ad.id, moderator_id=ctx.actor.id, decided_at=now, decision=kind, reasons=codes,
        message=message.strip() if message and message.strip() else _message(ctx, kind.value, ad, codes, labels),
        note=note.strip() if note and note.strip() else None,
        rules_version=score.rules_version if score else None, risk=score.risk if score else None,
        flags=[h["rule"] for h in score.hits] if score else [], follows_id=ad.decision_id, standing=True)
    ctx.session.add(decision)
    ctx.session.flush()
    _stand(ad, decision)
    return decision


def _stand(ad: Ad, decision: AdDecision | None) -> None:
    """The ad's state as the decision standing on it says (the server sends its own judgement back)."""
    ad.decision_id = decision.id if decision else None
    ad.status = STATUS_AFTER[decision.decision] if decision else AdStatus.PENDING
    ad.decided_at = decision.decided_at if decision and decision.decision in FINAL else None
    ad.decided_by_id = decision.moderator_id if decision else None


def undo_last(ctx: ServiceContext, ad: Ad) -> AdDecision:
    """Take back one's own decision on ``ad`` while it has not reached the server (its insert is still
    waiting in the outbox); the ad goes back to the decision it followed."""
    ctx.require(Permission.MODERATE_ADS)
    decision = ctx.session.get(AdDecision, ad.decision_id) if ad.decision_id else None
    if decision is None or decision.deleted:
        raise _bad("decision", f"ad {ad.display_id} has no decision to undo")
    if decision.moderator_id != ctx.actor.id:
        raise _bad("decision", "only the moderator who made a decision can undo it")
    waiting = ctx.session.scalar(select(ChangeLogEntry.seq).where(
        ChangeLogEntry.table_name == "ad_decision", ChangeLogEntry.row_id == decision.id,
        ChangeLogEntry.op == "insert", ChangeLogEntry.state == "pending"))
    if waiting is None:
        raise _bad("decision", "the decision has reached the server already; an appeal or a Supervisor "
                               "can review it now")
    decision.deleted = True
    followed = ctx.session.get(AdDecision, decision.follows_id) if decision.follows_id else None
    _stand(ad, followed if followed is not None and not followed.deleted else None)
    return decision


def record_report(ctx: ServiceContext, ad: Ad, reason: str, text: str | None = None) -> AdReport:
    """A user's report of an ad that reached the office another way (phone, email): it joins the queue like
    the site's reports (an approved ad gets a second look)."""
    ctx.require(Permission.MODERATE_ADS)
    if not reason.strip():
        raise _bad("reason", "say what the user reported (e.g. scam, offensive, sold)")
    report = AdReport(ad_id=ad.id, reported_at=ctx.now(), reason=reason.strip()[:80], text=(text or "").strip() or None,
                      recorded_by_id=ctx.actor.id)
    ctx.session.add(report)
    ad.report_count = (ad.report_count or 0) + 1  # the server counts it too, and sends its own count
    ctx.session.flush()
    return report


def conflicts(ctx: ServiceContext) -> list[tuple[AdDecision, AdDecision | None]]:
    """Decisions that met another on the same ad and do not stand, not yet settled: (the one kept aside, the one
    that stands)."""
    ctx.require(Permission.VIEW_ADS)
    settled = select(AdDecision.settles_id).where(AdDecision.settles_id.is_not(None), AdDecision.deleted.is_(False))
    rows = ctx.session.scalars(select(AdDecision).where(
        AdDecision.standing.is_(False), AdDecision.conflict_with_id.is_not(None), AdDecision.deleted.is_(False),
        AdDecision.id.not_in(settled)).order_by(AdDecision.decided_at)).all()
    return [(d, ctx.session.get(AdDecision, d.conflict_with_id)) for d in rows]


def settle(ctx: ServiceContext, aside: AdDecision, kind: DecisionKind, reasons: list[str] | None = None,
           message: str | None = None) -> AdDecision:
    """A Supervisor's decision on an ad where two decisions met: it stands, and the conflict is settled."""
    ctx.require(Permission.DECIDE_APPEALS)
    ad = ctx.session.get(Ad, aside.ad_id)
    assert ad is not None
    codes, labels = _reasons(ctx, reasons or [])
    if kind in NEEDS_REASON and not codes:
        raise _bad("reasons", f"a decision to {kind.value.lower()} needs at least one reason")
    decision = AdDecision(ad_id=ad.id, moderator_id=ctx.actor.id, decided_at=ctx.now(), decision=kind,
                          reasons=codes, message=message or _message(ctx, kind.value, ad, codes, labels),
                          follows_id=ad.decision_id, settles_id=aside.id, standing=True, flags=[])
    ctx.session.add(decision)
    ctx.session.flush()
    _stand(ad, decision)
    return decision


def decisions_of(ctx: ServiceContext, ad: Ad) -> list[AdDecision]:
    return list(ctx.session.scalars(select(AdDecision).where(AdDecision.ad_id == ad.id, AdDecision.deleted.is_(False))
                                    .order_by(AdDecision.decided_at, AdDecision.id)))


# -- sanctions -----------------------------------------------------------------------------------------------------

def add_sanction(ctx: ServiceContext, advertiser_id: str, kind: SanctionKind, reasons: list[str], *,
                 until: datetime | None = None, message: str | None = None, ad: Ad | None = None) -> Sanction:
    ctx.require(Permission.MODERATE_ADS)
    codes, labels = _reasons(ctx, reasons)
    if not codes:
        raise _bad("reasons", "a sanction needs at least one reason")
    now = ctx.now()
    if kind is SanctionKind.SUSPENSION:
        if until is None:
            raise _bad("until", "a suspension needs the date it ends (--until YYYY-MM-DD)")
        if until <= now:
            raise _bad("until", "a suspension must end in the future")
    elif until is not None:
        raise _bad("until", f"a {kind.value.lower()} has no end date; use a suspension for that")
    history = advertiser_history(ctx, advertiser_id)  # NotFound for an advertiser nobody knows here
    sample = ad or (history.ads[0] if history.ads else None)
    sanction = Sanction(advertiser_id=advertiser_id, kind=kind, reasons=codes, issued_by_id=ctx.actor.id,
                        issued_at=now, ends_at=until, ad_id=ad.id if ad else None,
                        message=message or _message(ctx, kind.value, sample, codes, labels, until))
    ctx.session.add(sanction)
    ctx.session.flush()
    return sanction


def get_sanction(ctx: ServiceContext, sanction_id: str) -> Sanction:
    ctx.require(Permission.VIEW_ADS)
    found = ctx.session.scalars(select(Sanction).where(Sanction.id.startswith(sanction_id.strip().lower()),
                                                       Sanction.deleted.is_(False)).limit(2)).all()
    if len(found) != 1:
        raise NotFound(f"no single sanction {sanction_id!r}; 'saypro sanction list ADVERTISER' shows their ids")
    return found[0]


def lift_sanction(ctx: ServiceContext, sanction: Sanction, reason: str) -> Sanction:
    ctx.require(Permission.MODERATE_ADS)
    if sanction.lifted_at is not None:
        raise _bad("sanction", "this sanction was lifted already")
    if not reason.strip():
        raise _bad("reason", "say why the sanction is lifted")
    sanction.lifted_at, sanction.lifted_by_id, sanction.lift_reason = ctx.now(), ctx.actor.id, reason.strip()
    return sanction


# -- appeals -------------------------------------------------------------------------------------------------------

def add_appeal(ctx: ServiceContext, ad: Ad, text: str, *, kind: AppealKind = AppealKind.APPEAL,
               inquiry: Inquiry | None = None) -> Appeal:
    if not can(ctx.actor.role, Permission.CREATE_INQUIRY):  # agents record complaints that come in by inquiry
        ctx.require(Permission.MODERATE_ADS)
    if not text.strip():
        raise _bad("text", "say what the appeal or complaint is about")
    decision = ctx.session.get(AdDecision, ad.decision_id) if ad.decision_id else None
    if decision is None or decision.decision not in FINAL:
        raise _bad("ad", f"ad {ad.display_id} has no decision to appeal yet")
    appeal = Appeal(ad_id=ad.id, decision_id=decision.id, kind=kind, text=text.strip(), received_at=ctx.now(),
                    recorded_by_id=ctx.actor.id, inquiry_id=inquiry.id if inquiry else None)
    ctx.session.add(appeal)
    ctx.session.flush()
    return appeal


def get_appeal(ctx: ServiceContext, appeal_id: str) -> Appeal:
    ctx.require(Permission.VIEW_ADS)
    found = ctx.session.scalars(select(Appeal).where(Appeal.id.startswith(appeal_id.strip().lower()),
                                                     Appeal.deleted.is_(False)).limit(2)).all()
    if len(found) != 1:
        raise NotFound(f"no single appeal {appeal_id!r}; 'saypro appeal list' shows their ids")
    return found[0]


def decide_appeal(ctx: ServiceContext, appeal: Appeal, outcome: AppealOutcome, note: str | None = None) -> Appeal:
    """Upheld (the decision stands) or overturned (it was wrong: the ad is then decided again), by someone other
    than the moderator who made the decision."""
    ctx.require(Permission.DECIDE_APPEALS)
    if appeal.outcome is not None:
        raise _bad("appeal", f"this appeal was decided already ({appeal.outcome.value.lower()})")
    decision = ctx.session.get(AdDecision, appeal.decision_id)
    if decision is not None and decision.moderator_id == ctx.actor.id:
        raise _bad("appeal", "an appeal is decided by someone other than the moderator who made the decision")
    appeal.outcome, appeal.decided_by_id, appeal.decided_at = outcome, ctx.actor.id, ctx.now()
    appeal.outcome_note = note.strip() if note and note.strip() else None
    return appeal


def appeals(ctx: ServiceContext, *, open_only: bool = True) -> list[Appeal]:
    ctx.require(Permission.VIEW_ADS)
    q = select(Appeal).where(Appeal.deleted.is_(False))
    if open_only:
        q = q.where(Appeal.outcome.is_(None))
    return list(ctx.session.scalars(q.order_by(Appeal.received_at)))


# -- the policy ----------------------------------------------------------------------------------------------------

def save_policy(ctx: ServiceContext, *, rules: dict[str, Any] | None = None, reasons: dict[str, str] | None = None,
                templates: dict[str, str] | None = None, note: str | None = None) -> ModerationPolicy:
    """A new version of the policy: what is not given stays as in force."""
    ctx.require(Permission.MANAGE_MODERATION)
    now_in_force = current_policy(ctx)
    rules = rules if rules is not None else ruleset_to_json(now_in_force.ruleset)
    reasons = reasons if reasons is not None else now_in_force.reasons
    templates = templates if templates is not None else now_in_force.templates
    errors: list[FieldError] = []
    try:
        ruleset_from_json(rules)
    except ValueError as exc:
        errors.append(FieldError("rules", str(exc)))
    if not reasons or not all(isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip()
                              for k, v in reasons.items()):
        errors.append(FieldError("reasons", "each reason needs a code and a label"))
    for key, text in templates.items():
        errors += [FieldError(f"templates.{key}", p) for p in template_problems(str(text))]
    if errors:
        raise ValidationError(errors)
    rules = dict(rules)
    rules["version"] = now_in_force.version + 1
    policy = ModerationPolicy(version=now_in_force.version + 1, rules=rules, reasons=dict(reasons),
                              templates=dict(templates), edited_by_id=ctx.actor.id, edited_at=ctx.now(),
                              note=note)
    ctx.session.add(policy)
    forget_policy(ctx.session)
    return policy
