"""``saypro inquiry ...`` and ``saypro kpi``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.vocab import ActionKind, Category, Mode, Status, UserType
from .common import local, work

if TYPE_CHECKING:
    from ..core.activity import PeriodActivity
    from ..core.moderation_kpi import ModerationFigures
    from ..services.context import ServiceContext


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    inq = sub.add_parser("inquiry", parents=[common], help="log and work inquiries")
    isub = inq.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = isub.add_parser("add", parents=[common], help="log a new inquiry; prints its ID")
    add.add_argument("--subject", required=True)
    add.add_argument("--category", required=True, help=" | ".join(c.value for c in Category))
    add.add_argument("--other", dest="category_other", help="what 'Other' means for this inquiry")
    add.add_argument("--mode", required=True, help=" | ".join(m.value for m in Mode))
    add.add_argument("--user-type", required=True, help=" | ".join(u.value for u in UserType))
    add.add_argument("--name", required=True, help="the user's full name")
    add.add_argument("--email")
    add.add_argument("--phone")
    add.add_argument("--user-id", help="the user's account ID on the platform")
    add.add_argument("--location", help="city/country")
    add.add_argument("--description", default="")
    add.add_argument("--classified-category")
    add.add_argument("--priority", help="override the suggested priority (Critical, High, Normal, Low)")
    add.set_defaults(handler=cmd_add)

    show = isub.add_parser("show", parents=[common], help="show one inquiry with its history")
    show.add_argument("id")
    show.set_defaults(handler=cmd_show)

    lst = isub.add_parser("list", parents=[common], help="list inquiries, newest first")
    lst.add_argument("--status", help=" | ".join(s.value for s in Status))
    lst.add_argument("--month", help="YYYY-MM")
    lst.add_argument("--limit", type=int, default=50)
    lst.set_defaults(handler=cmd_list)

    search = isub.add_parser("search", parents=[common], help="full-text search")
    search.add_argument("text")
    search.add_argument("--limit", type=int, default=20)
    search.set_defaults(handler=cmd_search)

    st = isub.add_parser("set-status", parents=[common], help="move an inquiry along its workflow")
    st.add_argument("id")
    st.add_argument("status", help=" | ".join(s.value for s in Status))
    st.add_argument("--note", help="a note for the action-steps timeline")
    st.add_argument("--resolution", help="the solution given to the user (to resolve)")
    st.add_argument("--confirmation", help="user confirmation: Yes | No | N/A")
    st.add_argument("--tier", help="escalation tier: Tier 2 | Tier 3 | Tier 4")
    st.add_argument("--reason", help="why it is escalated; to cancel: spam | duplicate | test | other")
    st.add_argument("--allow-subjective", action="store_true",
                    help="save a resolution even though it was flagged as subjective")
    st.add_argument("--handled-by", metavar="USER",
                    help="who handled it (needed to resolve or close an unassigned inquiry; becomes the assignee)")
    st.set_defaults(handler=cmd_set_status)

    cancel = isub.add_parser("cancel", parents=[common],
                             help="set an open inquiry aside as spam, a duplicate or a test (left out of the KPIs)")
    cancel.add_argument("id")
    cancel.add_argument("--reason", required=True, help="spam | duplicate | test | other")
    cancel.add_argument("--duplicate-of", metavar="ID", help="the inquiry kept (required for a duplicate)")
    cancel.add_argument("--note", help="a note for the action-steps timeline")
    cancel.set_defaults(handler=cmd_cancel)

    note = isub.add_parser("note", parents=[common], help="add an action step")
    note.add_argument("id")
    note.add_argument("text")
    note.add_argument("--contact", action="store_true", help="the step was a contact with the user")
    note.set_defaults(handler=cmd_note)

    ack = isub.add_parser("ack", parents=[common], help="record the acknowledgement to the user")
    ack.add_argument("id")
    ack.set_defaults(handler=cmd_ack)

    assign = isub.add_parser("assign", parents=[common], help="assign to a staff user ('-' to unassign)")
    assign.add_argument("id")
    assign.add_argument("user")
    assign.set_defaults(handler=cmd_assign)

    fb = isub.add_parser("feedback", parents=[common], help="record the user's rating (1-5)")
    fb.add_argument("id")
    fb.add_argument("rating", type=int)
    fb.add_argument("--comment")
    fb.set_defaults(handler=cmd_feedback)

    link = isub.add_parser("link", parents=[common], help="link two related inquiries")
    link.add_argument("id")
    link.add_argument("other")
    link.set_defaults(handler=cmd_link)

    attach = isub.add_parser("attach", parents=[common], help="attach a file")
    attach.add_argument("id")
    attach.add_argument("file", type=Path)
    attach.set_defaults(handler=cmd_attach)

    esc = isub.add_parser("escalate-overdue", parents=[common],
                          help="escalate inquiries unresolved past their due time (the app also does it "
                               "every 5 minutes)")
    esc.set_defaults(handler=cmd_escalate_overdue)

    kpi = sub.add_parser("kpi", parents=[common], help="KPIs of a day, week, month or quarter against targets")
    period = kpi.add_mutually_exclusive_group(required=True)
    period.add_argument("--day", help="YYYY-MM-DD (the office's calendar day)")
    period.add_argument("--week", help="YYYY-Www (ISO week, Monday to Sunday)")
    period.add_argument("--month", help="YYYY-MM")
    period.add_argument("--quarter", help="YYYYQn")
    kpi.add_argument("--json", action="store_true", help="print the whole KPI dataset as JSON")
    kpi.set_defaults(handler=cmd_kpi)


def cmd_add(args: argparse.Namespace) -> int:
    from ..core.validation import InquiryDraft
    from ..services import inquiries as svc

    with work(args) as ctx:
        draft = InquiryDraft(subject=args.subject, category=args.category, category_other=args.category_other,
                             mode=args.mode, user_type=args.user_type, user_full_name=args.name,
                             user_email=args.email, user_phone=args.phone, user_account_id=args.user_id,
                             user_location=args.location, description=args.description,
                             classified_category=args.classified_category, priority=args.priority)
        inquiry = svc.create_inquiry(ctx, draft)
        print(inquiry.display_id)
    return 0


def _tick(options: list[str], chosen: str | None) -> str:
    return "  ".join(f"[{'x' if o == chosen else ' '}] {o}" for o in options)


def cmd_show(args: argparse.Namespace) -> int:
    from ..services import inquiries as svc
    from ..services.inquiry_queries import history, linked_inquiries
    from ..services.sla_watch import sla_view
    from ..services.withholding import withhold_changes, withhold_values

    with work(args) as ctx:
        i = svc.get_inquiry(ctx, args.id)
        view = sla_view(i, ctx.now(), ctx.settings, ctx.calendar)
        role = ctx.actor.role  # the inquirer's details as this role may see them
        who = withhold_values(role, "inquiry", {n: getattr(i, n) or "" for n in (
            "user_full_name", "user_email", "user_phone", "user_account_id", "user_location")})
        val = lambda e: e.value if e else None  # noqa: E731
        lines = [
            f"Inquiry {i.display_id}" + (f"  (provisional reference {i.provisional_ref})"
                                         if i.provisional_ref and i.inquiry_ref else ""),
            "1. Identification",
            f"   Logged: {local(ctx, i.logged_at)}   Received by: {i.received_by or ''}",
            f"   Mode: {_tick([m.value for m in Mode], val(i.mode))}",
            "2. User",
            f"   {who['user_full_name']}  <{who['user_email']}>  {who['user_phone']}  {who['user_location']}",
            f"   User type: {_tick([u.value for u in UserType], val(i.user_type))}",
            f"   User ID: {who['user_account_id']}",
            "3. Inquiry",
            f"   Subject: {i.subject}",
            f"   Category: {i.category.value}" + (f": {i.category_other}" if i.category_other else "")
            + f"   Priority: {i.priority.value}" + (" (overridden)" if i.priority_overridden else " (suggested)"),
            f"   Description: {i.description}",
            f"   Attachments: {', '.join(a.filename for a in i.attachments) or 'none'}",
            "4. Action",
            f"   Assigned to: {i.assigned_to or ''}  {local(ctx, i.assigned_at)}",
            f"   Acknowledged: {local(ctx, i.acknowledged_at) or 'not yet'}  (due {local(ctx, i.ack_due_at)}: "
            f"{view.ack.value})",
            "   Action steps:",
            *[f"     {local(ctx, s.at)}  {s.author or ''}: [{s.kind.value}] {s.text}" for s in i.action_steps],
            f"   Resolution: {i.resolution or ''}",
            f"   Resolved: {local(ctx, i.resolved_at)}  (due {local(ctx, i.resolution_due_at)}: "
            f"{view.resolution.value})",
            f"   User confirmation: {_tick(['Yes', 'No', 'N/A'], val(i.user_confirmation))}",
            "5. Status",
            f"   {_tick([s.value for s in Status], i.status.value)}",
            f"   Escalated: {'Yes' if i.escalated else 'No'}"
            + (f"  {i.escalation_tier.value}: {i.escalation_reason}" if i.escalation_tier else "")
            + (f"   Reopened {i.reopen_count}x" if i.reopen_count else "")
            + (f"   Cancelled: {i.cancel_reason.value if i.cancel_reason else 'no reason recorded'}"
               if i.status == Status.CANCELLED else ""),
            f"   Feedback: {i.feedback_rating}/5 {i.feedback_comment or ''}" if i.feedback_rating else
            "   Feedback: none",
            "6. Archival",
            f"   In monthly report: {'Yes' if i.in_monthly_report else 'No'}   In quarterly file ({i.quarter.value}): "
            f"{'Yes' if i.in_quarterly_file else 'No'}",
            f"   Classified category: {val(i.classified_category) or ''}",
            f"   Linked: {', '.join(o.display_id for o in linked_inquiries(ctx.session, i)) or 'none'}",
            "History:",
            *[f"   {local(ctx, h.at, True)}  {h.action} {h.summary or ''}"
              + "; ".join(f"{k}: {o if o is not None else ''} -> {n if n is not None else ''}"
                          for k, (o, n) in withhold_changes(role, h.changes).items())
              for h in history(ctx.session, i)],
        ]
        print("\n".join(lines))
    return 0


def _row(ctx: ServiceContext, i) -> str:
    return f"{i.display_id:<16} {local(ctx, i.logged_at)}  {i.status.value:<11} {i.priority.value:<8} " \
           f"{i.category.value:<28} {i.subject}"


def cmd_list(args: argparse.Namespace) -> int:
    from ..core.periods import Period
    from ..services.inquiry_queries import InquiryFilter, count_inquiries, list_inquiries

    with work(args) as ctx:
        f = InquiryFilter(status=Status.parse(args.status) if args.status else None,
                          month=Period.month(args.month) if args.month else None, limit=args.limit,
                          tz=ctx.calendar.tz)
        rows = list_inquiries(ctx.session, f)
        for i in rows:
            print(_row(ctx, i))
        total = count_inquiries(ctx.session, f)
        print(f"({len(rows)} of {total} shown)")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from ..services.search import search_hits

    with work(args) as ctx:
        # A role without VIEW_PERSONAL_DETAILS searches the inquiry's own text only: an email finds nothing.
        rows = search_hits(ctx, args.text, args.limit)
        for h in rows:
            print(f"{h.ref:<16} {local(ctx, h.logged_at)}  {h.status:<11} {h.priority:<8} {h.category:<28} "
                  f"{h.subject}")
        if not rows:
            print(f"no inquiry matches {args.text!r}")
    return 0


def cmd_set_status(args: argparse.Namespace) -> int:
    from ..services import inquiries as svc

    with work(args) as ctx:
        i = svc.get_inquiry(ctx, args.id)
        handled_by = None
        if args.handled_by:
            from ..services.staff import find_staff

            handled_by = find_staff(ctx.session, args.handled_by)
            if handled_by is None:
                raise ValueError(f"no staff user {args.handled_by!r}; list them with 'saypro staff list'")
        svc.change_status(ctx, i, args.status, note=args.note, resolution=args.resolution,
                          user_confirmation=args.confirmation, tier=args.tier, reason=args.reason,
                          allow_subjective=args.allow_subjective, handled_by=handled_by)
        print(f"{i.display_id}: {i.status.value}")
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    from ..services import inquiries as svc
    from ..services.cancellation import cancel_inquiry

    with work(args) as ctx:
        i = svc.get_inquiry(ctx, args.id)
        kept = svc.get_inquiry(ctx, args.duplicate_of) if args.duplicate_of else None
        cancel_inquiry(ctx, i, args.reason, duplicate_of=kept, note=args.note)
        print(f"{i.display_id}: {i.status.value} ({i.cancel_reason.value}"
              + (f" of {kept.display_id})" if kept else ")"))
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    from ..services import inquiries as svc

    with work(args) as ctx:
        i = svc.get_inquiry(ctx, args.id)
        svc.add_action_step(ctx, i, args.text, ActionKind.USER_CONTACT if args.contact else ActionKind.NOTE)
    return 0


def cmd_ack(args: argparse.Namespace) -> int:
    from ..services import inquiries as svc

    with work(args) as ctx:
        svc.acknowledge(ctx, svc.get_inquiry(ctx, args.id))
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from ..services import inquiries as svc
    from ..services.staff import find_staff

    with work(args) as ctx:
        user = None
        if args.user != "-":
            user = find_staff(ctx.session, args.user)
            if user is None:
                raise ValueError(f"no staff user {args.user!r}")
        svc.assign(ctx, svc.get_inquiry(ctx, args.id), user)
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from ..services import inquiries as svc

    with work(args) as ctx:
        svc.record_feedback(ctx, svc.get_inquiry(ctx, args.id), args.rating, args.comment)
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from ..services import inquiries as svc
    from ..services.links_and_files import link_inquiries

    with work(args) as ctx:
        link_inquiries(ctx, svc.get_inquiry(ctx, args.id), svc.get_inquiry(ctx, args.other))
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    from ..services import inquiries as svc
    from ..services.links_and_files import add_attachment

    with work(args) as ctx:
        att = add_attachment(ctx, svc.get_inquiry(ctx, args.id), args.file)
        print(f"attached {att.filename} ({att.size} bytes, sha256 {att.sha256[:12]}…)")
    return 0


def cmd_escalate_overdue(args: argparse.Namespace) -> int:
    from ..services.sla_watch import run_auto_escalation

    with work(args) as ctx:
        done = run_auto_escalation(ctx)
        for i in done:
            print(f"{i.display_id} escalated to {i.escalation_tier.value if i.escalation_tier else ''}")
        print(f"{len(done)} inquiry(ies) escalated")
    return 0


def _fmt(value: float | None, unit: str, target: float | None = None, higher_is_better: bool = True) -> str:
    """As the reports write it: rounded once, never shown as its target when it misses it."""
    from ..reports.formatting import fmt_value

    return fmt_value(value, unit, target, higher_is_better)


def _share(value: float | None) -> str:
    return "no data" if value is None else f"{100 * value:.1f}%"


def _print_moderation(mod: ModerationFigures) -> None:
    t = mod.targets
    print(f"Moderation: {mod.ads_submitted} ad(s) submitted, {mod.ads_reviewed} reviewed, {mod.pending_at_end} waiting")
    print(f"  {'Approved / rejected':<40} {_share(mod.approval_rate):>9} / {_share(mod.rejection_rate)}")
    print(f"  {'Decided within 12 h / 24 h':<40} {_share(mod.within_12h):>9} / {_share(mod.within_24h)}   "
          f"target {_share(t['within_24h'])} within 24 h")
    print(f"  {'Audit accuracy':<40} {_share(mod.audit_accuracy):>9}   target {_share(t['audit_accuracy'])} "
          f"({mod.audited} audited)")
    print(f"  {'Complaint rate':<40} {_share(mod.complaint_rate):>9}   target under {_share(t['complaint_rate'])}")


def _print_activity(a: PeriodActivity, span: str) -> None:
    backlog = f"open at the end of the {span}" if a.period_over else f"open now (the {span} is not over)"
    print(f"The {span}'s work (whenever logged): {a.acknowledged} acknowledged "
          f"({_fmt(a.acknowledged_on_time_pct, '%')} by their due time), {a.resolved} resolved "
          f"({_fmt(a.resolved_by_due_pct, '%')} by their due time), {a.escalated} escalated")
    print(f"  {a.open_at_start} open at the start, {a.open_at_end} {backlog} ({a.overdue_at_end} past due); "
          f"{a.breached} of {a.due} resolution due times missed")
    for agent in a.agents:
        print(f"  {agent.agent:<30} logged {agent.logged}, acknowledged {agent.acknowledged}, resolved "
              f"{agent.resolved}, escalated {agent.escalated}, open {agent.open_at_end}, breaches {agent.breached}")


def cmd_kpi(args: argparse.Namespace) -> int:
    from ..core.kpi import against_targets
    from ..core.periods import Period
    from ..services.kpi import kpi_dataset
    from ..services.moderation_kpi import moderation_figures

    kind = next(k for k in ("day", "week", "month", "quarter") if getattr(args, k))
    period = Period.parse(kind, getattr(args, kind))  # a bad period stops here, before the store is opened
    with work(args) as ctx:
        now = ctx.now()
        data = kpi_dataset(ctx.session, period, now, ctx.calendar)
        mod = moderation_figures(ctx.session, period, ctx.calendar.tz, now)
        work_done = None
        if kind in ("day", "week"):
            from ..services.activity import period_activity

            work_done = period_activity(ctx.session, period, now, ctx.calendar.tz)
        if args.json:
            extra = {"activity": work_done.to_dict()} if work_done is not None else {}
            print(json.dumps({**data.to_dict(), **extra, "moderation": mod.to_dict()}, indent=2, ensure_ascii=False))
            return 0
        print(f"KPIs for {data.period} ({data.logged} inquiries logged; {data.open} open; {data.resolved} resolved)")
        for check in against_targets(data, ctx.settings.targets):
            target = _fmt(check.target, check.unit)
            value = _fmt(check.value, check.unit, check.target, check.higher_is_better)
            print(f"  {check.label:<40} {value:>9}   target {target:>7}   {check.verdict}")
        print(f"  {'First response, business (avg / median)':<40} "
              f"{_fmt(data.avg_first_response_business_minutes, 'min')} / "
              f"{_fmt(data.median_first_response_business_minutes, 'min')}")
        if data.cancelled:
            print(f"  {'Cancelled (left out of the KPIs)':<40} {data.cancelled} ("
                  + ", ".join(f"{k}: {v}" for k, v in data.cancelled_by_reason.items() if v) + ")")
        print(f"  {'Escalations':<40} {data.escalated} "
              + ", ".join(f"{k}: {v}" for k, v in data.escalations_by_tier.items()))
        print(f"  {'Reopened':<40} {data.reopened} ({_fmt(data.reopen_rate_pct, '%')})")
        print("  Top subjects: " + "; ".join(f"{s} ({n})" for s, n in data.top_subjects[:5]))
        if work_done is not None:
            _print_activity(work_done, kind)
        if mod.ads_submitted or mod.ads_reviewed:
            _print_moderation(mod)
    return 0
