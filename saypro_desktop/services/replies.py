"""Canned replies: the office's texts agents insert into action steps and resolutions, with {placeholders}
filled from the inquiry. The acknowledgement gives the user the reference number."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from ..core.knowledge import ReplyUse, fill, placeholder_problems
from ..core.permissions import Permission, can
from ..core.validation import FieldError, ValidationError
from ..models import CannedReply, Inquiry
from .context import NotFound, ServiceContext


@dataclass(frozen=True)
class Reply:
    name: str
    title: str
    use: ReplyUse
    body: str
    row: CannedReply | None  # None: built in, until someone saves their own under the same name


# The office's replies before anyone wrote their own; a saved reply of the same name takes the place of one.
BUILT_IN = (
    Reply("ack", "Acknowledgement with the reference number", ReplyUse.ACKNOWLEDGEMENT,
          "Dear {name},\n\nThank you for contacting SayPro Classified. Your inquiry \"{subject}\" has the reference "
          "number {inquiry_id}; please quote it whenever you contact us about it. We will come back to you by "
          "{due_time}.\n\nKind regards,\n{agent}", None),
    Reply("more-info", "Asking the user for more information", ReplyUse.ACTION_STEP,
          "Dear {first_name}, to help with {inquiry_id} we need a little more information: ", None),
    Reply("resolved", "Resolution confirmed with the user", ReplyUse.RESOLUTION,
          "Resolved: {subject}. The user confirmed the outcome. Reference {inquiry_id}.", None),
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def replies(ctx: ServiceContext, use: ReplyUse | None = None) -> list[Reply]:
    ctx.require(Permission.VIEW_INQUIRIES)
    saved = {r.name: r for r in ctx.session.scalars(select(CannedReply).where(CannedReply.deleted.is_(False))
                                                     .order_by(CannedReply.updated_at))}
    out = {r.name: r for r in BUILT_IN}
    out.update({name: Reply(r.name, r.title, r.use, r.body, r) for name, r in saved.items()})
    return sorted((r for r in out.values() if use is None or r.use == use), key=lambda r: (r.use.value, r.name))


def get_reply(ctx: ServiceContext, name: str) -> Reply:
    key = name.strip().lower()
    for reply in replies(ctx):
        if reply.name == key:
            return reply
    raise NotFound(f"no canned reply {name!r}; 'saypro reply list' shows them")


def save_reply(ctx: ServiceContext, name: str, title: str, use: ReplyUse | str, body: str) -> CannedReply:
    """Add a reply or change the one of that name. Unknown placeholders are refused with the known ones."""
    ctx.require(Permission.MANAGE_REPLIES)
    name = name.strip().lower()
    errors = []
    if not _NAME.match(name):
        errors.append(FieldError("name", "3 to 60 lower-case letters, digits and hyphens (e.g. refund-done)"))
    if not title.strip():
        errors.append(FieldError("title", "say what the reply is for"))
    if not body.strip():
        errors.append(FieldError("body", "write the reply"))
    errors += [FieldError("body", p) for p in placeholder_problems(body)]
    if errors:
        raise ValidationError(errors)
    row = ctx.session.scalars(select(CannedReply).where(CannedReply.name == name, CannedReply.deleted.is_(False))
                              .order_by(CannedReply.updated_at.desc()).limit(1)).first()
    if row is None:
        row = CannedReply(name=name)
        ctx.session.add(row)
    row.title, row.use, row.body, row.edited_by_id = title.strip(), ReplyUse.parse(use), body.strip(), ctx.actor.id
    ctx.session.flush()
    return row


def remove_reply(ctx: ServiceContext, name: str) -> None:
    ctx.require(Permission.MANAGE_REPLIES)
    reply = get_reply(ctx, name)
    if reply.row is None:
        raise ValidationError([FieldError("name", f"{name} is built in; save your own under its name to change it")])
    reply.row.deleted = True
    ctx.session.flush()


def values_for(ctx: ServiceContext, inquiry: Inquiry) -> dict[str, str]:
    """What the placeholders stand for in this inquiry (a user's name only for roles that may see it)."""
    personal = can(ctx.actor.role, Permission.VIEW_PERSONAL_DETAILS)
    name = (inquiry.user_full_name or "").strip() if personal else ""
    due = inquiry.resolution_due_at.astimezone(ctx.settings.calendar().tz) if inquiry.resolution_due_at else None
    values = {
        "name": name, "first_name": name.split()[0] if name else "",
        "inquiry_id": inquiry.display_id if inquiry.inquiry_ref or inquiry.provisional_ref else "",
        "subject": inquiry.subject or "", "category": inquiry.category.value if inquiry.category else "",
        "due_time": f"{due:%d %B %Y, %H:%M}" if due else "", "agent": ctx.actor.display_name,
        "office": "the SayPro Classified Office",
    }
    return values


def fill_reply(ctx: ServiceContext, reply: Reply, inquiry: Inquiry) -> str:
    return fill(reply.body, values_for(ctx, inquiry))
