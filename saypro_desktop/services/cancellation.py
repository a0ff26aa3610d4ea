"""Setting an inquiry aside: spam, a duplicate, a test. The status Cancelled with its reason.

A cancelled inquiry stays in the store, searchable and printable, but is not an inquiry the office had to answer:
the KPIs leave it out and the reports count it apart, by reason. A duplicate names the inquiry kept (and is
linked to it in section 6). Who may cancel: whoever may change an inquiry's status and edit it (docs/PERMISSIONS.md).
Taking a cancelled inquiry back into work is the move to In Progress (``inquiries.change_status``), which clears
the reason.
"""

from __future__ import annotations

from sqlalchemy import select

from ..core.permissions import Permission
from ..core.validation import FieldError, ValidationError
from ..core.vocab import ActionKind, CancelReason, Status
from ..core.workflow import check_transition
from ..models import Inquiry, InquiryLink
from .context import ServiceContext
from .inquiries import add_action_step
from .links_and_files import link_inquiries


def cancel_inquiry(ctx: ServiceContext, inquiry: Inquiry, reason: CancelReason | str | None, *,
                   duplicate_of: Inquiry | None = None, note: str | None = None) -> None:
    """Set ``inquiry`` aside as Cancelled; a Duplicate must name ``duplicate_of``, the inquiry kept."""
    ctx.require(Permission.CHANGE_STATUS)
    ctx.require(Permission.EDIT_INQUIRY)
    check_transition(inquiry.status, Status.CANCELLED)
    choices = ", ".join(r.value for r in CancelReason)
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        raise ValidationError([FieldError("cancel_reason", f"say why the inquiry is cancelled: {choices}")])
    try:
        why = CancelReason.parse(reason) if isinstance(reason, str) else reason
    except ValueError as exc:
        raise ValidationError([FieldError("cancel_reason", str(exc))]) from exc
    errors = []
    if why == CancelReason.DUPLICATE:
        if duplicate_of is None:
            errors.append(FieldError("duplicate_of", "a duplicate names the inquiry kept (its Inquiry ID)"))
        elif duplicate_of.id == inquiry.id:
            errors.append(FieldError("duplicate_of", "an inquiry cannot be a duplicate of itself"))
        elif duplicate_of.status == Status.CANCELLED:
            errors.append(FieldError("duplicate_of", f"{duplicate_of.display_id} is cancelled itself; name the "
                                                     "inquiry that is kept"))
    elif duplicate_of is not None:
        errors.append(FieldError("duplicate_of", "only an inquiry cancelled as a Duplicate names another one"))
    if errors:
        raise ValidationError(errors)

    previous = inquiry.status
    inquiry.status = Status.CANCELLED
    inquiry.cancel_reason = why
    inquiry.cancelled_at = ctx.now()
    inquiry.duplicate_of_id = duplicate_of.id if duplicate_of is not None else None
    text = f"Status {previous.value} → {Status.CANCELLED.value} ({why.value}"
    text += f" of {duplicate_of.display_id})" if duplicate_of is not None else ")"
    if note and note.strip():
        text += f". {note.strip()}"
    add_action_step(ctx, inquiry, text, ActionKind.STATUS_CHANGE)
    if duplicate_of is not None and not _linked(ctx, inquiry, duplicate_of):
        link_inquiries(ctx, inquiry, duplicate_of)


def _linked(ctx: ServiceContext, a: Inquiry, b: Inquiry) -> bool:
    low, high = sorted((a.id, b.id))
    return ctx.session.scalar(select(InquiryLink.id).where(
        InquiryLink.inquiry_id == low, InquiryLink.linked_inquiry_id == high, InquiryLink.deleted.is_(False))) \
        is not None
