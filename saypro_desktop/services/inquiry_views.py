"""Plain snapshots of an inquiry for a view: everything the detail screen shows, loaded in one go on a
worker thread, so the UI never lazy-loads from the database on the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.sla import SlaState
from ..models import SYNCED_MODELS, Attachment, Inquiry, StaffUser
from .context import NotFound, ServiceContext
from .inquiry_queries import history, linked_inquiries
from .sla_watch import sla_view
from .withholding import withhold_changes, withhold_values


@dataclass(frozen=True)
class StepView:
    at: datetime
    author: str
    kind: str
    text: str


@dataclass(frozen=True)
class HistoryView:
    at: datetime
    actor: str
    action: str
    summary: str
    changes: dict[str, list[Any]]


@dataclass(frozen=True)
class AttachmentView:
    id: str
    filename: str
    size: int
    sha256: str
    media_type: str


@dataclass(frozen=True)
class LinkView:
    id: str
    ref: str
    subject: str
    status: str


@dataclass
class InquiryDetail:
    id: str
    ref: str
    values: dict[str, Any]  # every column, as Python values (enums as their labels); personal ones withheld by role
    received_by: str
    assigned_to: str
    assigned_to_id: str | None
    ack_state: SlaState
    resolution_state: SlaState
    steps: list[StepView] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)
    links: list[LinkView] = field(default_factory=list)
    history: list[HistoryView] = field(default_factory=list)


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def load_detail(ctx: ServiceContext, inquiry_id: str) -> InquiryDetail:
    s: Session = ctx.session
    i = s.get(Inquiry, inquiry_id)
    if i is None or i.deleted:
        raise NotFound("the inquiry no longer exists")
    names = {u.id: u.display_name for u in s.scalars(select(StaffUser))}
    view = sla_view(i, ctx.now(), ctx.settings, ctx.calendar)
    role = ctx.actor.role
    values = withhold_values(role, "inquiry",
                             {c.key: _plain(getattr(i, c.key)) for c in Inquiry.__mapper__.column_attrs})
    attachments = s.scalars(select(Attachment).where(Attachment.inquiry_id == i.id, Attachment.deleted.is_(False))
                            .order_by(Attachment.created_at)).all()
    return InquiryDetail(
        id=i.id, ref=i.display_id, values=values, received_by=names.get(i.received_by_id or "", ""),
        assigned_to=names.get(i.assigned_to_id or "", ""), assigned_to_id=i.assigned_to_id,
        ack_state=view.ack, resolution_state=view.resolution,
        steps=[StepView(st.at, names.get(st.author_id or "", ""), st.kind.value, st.text) for st in i.action_steps],
        attachments=[AttachmentView(a.id, a.filename, a.size, a.sha256, a.media_type) for a in attachments],
        links=[LinkView(o.id, o.display_id, o.subject, o.status.value) for o in linked_inquiries(s, i)],
        history=[HistoryView(h.at, names.get(h.actor_id or "", "system"), h.action, h.summary or "",
                             withhold_changes(role, h.changes))
                 for h in history(s, i)],
    )


def staff_choices(session: Session) -> list[tuple[str, str]]:
    """(id, display name) of active staff who can take inquiries."""
    return [(u.id, u.display_name) for u in session.scalars(
        select(StaffUser).where(StaffUser.active.is_(True), StaffUser.deleted.is_(False))
        .order_by(StaffUser.display_name))]


def conflict_titles(session: Session, tz: Any, conflicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The server's conflicts, each with a ``title`` a person reads: the Inquiry ID and subject of the
    inquiry it concerns, the field, and the local time."""
    for c in conflicts:
        model = SYNCED_MODELS.get(c["table"])
        row = session.get(model, c["row_id"]) if model is not None else None
        inquiry = row if isinstance(row, Inquiry) else (
            session.get(Inquiry, row.inquiry_id) if row is not None and hasattr(row, "inquiry_id") else None)
        where = f"{inquiry.display_id} “{inquiry.subject[:40]}”" if inquiry else f"{c['table']} {c['row_id'][:8]}"
        when = datetime.fromisoformat(c["created_at"]).astimezone(tz)
        c["title"] = f"{where} · {c['field'].replace('_', ' ').capitalize()} · {when:%d/%m/%Y %H:%M}"
    return conflicts
