"""Checks on values from the wire that the shared codec (``sync.protocol.decode``) does not make but a
database would trip over: NUL characters and lone surrogates (PostgreSQL refuses them), integers past
32 bits, moments that leave the calendar when converted to UTC, malformed ids and clock stamps."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Integer

from saypro_desktop.core.hlc import MAX_DRIFT_MS, Stamp
from saypro_desktop.sync.protocol import ProtocolError, columns


class Refused(Exception):
    """A mutation the server will not apply (acknowledged as ``rejected`` with this reason, which says what to fix)."""


STAMP_RE = re.compile(r"^\d{13}-[0-9a-f]{5}-[0-9a-f]{12}\Z")
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


def text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text"
    return None


def check_storable(where: str, value: Any, depth: int = 0) -> None:
    """Refuse what no column can keep, anywhere inside a (JSON) value."""
    if depth > 32:
        raise ProtocolError(f"{where} is nested too deeply")
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ProtocolError(f"{where} {problem}")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_storable(where, key, depth + 1)
            check_storable(where, item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_storable(where, item, depth + 1)
    elif isinstance(value, float) and value != value:  # NaN cannot be written as JSON
        raise ProtocolError(f"{where} is not a number")


def check_decoded(table: str, field: str, value: Any) -> None:
    """After ``decode``: what the column's type accepts in Python but the database would not."""
    where = f"{table}.{field}"
    check_storable(where, value)
    if isinstance(value, datetime):
        try:
            value.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise ProtocolError(f"{where}: the moment is outside the calendar in UTC") from exc
    kind = columns(table)[field].type
    if isinstance(value, int) and not isinstance(value, bool) and isinstance(kind, Integer):
        low, high = INT64 if isinstance(kind, BigInteger) else INT32
        if not low <= value <= high:
            raise ProtocolError(f"{where}: {value} is out of range")


def parse_stamp(text: str) -> Stamp:
    if not isinstance(text, str) or not STAMP_RE.match(text):
        raise ProtocolError(f"{text!r} is not a clock stamp (<wall ms:13>-<counter:5 hex>-<device:12 hex>)")
    return Stamp.parse(text)


def clamp_stamp(stamp: Stamp, now: datetime) -> tuple[Stamp, str | None]:
    """A stamp more than 24 h ahead of the server's clock is pulled back to that limit (and said so)."""
    limit = int(now.timestamp() * 1000) + MAX_DRIFT_MS
    if stamp.wall_ms <= limit:
        return stamp, None
    hours = (stamp.wall_ms - limit + MAX_DRIFT_MS) / 3_600_000
    return (Stamp(limit, 0, stamp.device),
            f"applied; the desktop's clock is {hours:.1f} h ahead of the server's, its stamp was clamped")
