"""Declarative base, column types and the columns every synced table carries."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..core.uuids import new_id
from .sync_spec import SyncSpec

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC so text order is time order."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given where an aware one is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Vocab(TypeDecorator[enum.Enum]):
    """A vocabulary (StrEnum) stored by its printed value."""

    impl = String(40)
    cache_ok = True

    def __init__(self, enum_cls: type[enum.Enum]) -> None:
        super().__init__()
        self.enum_cls = enum_cls

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return self.enum_cls(value).value

    def process_result_value(self, value: str | None, dialect: Any) -> enum.Enum | None:
        return None if value is None else self.enum_cls(value)


class Synced:
    """Columns of every table that syncs: client-made UUIDv7 key, stamps, tombstone, field clocks.

    ``field_versions`` maps a field to the clock stamp of its last change; ``"*"`` is the stamp of
    the row's creation and stands for every field not listed (keeps the column small).
    """

    # Who may do what to the table through sync, and which fields are special (models/sync_spec.py).
    __sync__: ClassVar[SyncSpec]

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    field_versions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


SYNC_BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "field_versions"})


def db_time(moment: datetime) -> str:
    """A moment in the stored text form, for comparisons inside raw SQL."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
