"""Reporting periods: a day (``2025-01-14``), an ISO week (``2025-W03``), a month (``2025-01``) or a quarter
(``2025Q1``). A day is the office's calendar day: ``instants`` turns any period into UTC moments for the office
time zone, and inquiries carry the local date they were logged on."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
KINDS = ("day", "week", "month", "quarter")


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    label: str
    kind: str  # day, week, month, quarter

    @classmethod
    def parse(cls, kind: str, text: str) -> Period:
        """A period of ``kind`` (day, week, month or quarter) from its text."""
        if kind not in KINDS:
            raise ValueError(f"{kind!r} is not a kind of period; use one of {', '.join(KINDS)}")
        return getattr(cls, kind)(text)

    @classmethod
    def day(cls, text: str) -> Period:
        """``2025-01-14``: one calendar day of the office."""
        m = _DAY.match(text.strip())
        if not m:
            raise ValueError(f"{text!r} is not a day; write it as YYYY-MM-DD, e.g. 2025-01-14")
        y, mo, d = (int(g) for g in m.groups())
        if not 1 <= mo <= 12:
            raise ValueError(f"{text.strip()} does not exist: a month is 01 to 12")
        if not 1 <= d <= monthrange(y, mo)[1]:
            raise ValueError(f"{text.strip()} does not exist: {date(y, mo, 1):%B %Y} has {monthrange(y, mo)[1]} days")
        day = date(y, mo, d)
        return cls(day, day, f"{day:%A} {day.day} {day:%B %Y}", "day")

    @classmethod
    def week(cls, text: str) -> Period:
        """``2025-W03``: an ISO 8601 week, Monday to Sunday (week 1 holds the year's first Thursday)."""
        m = _WEEK.match(text.strip())
        if not m:
            raise ValueError(f"{text!r} is not a week; write it as YYYY-Www (ISO week), e.g. 2025-W03")
        y, w = int(m.group(1)), int(m.group(2))
        weeks = date(y, 12, 28).isocalendar()[1]  # 28 December is always in the year's last ISO week
        if not 1 <= w <= weeks:
            raise ValueError(f"{y}-W{w:02d} does not exist: {y} has {weeks} ISO weeks ({y}-W01 to {y}-W{weeks})")
        first = date.fromisocalendar(y, w, 1)
        last = first + timedelta(days=6)
        return cls(first, last, f"Week {w} of {y} ({_span(first, last)})", "week")

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
    def key(self) -> str:
        """The period as typed on the command line: 2025-01-14, 2025-W03, 2025-01 or 2025Q1."""
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "quarter":
            return f"{self.first.year}Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first:%Y-%m}"

    @property
    def days(self) -> list[Period]:
        """Each calendar day of the period, in order."""
        return [Period.day((self.first + timedelta(days=n)).isoformat())
                for n in range((self.last - self.first).days + 1)]

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


def _span(first: date, last: date) -> str:
    """13–19 January 2025; 27 January – 2 February 2025; 29 December 2025 – 4 January 2026."""
    if first.year != last.year:
        return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
    return f"{first.day}–{last.day} {last:%B %Y}"
