"""Issuing inquiry IDs from this desktop's blocks of numbers.

A standalone desktop (never enrolled with a server) owns the whole range of every month. An
enrolled desktop issues only from blocks the server leased to it; when those run out offline it
issues a provisional reference, mapped to a real ID at the next sync.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.inquiry_ids import MAX_SEQUENCE, InquiryId, month_key_of, provisional_ref
from ..models import DeviceState, IdBlock, Inquiry, Setting
from ..models.local import SYNC_ENROLLED

ENROLLED_KEY = SYNC_ENROLLED


def is_enrolled(session: Session) -> bool:
    row = session.get(Setting, ENROLLED_KEY)
    return bool(row and row.value)


def next_reference(session: Session, logged: date) -> tuple[str | None, str | None]:
    """``(inquiry_ref, None)`` from a block, or ``(None, provisional_ref)`` when no number is left."""
    key = month_key_of(logged)
    blocks = session.scalars(select(IdBlock).where(IdBlock.month_key == key, IdBlock.next <= IdBlock.last)
                             .order_by(IdBlock.first)).all()
    if not blocks and not is_enrolled(session) and not session.scalar(
            select(IdBlock.id).where(IdBlock.month_key == key, IdBlock.source == "standalone")):
        block = IdBlock(month_key=key, first=1, last=MAX_SEQUENCE, next=1, source="standalone")
        session.add(block)
        blocks = [block]
    for block in blocks:
        while block.next <= block.last:
            n = block.next
            block.next = n + 1
            ref = str(InquiryId(logged.year, logged.month, n))
            # An imported inquiry may already hold a number of this block: never issue it twice.
            if session.scalar(select(Inquiry.id).where(Inquiry.inquiry_ref == ref)) is None:
                return ref, None
    state = session.get(DeviceState, 1)
    assert state is not None
    while True:  # a store restored by hand may already hold the next one (pulled back from the server)
        state.provisional_counter += 1
        ref = provisional_ref(logged.year, logged.month, state.device_tag, state.provisional_counter)
        if session.scalar(select(Inquiry.id).where(Inquiry.provisional_ref == ref)) is None:
            return None, ref
