"""How column values of synced tables travel as JSON (the change log, the wire), checked against each column.

Derived from the models' metadata, so a new synced column needs nothing here. Used by the outbox hook
(``store.changelog``), the sync client and the server (through ``sync.protocol``).
"""

from __future__ import annotations

import enum
import functools
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Column, Date, Integer, String, Text
from sqlalchemy.types import JSON

from . import SYNCED_MODELS
from .base import SYNC_BOOKKEEPING, UtcDateTime, Vocab


class ProtocolError(ValueError):
    """A request that does not follow the protocol; the message says what to fix."""


def encode(value: Any) -> Any:
    """The JSON form of a column value in the change log and on the wire."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@functools.cache
def columns(table: str) -> dict[str, Column[Any]]:
    """The columns of a synced table that travel (everything but the sync bookkeeping); read only."""
    model = SYNCED_MODELS.get(table)
    if model is None:
        raise ProtocolError(f"unknown table {table!r}; synced tables are {', '.join(sorted(SYNCED_MODELS))}")
    return {c.key: c for c in model.__table__.columns if c.key not in SYNC_BOOKKEEPING}


def decode(table: str, field: str, value: Any) -> Any:
    """The Python value of a JSON field value, checked against the column's type."""
    cols = columns(table)
    column = cols.get(field)
    if column is None:
        raise ProtocolError(f"{table} has no field {field!r}")
    if value is None:
        if not column.nullable:
            raise ProtocolError(f"{table}.{field} cannot be empty")
        return None
    kind = column.type
    try:
        if isinstance(kind, UtcDateTime):
            moment = datetime.fromisoformat(_text(value))
            if moment.tzinfo is None:
                raise ValueError("a time zone offset is required")
            return moment
        if isinstance(kind, Date):
            return date.fromisoformat(_text(value))
        if isinstance(kind, Vocab):
            return kind.enum_cls(_text(value))
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                raise ValueError("true or false expected")
            return value
        if isinstance(kind, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("a whole number expected")
            return value
        if isinstance(kind, String | Text):
            text = _text(value)
            length = getattr(kind, "length", None)
            if length and len(text) > length:
                raise ValueError(f"at most {length} characters")
            return text
        if isinstance(kind, JSON):
            return value
    except (TypeError, ValueError) as exc:
        raise ProtocolError(f"{table}.{field}: {exc}") from exc
    raise ProtocolError(f"{table}.{field} has a type the protocol does not carry")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"text expected, got {type(value).__name__}")
    return value


def decode_fields(table: str, fields: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(fields, dict):
        raise ProtocolError("fields must be an object of field names to values")
    return {name: decode(table, name, value) for name, value in fields.items()}
