"""``saypro ads ...``, ``saypro sanction ...``, ``saypro appeal ...`` and ``saypro moderation ...``."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.moderation import AppealKind, AppealOutcome, AuditVerdict, DecisionKind, SanctionKind
from .commands_sync import cmd_claim_ads
from .common import local, work

if TYPE_CHECKING:
    from ..services.context import ServiceContext

_DECISIONS = {"approve": DecisionKind.APPROVE, "reject": DecisionKind.REJECT,
              "changes": DecisionKind.REQUEST_CHANGES, "escalate": DecisionKind.ESCALATE,
              "remove": DecisionKind.REMOVE}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    ad = sub.add_parser("ads", parents=[common], help="the ad review queue and decisions")
    asub = ad.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = asub.add_parser("queue", parents=[common], help="ads waiting for a decision, most urgent first")
    q.add_argument("--limit", type=int, default=50)
    q.add_argument("--category")
    q.add_argument("--min-risk", type=int)
    q.add_argument("--reported", action="store_true", help="only ads users reported")
    q.add_argument("--mine", action="store_true", help="only the ads you claimed")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=cmd_queue)
    show = asub.add_parser("show", parents=[common], help="an ad with its flags, decisions and advertiser")
    show.add_argument("ad", help="the site's ad id (newest version), 'ID v2', or the row id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)
    dec = asub.add_parser("decide", parents=[common], help="approve, reject, ask for changes, escalate or remove")
    dec.add_argument("ad")
    dec.add_argument("decision", choices=sorted(_DECISIONS))
    dec.add_argument("--reason", default="", help="reason code(s), comma-separated (saypro moderation reasons)")
    dec.add_argument("--message", help="the message to the advertiser (default: the policy's template)")
    dec.add_argument("--note", help="an internal note")
    dec.set_defaults(handler=cmd_decide)
    undo = asub.add_parser("undo", parents=[common], help="take back your decision on an ad before it syncs")
    undo.add_argument("ad")
    undo.set_defaults(handler=cmd_undo)
    rep = asub.add_parser("report", parents=[common], help="record a user's report of an ad (phone, email)")
    rep.add_argument("ad")
    rep.add_argument("--reason", required=True, help="what the user reported, e.g. scam, offensive, sold")
    rep.add_argument("--text")
    rep.set_defaults(handler=cmd_report)
    hist = asub.add_parser("advertiser", parents=[common], help="an advertiser's ads, decisions and sanctions")
    hist.add_argument("advertiser_id")
    hist.set_defaults(handler=cmd_advertiser)
    exp = asub.add_parser("expiring", parents=[common], help="approved ads past their expiry, or expiring soon")
    exp.add_argument("--days", type=int, default=3)
    exp.set_defaults(handler=cmd_expiring)
    claim = asub.add_parser("claim", parents=[common], help="reserve a batch of ads on the server (online)")
    claim.add_argument("--count", type=int, default=20)
    claim.add_argument("--insecure", action="store_true", help="allow plain HTTP to a non-local server")
    claim.set_defaults(handler=cmd_claim_ads)
    conf = asub.add_parser("conflicts", parents=[common], help="decisions that met another on the same ad")
    conf.set_defaults(handler=cmd_conflicts)
    settle = asub.add_parser("settle", parents=[common], help="a Supervisor's decision ending a conflict")
    settle.add_argument("decision_id", help="the id (or its start) of the decision kept aside")
    settle.add_argument("decision", choices=sorted(_DECISIONS))
    settle.add_argument("--reason", default="")
    settle.set_defaults(handler=cmd_settle)

    san = sub.add_parser("sanction", parents=[common], help="warnings, suspensions and bans of advertisers")
    ssub = san.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = ssub.add_parser("add", parents=[common], help="warn, suspend (--until) or ban an advertiser")
    add.add_argument("advertiser_id")
    add.add_argument("kind", choices=["warning", "suspend", "ban"])
    add.add_argument("--until", help="a suspension's last day, YYYY-MM-DD (it ends at midnight after it)")
    add.add_argument("--reason", required=True, help="reason code(s), comma-separated")
    add.add_argument("--message")
    add.add_argument("--ad", help="the ad that led to it")
    add.set_defaults(handler=cmd_sanction_add)
    lift = ssub.add_parser("lift", parents=[common], help="lift a sanction")
    lift.add_argument("id")
    lift.add_argument("--reason", required=True)
    lift.set_defaults(handler=cmd_sanction_lift)
    sl = ssub.add_parser("list", parents=[common], help="an advertiser's sanctions")
    sl.add_argument("advertiser_id")
    sl.set_defaults(handler=cmd_advertiser)

    app = sub.add_parser("appeal", parents=[common], help="appeals and complaints against decisions")
    psub = app.add_subparsers(dest="action", metavar="ACTION", required=True)
    padd = psub.add_parser("add", parents=[common], help="record an appeal or complaint against an ad's decision")
    padd.add_argument("ad")
    padd.add_argument("--text", required=True)
    padd.add_argument("--complaint", action="store_true", help="a complaint (default: the advertiser's appeal)")
    padd.set_defaults(handler=cmd_appeal_add)
    pdec = psub.add_parser("decide", parents=[common], help="uphold or overturn (not by the decision's moderator)")
    pdec.add_argument("id")
    pdec.add_argument("outcome", choices=["upheld", "overturned"])
    pdec.add_argument("--note")
    pdec.set_defaults(handler=cmd_appeal_decide)
    plist = psub.add_parser("list", parents=[common], help="appeals waiting for an outcome")
    plist.add_argument("--all", action="store_true")
    plist.set_defaults(handler=cmd_appeal_list)

    mod = sub.add_parser("moderation", parents=[common], help="the weekly audit, reasons and the policy")
    msub = mod.add_subparsers(dest="area", metavar="AREA", required=True)
    audit = msub.add_parser("audit", parents=[common], help="the weekly audit of 10% of decisions")
    ausub = audit.add_subparsers(dest="action", metavar="ACTION", required=True)
    draw = ausub.add_parser("draw", parents=[common], help="draw a week's sample (default: last week)")
    draw.add_argument("--week", help="YYYY-Www")
    draw.add_argument("--seed", help="repeat a draw with its recorded seed")
    draw.set_defaults(handler=cmd_audit_draw)
    mark = ausub.add_parser("mark", parents=[common], help="mark an audited decision correct or wrong")
    mark.add_argument("ad")
    mark.add_argument("verdict", choices=["correct", "wrong"])
    mark.add_argument("--note")
    mark.set_defaults(handler=cmd_audit_mark)
    ashow = ausub.add_parser("show", parents=[common], help="a week's sample and verdicts")
    ashow.add_argument("--week", help="YYYY-Www")
    ashow.set_defaults(handler=cmd_audit_show)
    reasons = msub.add_parser("reasons", parents=[common], help="the reason codes of the policy in force")
    reasons.set_defaults(handler=cmd_reasons)
    policy = msub.add_parser("policy", parents=[common], help="show the policy in force, or set a new version")
    policy.add_argument("--set", type=Path, metavar="FILE.json",
                        help="a JSON file with any of rules, reasons, templates (the rest stays)")
    policy.add_argument("--note")
    policy.set_defaults(handler=cmd_policy)


def _codes(text: str) -> list[str]:
    return [c for c in (text or "").split(",") if c.strip()]


def _ad_line(ctx: ServiceContext, ad: Any, risk: int | None) -> str:
    age = ctx.now() - ad.submitted_at
    hours = age.total_seconds() / 3600
    flag = "!" if hours > 12 else " "
    return (f"{flag} {ad.display_id:<18} {hours:6.1f} h  risk {risk if risk is not None else '-':>3}  "
            f"{ad.category.value:<13} {ad.title[:48]}")


def cmd_queue(args: argparse.Namespace) -> int:
    from ..services import ad_scoring, ads

    with work(args) as ctx:
        ad_scoring.score_missing(ctx)
        items = ads.queue(ctx, ads.QueueFilter(category=args.category, min_risk=args.min_risk,
                                               reported_only=args.reported, mine_only=args.mine,
                                               limit=args.limit))
        scores = {a.id: ads.score_of(ctx, a) for a in items}
        if args.json:
            print(json.dumps([{"ad": a.external_id, "version": a.version, "id": a.id, "title": a.title,
                               "category": a.category.value, "status": a.status.value,
                               "submitted_at": a.submitted_at.isoformat(),
                               "risk": scores[a.id].risk if scores[a.id] else None,
                               "flags": [h["rule"] for h in scores[a.id].hits] if scores[a.id] else [],
                               "reports": a.report_count} for a in items], indent=2, ensure_ascii=False))
            return 0
        print(f"{len(items)} ad(s) waiting (! = past 12 h since submission)")
        for a in items:
            print(_ad_line(ctx, a, scores[a.id].risk if scores[a.id] else None))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from ..services import ad_scoring, ads, moderation

    with work(args) as ctx:
        ad_scoring.score_missing(ctx)
        ad = ads.get_ad(ctx, args.ad)
        score = ads.score_of(ctx, ad)
        history = ads.advertiser_history(ctx, ad.advertiser_id)
        decisions = moderation.decisions_of(ctx, ad)
        if args.json:
            print(json.dumps({
                "ad": ad.external_id, "version": ad.version, "id": ad.id, "status": ad.status.value,
                "title": ad.title, "description": ad.description, "category": ad.category.value,
                "price_minor": ad.price_minor, "currency": ad.currency, "advertiser_id": ad.advertiser_id,
                "submitted_at": ad.submitted_at.isoformat(), "images": ad.images,
                "risk": score.risk if score else None, "hits": score.hits if score else [],
                "decisions": [{"id": d.id, "decision": d.decision.value, "reasons": d.reasons,
                               "standing": d.standing, "decided_at": d.decided_at.isoformat()} for d in decisions],
                "advertiser": {"strikes": history.strikes, "repeat_violator": history.repeat_violator,
                               "ads": len(history.ads), "sanctions": len(history.sanctions)},
            }, indent=2, ensure_ascii=False))
            return 0
        print(f"Ad {ad.display_id} ({ad.status.value}); submitted {local(ctx, ad.submitted_at)}")
        print(f"  {ad.title}\n  {ad.category.value} / {ad.subcategory or '-'}; {ad.ad_type.value}; "
              f"{_price(ad)}; {ad.location or ''}")
        for line in (ad.description or "").splitlines()[:12]:
            print(f"    {line}")
        print(f"  images: {len(ad.images or [])}")
        if score:
            print(f"  risk {score.risk} (policy v{score.rules_version})")
            for h in score.hits:
                print(f"    - {h['rule']} (+{h['weight']}): {h['why']}")
        print(f"  advertiser {ad.advertiser_id} ({history.name}): {len(history.ads)} ad(s), "
              f"{history.strikes} strike(s){'; REPEAT VIOLATOR' if history.repeat_violator else ''}")
        for d in decisions:
            mark = "" if d.standing else "  (kept aside: met another decision)"
            print(f"  {local(ctx, d.decided_at)} {d.decision.value} {','.join(d.reasons)}{mark}")
    return 0


def _price(ad: Any) -> str:
    return "no price" if ad.price_minor is None else f"{ad.currency} {ad.price_minor / 100:,.2f}"


def cmd_decide(args: argparse.Namespace) -> int:
    from ..services import ads, moderation

    with work(args) as ctx:
        ad = ads.get_ad(ctx, args.ad)
        d = moderation.decide(ctx, ad, _DECISIONS[args.decision], _codes(args.reason), message=args.message,
                              note=args.note)
        print(f"{ad.display_id}: {d.decision.value}" + (f" ({', '.join(d.reasons)})" if d.reasons else ""))
        if d.message:
            print(f"  message to the advertiser: {d.message}")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    from ..services import ads, moderation

    with work(args) as ctx:
        ad = ads.get_ad(ctx, args.ad)
        d = moderation.undo_last(ctx, ad)
        print(f"{ad.display_id}: {d.decision.value} taken back; the ad is {ad.status.value.lower()} again")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..services import ads, moderation

    with work(args) as ctx:
        ad = ads.get_ad(ctx, args.ad)
        moderation.record_report(ctx, ad, args.reason, args.text)
        print(f"{ad.display_id}: report recorded ({ad.report_count} in all)")
    return 0


def cmd_advertiser(args: argparse.Namespace) -> int:
    from ..services import ads

    with work(args) as ctx:
        h = ads.advertiser_history(ctx, args.advertiser_id)
        print(f"Advertiser {h.advertiser_id} ({h.name}): {len(h.ads)} ad(s), {h.strikes} strike(s)"
              + ("; REPEAT VIOLATOR" if h.repeat_violator else ""))
        if h.sanctioned_now:
            print(f"  in force: {h.sanctioned_now.kind.value}"
                  + (f" until {local(ctx, h.sanctioned_now.ends_at)}" if h.sanctioned_now.ends_at else ""))
        for s in h.sanctions:
            lifted = f"; lifted {local(ctx, s.lifted_at)}: {s.lift_reason}" if s.lifted_at else ""
            until = f" until {local(ctx, s.ends_at)}" if s.ends_at else ""
            print(f"  sanction {s.id[:13]} {local(ctx, s.issued_at)} {s.kind.value}{until} "
                  f"({', '.join(s.reasons)}){lifted}")
        for a in h.ads[:50]:
            print(f"  ad {a.display_id:<18} {a.status.value:<17} {a.title[:50]}")
    return 0


def cmd_expiring(args: argparse.Namespace) -> int:
    from ..services import ads

    with work(args) as ctx:
        past, soon = ads.expiring(ctx, timedelta(days=args.days))
        print(f"{len(past)} approved ad(s) past their expiry (remove them: saypro ads decide AD remove "
              "--reason expired)")
        for a in past:
            print(f"  {a.display_id:<18} expired {local(ctx, a.expires_at)}  {a.title[:50]}")
        print(f"{len(soon)} ad(s) expiring within {args.days} day(s): the site sends their renewal reminders")
        for a in soon:
            print(f"  {a.display_id:<18} expires {local(ctx, a.expires_at)}  {a.title[:50]}")
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from ..services import ads, moderation

    with work(args) as ctx:
        found = moderation.conflicts(ctx)
        print(f"{len(found)} decision(s) met another on the same ad")
        for aside, stands in found:
            ad = ads.get_ad(ctx, aside.ad_id)
            print(f"  {aside.id[:13]} ad {ad.display_id}: {aside.decision.value} (kept aside) vs "
                  f"{stands.decision.value if stands else '-'} (stands)")
    return 0


def cmd_settle(args: argparse.Namespace) -> int:
    from ..core.validation import FieldError, ValidationError
    from ..services import moderation

    with work(args) as ctx:
        matches = [a for a, _ in moderation.conflicts(ctx) if a.id.startswith(args.decision_id.lower())]
        if len(matches) != 1:
            raise ValidationError([FieldError("decision_id", "give the id of one decision from "
                                                             "'saypro ads conflicts'")])
        d = moderation.settle(ctx, matches[0], _DECISIONS[args.decision], _codes(args.reason))
        print(f"settled: {d.decision.value} stands")
    return 0


def _until(ctx: ServiceContext, text: str | None) -> datetime | None:
    from ..core.validation import FieldError, ValidationError

    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError([FieldError("until", f"{text!r} is not a date; write YYYY-MM-DD")]) from None
    return datetime.combine(day + timedelta(days=1), time(0), ctx.calendar.tz)


def cmd_sanction_add(args: argparse.Namespace) -> int:
    from ..services import ads, moderation

    kind = {"warning": SanctionKind.WARNING, "suspend": SanctionKind.SUSPENSION, "ban": SanctionKind.BAN}[args.kind]
    with work(args) as ctx:
        ad = ads.get_ad(ctx, args.ad) if args.ad else None
        s = moderation.add_sanction(ctx, args.advertiser_id, kind, _codes(args.reason), until=_until(ctx, args.until),
                                    message=args.message, ad=ad)
        print(f"sanction {s.id[:13]}: {s.kind.value} of {s.advertiser_id}"
              + (f" until {local(ctx, s.ends_at)}" if s.ends_at else ""))
    return 0


def cmd_sanction_lift(args: argparse.Namespace) -> int:
    from ..services import moderation

    with work(args) as ctx:
        s = moderation.lift_sanction(ctx, moderation.get_sanction(ctx, args.id), args.reason)
        print(f"sanction {s.id[:13]} ({s.kind.value} of {s.advertiser_id}) lifted")
    return 0


def cmd_appeal_add(args: argparse.Namespace) -> int:
    from ..services import ads, moderation

    with work(args) as ctx:
        ad = ads.get_ad(ctx, args.ad)
        a = moderation.add_appeal(ctx, ad, args.text,
                                  kind=AppealKind.COMPLAINT if args.complaint else AppealKind.APPEAL)
        print(f"{a.kind.value.lower()} {a.id[:13]} recorded against the decision on {ad.display_id}")
    return 0


def cmd_appeal_decide(args: argparse.Namespace) -> int:
    from ..services import moderation

    outcome = AppealOutcome.UPHELD if args.outcome == "upheld" else AppealOutcome.OVERTURNED
    with work(args) as ctx:
        a = moderation.decide_appeal(ctx, moderation.get_appeal(ctx, args.id), outcome, args.note)
        print(f"appeal {a.id[:13]}: {a.outcome.value.lower()}")
        if outcome is AppealOutcome.OVERTURNED:
            print("  decide the ad again: saypro ads decide AD approve|reject|changes|remove")
    return 0


def cmd_appeal_list(args: argparse.Namespace) -> int:
    from ..services import ads, moderation

    with work(args) as ctx:
        found = moderation.appeals(ctx, open_only=not args.all)
        print(f"{len(found)} appeal(s)")
        for a in found:
            ad = ads.get_ad(ctx, a.ad_id)
            print(f"  {a.id[:13]} {local(ctx, a.received_at)} {a.kind.value:<9} ad {ad.display_id:<18} "
                  f"{a.outcome.value if a.outcome else 'open'}: {a.text[:50]}")
    return 0


def cmd_audit_draw(args: argparse.Namespace) -> int:
    from ..services import moderation_audit

    with work(args) as ctx:
        week = args.week or moderation_audit.previous_week(ctx)
        d = moderation_audit.draw(ctx, week, args.seed)
        print(f"week {d.week}: {d.decisions} decision(s), sample of {d.size} (10%, rounded up); "
              f"{len(d.drawn)} drawn now, {d.already} drawn before; seed {d.seed}")
    return 0


def cmd_audit_mark(args: argparse.Namespace) -> int:
    from ..services import ads, moderation_audit

    verdict = AuditVerdict.CORRECT if args.verdict == "correct" else AuditVerdict.WRONG
    with work(args) as ctx:
        ad = ads.get_ad(ctx, args.ad)
        row = moderation_audit.mark(ctx, moderation_audit.audit_of(ctx, ad), verdict, args.note)
        print(f"{ad.display_id} ({row.week}): {row.verdict.value.lower()}")
    return 0


def cmd_audit_show(args: argparse.Namespace) -> int:
    from ..services import moderation_audit

    with work(args) as ctx:
        week = args.week or moderation_audit.previous_week(ctx)
        rows = moderation_audit.sample(ctx, week)
        marked = [a for a, _, _ in rows if a.verdict is not None]
        correct = sum(a.verdict is AuditVerdict.CORRECT for a in marked)
        accuracy = f"{100 * correct / len(marked):.1f}%" if marked else "no verdicts yet"
        print(f"week {week}: {len(rows)} audited decision(s), {len(marked)} marked, accuracy {accuracy}")
        for a, d, ad in rows:
            print(f"  {ad.display_id:<18} {d.decision.value:<16} {a.verdict.value if a.verdict else 'to mark':<8} "
                  f"{a.note or ''}")
    return 0


def cmd_reasons(args: argparse.Namespace) -> int:
    from ..services import ad_scoring

    with work(args) as ctx:
        policy = ad_scoring.current_policy(ctx)
        print(f"reasons of policy v{policy.version}:")
        for code, label in policy.reasons.items():
            print(f"  {code:<18} {label}")
    return 0


def cmd_policy(args: argparse.Namespace) -> int:
    from ..core.moderation_rules import ruleset_to_json
    from ..core.validation import FieldError, ValidationError
    from ..services import ad_scoring, moderation

    with work(args) as ctx:
        if args.set:
            try:
                data = json.loads(args.set.read_text(encoding="utf-8-sig"))
            except json.JSONDecodeError as exc:
                raise ValidationError([FieldError(str(args.set), f"not valid JSON: {exc.msg} (line {exc.lineno})")]) \
                    from None
            if not isinstance(data, dict) or set(data) - {"rules", "reasons", "templates"}:
                raise ValidationError([FieldError(str(args.set), "a JSON object with rules, reasons and/or "
                                                                 "templates expected")])
            p = moderation.save_policy(ctx, rules=data.get("rules"), reasons=data.get("reasons"),
                                       templates=data.get("templates"), note=args.note)
            print(f"moderation policy v{p.version} saved; ads are scored again with it")
            return 0
        policy = ad_scoring.current_policy(ctx)
        print(json.dumps({"version": policy.version, "rules": ruleset_to_json(policy.ruleset),
                          "reasons": policy.reasons, "templates": policy.templates}, indent=2, ensure_ascii=False))
    return 0
