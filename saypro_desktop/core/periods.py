"""Reporting periods: a month (``2025-01``) or a quarter (``2025Q1``)."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    label: str
    kind: str  # month, quarter

    @classmethod
    def month(cls, text: str) -> Period:
        m = _MONTH.match(text.strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2025-01")
        y, mo = int(m.group(1)), int(m.group(2))
        first = date(y, mo, 1)
        return cls(first, date(y, mo, monthrange(y, mo)[1]), first.strftime("%B %Y"), "month")

    @classmethod
    def quarter(cls, text: str) -> Period:
        m = _QUARTER.match(text.strip())
        if not m:
            raise ValueError(f"{text!r} is not a quarter; write it as YYYYQn, e.g. 2025Q1")
        y, q = int(m.group(1)), int(m.group(2))
        first = date(y, 3 * q - 2, 1)
        last_month = 3 * q
        return cls(first, date(y, last_month, monthrange(y, last_month)[1]), f"Q{q} {y}", "quarter")

    @property
    def months(self) -> list[Period]:
        out, d = [], self.first
        while d <= self.last:
            out.append(Period.month(f"{d.year}-{d.month:02d}"))
            d = out[-1].last + timedelta(days=1)
        return out

    def instants(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) of the period as UTC instants, for the office time zone ``tz``."""
        start = datetime.combine(self.first, time(), tzinfo=tz)
        end = datetime.combine(self.last + timedelta(days=1), time(), tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)

    def __contains__(self, d: date) -> bool:
        return self.first <= d <= self.last
