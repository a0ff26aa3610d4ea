"""The audit trail: who changed what, when, from which value to which (one row per change).

Each desktop chains the entries it writes (``core/audit_chain.py``): ``chain_seq`` counts them per device,
``entry_hash`` is the SHA-256 of the entry's content, its device, its sequence and ``prev_hash`` (the hash of the
device's entry before it). Entries written before the chain existed on a server or an older desktop have none."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Synced, UtcDateTime
from .sync_spec import WRITE_PERMISSIONS, SyncSpec


class AuditEntry(Synced, Base):
    __tablename__ = "audit_entry"
    __sync__ = SyncSpec(insert=WRITE_PERMISSIONS, append_only=True, author="actor_id", event_time="at")
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id", "at"),
                      Index("ix_audit_entry_chain", "device_id", "chain_seq"))

    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(20))  # create, update, delete
    summary: Mapped[str | None] = mapped_column(Text)  # what was created or deleted, in words
    # field -> [old, new] in their JSON form, one entry per field the change touched
    changes: Mapped[dict[str, list[Any]]] = mapped_column(JSON, default=dict)
    # The hash chain (set by the write hook, never by a service): the device that wrote the entry, its place in
    # that device's chain, the previous entry's hash and this entry's own.
    device_id: Mapped[str | None] = mapped_column(String(36))
    chain_seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))
