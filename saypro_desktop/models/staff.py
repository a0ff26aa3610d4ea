"""Staff users: the people who sign in to SayPro Desk."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.permissions import Permission, Role
from .base import Base, Synced, Vocab
from .sync_spec import SyncSpec


class StaffUser(Synced, Base):
    __tablename__ = "staff_user"
    __sync__ = SyncSpec(insert=frozenset({Permission.MANAGE_USERS}), delete=frozenset({Permission.MANAGE_USERS}),
                        audited=True)

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(Vocab(Role))
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    access_expires_on: Mapped[date | None] = mapped_column(Date)

    def __str__(self) -> str:
        return self.display_name or self.username
