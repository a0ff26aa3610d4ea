"""Export inquiries to CSV and import them back, all or nothing.

Timestamps are ISO 8601 in the office time zone with their offset (exact, and readable in a
spreadsheet); action steps travel as a JSON list in one column so the round trip is lossless. A text cell that
a spreadsheet would run as a formula is written with a leading quote and read back without it (core/csv_safety.py).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..core import sla
from ..core.csv_safety import csv_writer, starts_like_formula, unescape_cell
from ..core.inquiry_ids import InquiryId, month_key_of
from ..core.permissions import Permission, Role
from ..core.validation import InquiryDraft, check_rating, normalise_draft, status_requirements
from ..core.vocab import ActionKind, CancelReason, Confirmation, EscalationTier, Quarter, Status
from ..core.workflow import suggest_priority
from ..models import ActionStep, Inquiry, InquiryLink, StaffUser
from .context import ServiceContext
from .inquiry_numbers import next_reference
from .inquiry_queries import InquiryFilter, list_inquiries
from .links_and_files import link_inquiries
from .staff import find_staff
from .withholding import shown

COLUMNS = [
    "Inquiry ID", "Provisional Reference", "Logged At", "Received By", "Mode of Inquiry", "Full Name",
    "Contact Email", "Phone Number", "User Type", "User ID", "Location", "Subject", "Category", "Other Category",
    "Description", "Priority", "Assigned To", "Assigned At", "Acknowledged At", "Action Steps",
    "Resolution Provided", "Resolved At", "First Contact Resolution", "User Confirmation", "Status", "Escalated",
    "Escalation Tier", "Escalation Reason", "Escalated At", "Auto Escalated", "Reopen Count", "Closed At",
    "Feedback Rating", "Feedback Comment", "In Monthly Report", "In Quarterly File", "Quarter",
    "Classified Category", "Linked Inquiry IDs", "Cancel Reason", "Cancelled At", "Duplicate Of",
]

# How far ahead of this machine's clock an imported moment may lie (another machine's clock running fast).
CLOCK_SKEW = timedelta(minutes=5)
# Moments of an inquiry that cannot come before it was logged (column, what it is in words).
_AFTER_LOGGED = (("Assigned At", "assigned"), ("Acknowledged At", "acknowledged"), ("Resolved At", "resolved"),
                 ("Escalated At", "escalated"), ("Closed At", "closed"), ("Cancelled At", "cancelled"))
# Steps that are a response to the user: the first of them is the first response (as ``add_action_step`` and the
# KPIs count it), even when the file's Acknowledged At is later or empty.
_RESPONSE_STEPS = frozenset({ActionKind.USER_CONTACT, ActionKind.ACKNOWLEDGEMENT})

_DRAFT_COLUMNS = {
    "Subject": "subject", "Category": "category", "Mode of Inquiry": "mode", "User Type": "user_type",
    "Full Name": "user_full_name", "Contact Email": "user_email", "Phone Number": "user_phone",
    "User ID": "user_account_id", "Location": "user_location", "Other Category": "category_other",
    "Description": "description", "Classified Category": "classified_category", "Priority": "priority",
}


class ImportRejected(ValueError):
    """The file had bad rows; nothing of it was imported."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        lines = "\n".join(f"  line {line}: {msg}" for line, msg in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s); nothing was imported:\n{lines}{more}")


@dataclass
class ImportResult:
    imported: int
    created_staff: list[str]
    # Cells kept as text that a spreadsheet would run as a formula (line, column); exports write them escaped.
    formula_cells: list[tuple[int, str]] = field(default_factory=list)


def _fmt_time(ctx: ServiceContext, value: datetime | None) -> str:
    return value.astimezone(ctx.calendar.tz).isoformat(timespec="seconds") if value else ""


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


def _person(role: Role, i: Inquiry) -> list[str]:
    """Full name, email, phone, user ID and location as ``role`` may see them (services/withholding.py)."""
    return [shown(role, v or "") for v in (i.user_full_name, i.user_email, i.user_phone, i.user_account_id,
                                           i.user_location)]


def export_inquiries(ctx: ServiceContext, target: Path, month: Any = None) -> int:
    ctx.require(Permission.EXPORT)
    inquiries = list_inquiries(ctx.session, InquiryFilter(month=month, limit=None, tz=ctx.calendar.tz))
    inquiries.sort(key=lambda i: (i.logged_at, i.display_id))
    users = {u.id: u.username for u in ctx.session.scalars(select(StaffUser))}
    links = _links_by_inquiry(ctx, inquiries)
    refs = {i.id: i.display_id for i in ctx.session.scalars(select(Inquiry).where(Inquiry.id.in_(
        {i.duplicate_of_id for i in inquiries if i.duplicate_of_id})))}
    tmp = target.with_name(target.name + ".partial")
    with _removed_on_failure(tmp), tmp.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv_writer(fh, strings_are_text=True)  # every text cell is text, a phone number too
        writer.writerow(COLUMNS)
        for i in inquiries:
            steps = [{"at": _fmt_time(ctx, s.at), "author": users.get(s.author_id or "", ""), "kind": s.kind.value,
                      "text": s.text} for s in i.action_steps]
            name, email, phone, account, location = _person(ctx.actor.role, i)
            writer.writerow([
                i.inquiry_ref or "", i.provisional_ref or "", _fmt_time(ctx, i.logged_at),
                users.get(i.received_by_id or "", ""), i.mode.value, name, email, phone, i.user_type.value,
                account, location, i.subject,
                i.category.value, i.category_other or "", i.description, i.priority.value,
                users.get(i.assigned_to_id or "", ""), _fmt_time(ctx, i.assigned_at),
                _fmt_time(ctx, i.acknowledged_at), json.dumps(steps, ensure_ascii=False) if steps else "",
                i.resolution or "", _fmt_time(ctx, i.resolved_at), _yes(i.resolved_on_first_contact),
                i.user_confirmation.value if i.user_confirmation else "", i.status.value, _yes(i.escalated),
                i.escalation_tier.value if i.escalation_tier else "", i.escalation_reason or "",
                _fmt_time(ctx, i.escalated_at), _yes(i.auto_escalated), i.reopen_count, _fmt_time(ctx, i.closed_at),
                i.feedback_rating if i.feedback_rating is not None else "", i.feedback_comment or "",
                _yes(i.in_monthly_report), _yes(i.in_quarterly_file), i.quarter.value,
                i.classified_category.value if i.classified_category else "", "; ".join(links.get(i.id, [])),
                i.cancel_reason.value if i.cancel_reason else "", _fmt_time(ctx, i.cancelled_at),
                refs.get(i.duplicate_of_id or "", ""),
            ])
    tmp.replace(target)
    return len(inquiries)


@contextmanager
def _removed_on_failure(partial: Path) -> Iterator[None]:
    """A half-written file (a full disk, an error) is removed: the target stays as it was."""
    try:
        yield
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _links_by_inquiry(ctx: ServiceContext, inquiries: Iterable[Inquiry]) -> dict[str, list[str]]:
    refs = {i.id: i.display_id for i in ctx.session.scalars(select(Inquiry))}
    out: dict[str, list[str]] = {}
    for link in ctx.session.scalars(select(InquiryLink).where(InquiryLink.deleted.is_(False))):
        out.setdefault(link.inquiry_id, []).append(refs.get(link.linked_inquiry_id, ""))
        out.setdefault(link.linked_inquiry_id, []).append(refs.get(link.inquiry_id, ""))
    return {k: sorted(v) for k, v in out.items()}


class _Row:
    """Parses one CSV record, collecting problems instead of stopping at the first."""

    def __init__(self, ctx: ServiceContext, record: dict[str, str], line: int, problems: list[tuple[int, str]]):
        self.ctx, self.r, self.line, self.problems = ctx, record, line, problems
        self.formula_cells: set[str] = set()

    def bad(self, msg: str) -> None:
        self.problems.append((self.line, msg))

    def text(self, col: str) -> str:
        value = unescape_cell((self.r.get(col) or "").strip())
        if starts_like_formula(value):  # text, stored and shown as text; the export writes it escaped
            self.formula_cells.add(col)
        return value.strip()

    def time(self, col: str) -> datetime | None:
        raw = self.text(col)
        if not raw:
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            self.bad(f"{col} {raw!r} is not a date and time like 2025-01-14T09:12:00+02:00")
            return None
        return value.replace(tzinfo=self.ctx.calendar.tz) if value.tzinfo is None else value

    def flag(self, col: str) -> bool:
        raw = self.text(col).lower()
        if raw in ("", "no", "n", "false", "0"):
            return False
        if raw in ("yes", "y", "true", "1"):
            return True
        self.bad(f"{col} must be Yes or No, not {raw!r}")
        return False

    def vocab(self, col: str, enum_cls: Any) -> Any:
        raw = self.text(col)
        if not raw:
            return None
        try:
            return enum_cls.parse(raw)
        except ValueError as exc:
            self.bad(f"{col}: {exc}")
            return None

    def integer(self, col: str, default: int | None) -> int | None:
        raw = self.text(col)
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            self.bad(f"{col} {raw!r} is not a whole number")
            return default


def import_inquiries(ctx: ServiceContext, source: Path) -> ImportResult:
    """Import every row of ``source`` or none: bad rows are reported with their line and reason."""
    ctx.require(Permission.IMPORT)
    problems: list[tuple[int, str]] = []
    try:
        with source.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in ("Subject", "Category", "Mode of Inquiry", "User Type", "Full Name")
                       if c not in (reader.fieldnames or [])]
            if missing:
                raise ImportRejected([(1, f"the header has no column {', '.join(missing)}")])
            parsed, line = [], 1
            for record in reader:
                start, line = line + 1, reader.line_num
                parsed.append(_parse(ctx, _Row(ctx, record, start, problems)))
    except UnicodeDecodeError as exc:
        raise ImportRejected([(0, f"the file is not UTF-8 text ({exc.reason})")]) from exc
    except csv.Error as exc:
        raise ImportRejected([(line, f"not valid CSV: {exc}")]) from exc
    seen: dict[str, int] = {}
    for row, item in parsed:
        ref = item["inquiry_ref"] if item else None
        if ref:
            if ref in seen:
                problems.append((row.line, f"Inquiry ID {ref} appears twice (also on line {seen[ref]})"))
            seen[ref] = row.line
            if ctx.session.scalar(select(Inquiry.id).where(Inquiry.inquiry_ref == ref)):
                problems.append((row.line, f"Inquiry ID {ref} is already in this store"))
    known = set(seen)
    for row, item in parsed:
        for ref in [*(item or {}).get("links", []), *([item["duplicate_of"]] if item and item["duplicate_of"] else [])]:
            if ref not in known and not ctx.session.scalar(select(Inquiry.id).where(Inquiry.inquiry_ref == ref)):
                problems.append((row.line, f"linked inquiry {ref} is neither in the file nor in this store"))
    if problems:
        raise ImportRejected(sorted(problems))
    result = _write(ctx, [item for _, item in parsed if item])
    result.formula_cells = [(row.line, col) for row, _ in parsed for col in sorted(row.formula_cells)]
    return result


def _parse(ctx: ServiceContext, row: _Row) -> tuple[_Row, dict[str, Any] | None]:
    before = len(row.problems)
    draft = InquiryDraft(**{attr: row.text(col) or None for col, attr in _DRAFT_COLUMNS.items()})
    draft.subject, draft.user_full_name = row.text("Subject"), row.text("Full Name")
    draft.description = row.text("Description")
    draft.logged_at = row.time("Logged At") or ctx.now()
    clean, errors = normalise_draft(draft)
    row.problems.extend((row.line, f"{e.field}: {e.message}") for e in errors)
    ref = row.text("Inquiry ID").upper() or None
    if ref:
        try:
            parsed_id = InquiryId.parse(ref)
            if month_key_of(ctx.calendar.local_date(clean.logged_at)) != ref[5:9]:
                row.bad(f"Inquiry ID {ref} does not belong to the month it was logged in")
            ref = str(parsed_id)
        except ValueError as exc:
            row.bad(str(exc))
    status = row.vocab("Status", Status) or Status.NEW
    item = {
        "draft": clean, "inquiry_ref": ref, "status": status,
        "received_by": row.text("Received By"), "assigned_to": row.text("Assigned To"),
        "assigned_at": row.time("Assigned At"), "acknowledged_at": row.time("Acknowledged At"),
        "resolution": row.text("Resolution Provided") or None, "resolved_at": row.time("Resolved At"),
        "first_contact": row.flag("First Contact Resolution"),
        "user_confirmation": row.vocab("User Confirmation", Confirmation), "escalated": row.flag("Escalated"),
        "escalation_tier": row.vocab("Escalation Tier", EscalationTier),
        "escalation_reason": row.text("Escalation Reason") or None, "escalated_at": row.time("Escalated At"),
        "auto_escalated": row.flag("Auto Escalated"), "reopen_count": row.integer("Reopen Count", 0),
        "closed_at": row.time("Closed At"), "feedback_rating": row.integer("Feedback Rating", None),
        "feedback_comment": row.text("Feedback Comment") or None,
        "in_monthly_report": row.flag("In Monthly Report"), "in_quarterly_file": row.flag("In Quarterly File"),
        "links": [x.strip().upper() for x in row.text("Linked Inquiry IDs").split(";") if x.strip()],
        "steps": _steps(row),
        "cancel_reason": row.vocab("Cancel Reason", CancelReason), "cancelled_at": row.time("Cancelled At"),
        "duplicate_of": row.text("Duplicate Of").upper() or None,
    }
    _check_timeline(row, clean.logged_at, status, item)
    for e in status_requirements(status, resolution=item["resolution"], resolved_at=item["resolved_at"],
                                 user_confirmation=item["user_confirmation"],
                                 escalation_tier=item["escalation_tier"] if status == Status.ESCALATED else None,
                                 escalation_reason=item["escalation_reason"]):
        row.bad(f"status {status.value} needs {e.field}: {e.message}")
    for e in check_rating(item["feedback_rating"]):
        row.bad(e.message)
    if item["reopen_count"] is not None and item["reopen_count"] < 0:
        row.bad("Reopen Count cannot be negative")
    return row, (item if len(row.problems) == before else None)


def _check_timeline(row: _Row, logged_at: datetime, status: Status, item: dict[str, Any]) -> None:
    """Refuse what cannot have happened: a moment before the inquiry was logged or ahead of now (beyond a clock's
    skew), a reopen count on an inquiry never resolved, a cancellation without its reason. A response step before
    the acknowledgement is the first response."""
    latest = row.ctx.now() + CLOCK_SKEW
    if logged_at > latest:
        row.bad(f"Logged At {row.text('Logged At')} is in the future; check the date (and its time zone)")
    for col, what in _AFTER_LOGGED:
        moment = item[col.lower().replace(" ", "_")]
        if moment is None:
            continue
        if moment < logged_at:
            row.bad(f"{col} {row.text(col)} is before the inquiry was logged ({row.text('Logged At') or 'now'}); "
                    f"an inquiry is {what} only after it is logged")
        elif moment > latest:
            row.bad(f"{col} {row.text(col)} is in the future; check the date (and its time zone)")
    for n, step in enumerate(item["steps"], 1):
        if step["at"] < logged_at or step["at"] > latest:
            where = "before the inquiry was logged" if step["at"] < logged_at else "in the future"
            row.bad(f"Action Steps: step {n} ({step['kind'].value}, {step['at'].isoformat()}) is {where}")
    responses = [s["at"] for s in item["steps"] if s["kind"] in _RESPONSE_STEPS and s["at"] >= logged_at]
    if responses and (item["acknowledged_at"] is None or min(responses) < item["acknowledged_at"]):
        item["acknowledged_at"] = min(responses)
    reopened = item["reopen_count"] or 0
    ever_resolved = (status in (Status.RESOLVED, Status.CLOSED, Status.REOPENED) or item["resolved_at"] is not None
                     or any(s["kind"] == ActionKind.RESOLUTION for s in item["steps"]))
    if reopened and not ever_resolved:
        row.bad(f"Reopen Count is {reopened} but the inquiry was never resolved (status {status.value}, no "
                "Resolved At, no Resolution step); only a resolved inquiry can be reopened")
    if status == Status.REOPENED and not reopened:
        row.bad("status Reopened needs a Reopen Count of at least 1")
    if status == Status.CANCELLED and item["cancel_reason"] is None:
        row.bad(f"status Cancelled needs a Cancel Reason: {', '.join(r.value for r in CancelReason)}")
    if status != Status.CANCELLED and (item["cancel_reason"] or item["duplicate_of"]):
        row.bad(f"Cancel Reason and Duplicate Of are only for a Cancelled inquiry (status is {status.value})")
    if item["duplicate_of"] and item["cancel_reason"] != CancelReason.DUPLICATE:
        row.bad("Duplicate Of names the inquiry kept, only for the Cancel Reason Duplicate")
    if item["cancel_reason"] == CancelReason.DUPLICATE and not item["duplicate_of"]:
        row.bad("Cancel Reason Duplicate needs Duplicate Of: the Inquiry ID of the inquiry kept")


def _steps(row: _Row) -> list[dict[str, Any]]:
    raw = row.text("Action Steps")
    if not raw:
        return []
    try:
        steps = json.loads(raw)
        if not isinstance(steps, list):
            raise ValueError
        out = []
        for s in steps:
            at = datetime.fromisoformat(s["at"])
            out.append({"at": at.replace(tzinfo=row.ctx.calendar.tz) if at.tzinfo is None else at,
                        "author": s.get("author", ""), "kind": ActionKind.parse(s.get("kind") or "Note"),
                        "text": str(s["text"])})
        return out
    except (ValueError, KeyError, TypeError):
        row.bad('Action Steps must be a JSON list of {"at", "author", "kind", "text"} entries as exported')
        return []


def _write(ctx: ServiceContext, items: list[dict[str, Any]]) -> ImportResult:
    created: list[str] = []

    def staff(username: str) -> StaffUser | None:
        if not username:
            return None
        user = find_staff(ctx.session, username)
        if user is None:
            # Keeps who did the work; the record cannot sign in until an Admin activates it.
            user = StaffUser(username=username.lower(), display_name=username, role=Role.VIEWER, active=False)
            ctx.session.add(user)
            ctx.session.flush()
            created.append(user.username)
        return user

    by_ref: dict[str, Inquiry] = {}
    pending_links: list[tuple[Inquiry, list[str]]] = []
    duplicates: list[tuple[Inquiry, str]] = []
    for item in items:
        d: InquiryDraft = item["draft"]
        logged_at = d.logged_at
        logged_date = ctx.calendar.local_date(logged_at)
        ref, provisional = (item["inquiry_ref"], None) if item["inquiry_ref"] else next_reference(ctx.session,
                                                                                                   logged_date)
        priority = d.priority or suggest_priority(d.category, d.subject, d.description)
        received = staff(item["received_by"]) or ctx.actor
        assigned = staff(item["assigned_to"])
        resolved_at = item["resolved_at"]
        inquiry = Inquiry(
            inquiry_ref=ref, provisional_ref=provisional, logged_at=logged_at, logged_date=logged_date,
            received_by_id=received.id, mode=d.mode, user_full_name=d.user_full_name, user_email=d.user_email,
            user_phone=d.user_phone, user_type=d.user_type, user_account_id=d.user_account_id,
            user_location=d.user_location, subject=d.subject, category=d.category, category_other=d.category_other,
            description=d.description, classified_category=d.classified_category, priority=priority,
            priority_overridden=d.priority is not None,
            ack_due_at=sla.ack_due(ctx.calendar, ctx.settings.sla, logged_at),
            resolution_due_at=sla.resolution_due(ctx.calendar, ctx.settings.sla, logged_at, priority),
            assigned_to_id=assigned.id if assigned else None, assigned_at=item["assigned_at"],
            acknowledged_at=item["acknowledged_at"], resolution=item["resolution"], resolved_at=resolved_at,
            resolved_date=ctx.calendar.local_date(resolved_at) if resolved_at else None,
            resolved_on_first_contact=item["first_contact"], user_confirmation=item["user_confirmation"],
            status=item["status"], escalated=item["escalated"], escalation_tier=item["escalation_tier"],
            escalation_reason=item["escalation_reason"], escalated_at=item["escalated_at"],
            auto_escalated=item["auto_escalated"], reopen_count=item["reopen_count"], closed_at=item["closed_at"],
            feedback_rating=item["feedback_rating"], feedback_comment=item["feedback_comment"],
            in_monthly_report=item["in_monthly_report"], in_quarterly_file=item["in_quarterly_file"],
            quarter=Quarter.of_month(logged_date.month), cancel_reason=item["cancel_reason"],
            cancelled_at=item["cancelled_at"] or (ctx.now() if item["status"] == Status.CANCELLED else None),
        )
        ctx.session.add(inquiry)
        ctx.session.flush()
        for s in item["steps"]:
            author = staff(s["author"])
            ctx.session.add(ActionStep(inquiry_id=inquiry.id, at=s["at"], author_id=author.id if author else None,
                                       kind=s["kind"], text=s["text"]))
        by_ref[inquiry.display_id] = inquiry
        pending_links.append((inquiry, [*item["links"], *([item["duplicate_of"]] if item["duplicate_of"] else [])]))
        if item["duplicate_of"]:
            duplicates.append((inquiry, item["duplicate_of"]))
    for inquiry, ref in duplicates:
        kept = by_ref.get(ref) or ctx.session.scalar(select(Inquiry).where(Inquiry.inquiry_ref == ref))
        inquiry.duplicate_of_id = kept.id if kept else None
    linked: set[tuple[str, str]] = set()
    for inquiry, refs in pending_links:
        for ref in refs:
            other = by_ref.get(ref) or ctx.session.scalar(select(Inquiry).where(Inquiry.inquiry_ref == ref))
            pair = tuple(sorted((inquiry.id, other.id))) if other else None
            if other is not None and pair not in linked:
                linked.add(pair)
                link_inquiries(ctx, inquiry, other)
    return ImportResult(len(items), created)
