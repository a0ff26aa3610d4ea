"""Read-side queries over inquiries: lists filtered and sorted in SQL, history, links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ..core.periods import Period
from ..core.vocab import Status
from ..models import AuditEntry, Inquiry, InquiryLink


@dataclass
class InquiryFilter:
    status: Status | None = None
    month: Period | None = None
    assigned_to_id: str | None = None
    limit: int | None = 200
    offset: int = 0
    tz: tzinfo = UTC  # the office time zone that month boundaries are in


def filtered(f: InquiryFilter) -> Select[tuple[Inquiry]]:
    q = select(Inquiry).where(Inquiry.deleted.is_(False))
    if f.status is not None:
        q = q.where(Inquiry.status == f.status)
    if f.month is not None:
        start, end = f.month.instants(f.tz)
        q = q.where(Inquiry.logged_at >= start, Inquiry.logged_at < end)
    if f.assigned_to_id is not None:
        q = q.where(Inquiry.assigned_to_id == f.assigned_to_id)
    return q


def list_inquiries(session: Session, f: InquiryFilter) -> list[Inquiry]:
    q = filtered(f).order_by(Inquiry.logged_at.desc(), Inquiry.id.desc()).offset(f.offset)
    if f.limit is not None:
        q = q.limit(f.limit)
    return list(session.scalars(q))


def count_inquiries(session: Session, f: InquiryFilter) -> int:
    return session.scalar(select(func.count()).select_from(filtered(f).subquery())) or 0


def history(session: Session, inquiry: Inquiry) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.entity == "inquiry",
                                                         AuditEntry.entity_id == inquiry.id)
                                .order_by(AuditEntry.at, AuditEntry.id)))


def linked_inquiries(session: Session, inquiry: Inquiry) -> list[Inquiry]:
    links = select(InquiryLink).where(InquiryLink.deleted.is_(False),
                                      or_(InquiryLink.inquiry_id == inquiry.id,
                                          InquiryLink.linked_inquiry_id == inquiry.id))
    other_ids = {lk.linked_inquiry_id if lk.inquiry_id == inquiry.id else lk.inquiry_id
                 for lk in session.scalars(links)}
    if not other_ids:
        return []
    return list(session.scalars(select(Inquiry).where(Inquiry.id.in_(other_ids), Inquiry.deleted.is_(False))
                                .order_by(Inquiry.logged_at)))
