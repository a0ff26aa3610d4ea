"""The audit trail: who changed what, when, from which value to which."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Synced, UtcDateTime


class AuditEntry(Synced, Base):
    __tablename__ = "audit_entry"
    __append_only__ = True
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id", "at"),)

    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(20))  # create, update, delete
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
