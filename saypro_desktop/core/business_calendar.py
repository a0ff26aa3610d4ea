"""Office business hours and public holidays, and arithmetic in business time.

All datetimes passed in must be timezone-aware; all datetimes returned are aware and in UTC.
Opening hours are read in the local time of the calendar's zone, one local day at a time, so
zones with daylight saving are handled: a day's opening and closing are converted to UTC
separately and the real elapsed time between them is what counts.

Business time is the half-open interval ``[open, close)`` of every working day; a working day is
a weekday with opening hours that is not a public holiday (from the maintained ``holidays``
library, plus ``extra_holidays``, minus ``removed_holidays``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

DEFAULT_HOURS: Mapping[int, tuple[time, time]] = {weekday: (time(9), time(18)) for weekday in range(5)}
"""Monday to Friday, 09:00-18:00."""

EXTRA_HOLIDAY_NAME = "Office holiday"
"""Name reported for an ``extra_holidays`` date given without a name."""

MAX_SEARCH_DAYS = 3660
"""About ten years: searching further than this for an open day is treated as an error."""

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _require_aware(moment: datetime, name: str) -> datetime:
    """Return ``moment`` in UTC; reject anything that is not a timezone-aware datetime."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive datetime {moment.isoformat()}")
    return moment.astimezone(UTC)


def _known_country(code: str) -> bool:
    """Whether the holidays library has ``code`` (ZA, ZAF, SouthAfrica...), from its registry of names: the
    country itself is then loaded on the first holiday looked up. Building one imports every country the
    library has (0.1-0.15 s), which a window that only wants the time zone should not wait for."""
    try:
        from holidays.registry import COUNTRIES
    except ImportError:  # a holidays without the registry: let country_holidays() decide
        return False
    return any(code in names for names in COUNTRIES.values())


class BusinessCalendar:
    """Opening hours per weekday in one time zone, with a country's public holidays.

    ``hours`` maps a weekday (0 = Monday) to ``(open, close)`` local times; a weekday that is
    missing (or mapped to ``None``) is closed. ``extra_holidays`` may be a plain iterable of dates
    or a mapping of date to name. A calendar that is never open is rejected.
    """

    def __init__(
        self,
        tz: str = "Africa/Johannesburg",
        hours: Mapping[int, tuple[time, time]] | None = None,
        holiday_country: str | None = "ZA",
        holiday_subdivision: str | None = None,
        extra_holidays: Iterable[date] = (),
        removed_holidays: Iterable[date] = (),
    ) -> None:
        try:
            self.tz: ZoneInfo = tz if isinstance(tz, ZoneInfo) else ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc

        self._hours: dict[int, tuple[time, time]] = {}
        for weekday, span in (DEFAULT_HOURS if hours is None else hours).items():
            if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
                raise ValueError(f"weekday must be an integer 0 (Monday) to 6 (Sunday), got {weekday!r}")
            if span is None:
                continue
            opening, closing = span
            if not (isinstance(opening, time) and isinstance(closing, time)):
                raise ValueError(f"{_WEEKDAYS[weekday]} hours must be a pair of datetime.time, got {span!r}")
            if opening.tzinfo is not None or closing.tzinfo is not None:
                raise ValueError(f"{_WEEKDAYS[weekday]} hours must be naive local times (the zone is {self.tz.key})")
            if not opening < closing:
                raise ValueError(
                    f"{_WEEKDAYS[weekday]} opens at {opening.isoformat()} but closes at {closing.isoformat()}; "
                    "opening must be before closing on the same day"
                )
            self._hours[weekday] = (opening, closing)
        if not self._hours:
            raise ValueError("the calendar has no opening hours on any weekday; business time could never elapse")

        self._country = holiday_country
        self._subdivision = holiday_subdivision
        if holiday_country is not None and not (holiday_subdivision is None and _known_country(holiday_country)):
            try:  # fail now, not on the first lookup, for an unknown country or subdivision
                holidays.country_holidays(holiday_country, subdiv=holiday_subdivision, years=[])
            except NotImplementedError as exc:
                raise ValueError(f"no public holidays known for {holiday_country!r}: {exc}") from exc
        elif holiday_subdivision is not None:
            raise ValueError("holiday_subdivision needs a holiday_country")

        if isinstance(extra_holidays, Mapping):
            self._extra = {d: str(name) for d, name in extra_holidays.items()}
        else:
            self._extra = dict.fromkeys(extra_holidays, EXTRA_HOLIDAY_NAME)
        self._removed = frozenset(removed_holidays)
        self._by_year: dict[int, dict[date, str]] = {}

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(tz={self.tz.key!r}, holiday_country={self._country!r}, "
            f"holiday_subdivision={self._subdivision!r})"
        )

    # -- days ---------------------------------------------------------------------------------

    def _library_holidays(self, year: int) -> dict[date, str]:
        cached = self._by_year.get(year)
        if cached is None:
            cached = {}
            if self._country is not None:
                found = holidays.country_holidays(self._country, subdiv=self._subdivision, years=year)
                cached = dict(found.items())
            self._by_year[year] = cached
        return cached

    def holiday_name(self, d: date) -> str | None:
        """The holiday's name if ``d`` is a public or extra holiday (and not removed), else ``None``."""
        if isinstance(d, datetime):
            raise TypeError("holiday_name takes a date; use local_date() to turn a datetime into one")
        if d in self._removed:
            return None
        return self._library_holidays(d.year).get(d) or self._extra.get(d)

    def is_working_day(self, d: date) -> bool:
        """True if the office has opening hours on ``d`` and it is not a holiday."""
        return d.weekday() in self._hours and self.holiday_name(d) is None

    def local_date(self, moment: datetime) -> date:
        """The calendar date of ``moment`` in the calendar's zone."""
        return _require_aware(moment, "moment").astimezone(self.tz).date()

    # -- intervals ----------------------------------------------------------------------------

    def _interval(self, d: date) -> tuple[datetime, datetime] | None:
        """The UTC ``(open, close)`` of local day ``d``, or ``None`` if it is not a working day."""
        if not self.is_working_day(d):
            return None
        opening, closing = self._hours[d.weekday()]
        start = datetime.combine(d, opening, tzinfo=self.tz).astimezone(UTC)
        end = datetime.combine(d, closing, tzinfo=self.tz).astimezone(UTC)
        return (start, end) if start < end else None  # only possible inside a DST gap

    def _intervals_from(self, d: date) -> Iterator[tuple[datetime, datetime]]:
        """Working-day intervals from local day ``d`` on; fails after ``MAX_SEARCH_DAYS`` closed days in a row."""
        closed_run = 0
        while True:
            interval = self._interval(d)
            if interval is None:
                closed_run += 1
                if closed_run > MAX_SEARCH_DAYS:
                    raise ValueError(f"no business hours found in the {MAX_SEARCH_DAYS} days before {d.isoformat()}")
            else:
                closed_run = 0
                yield interval
            d += timedelta(days=1)

    # -- moments ------------------------------------------------------------------------------

    def is_business_time(self, moment: datetime) -> bool:
        """True if ``moment`` falls within opening hours (opening inclusive, closing exclusive)."""
        utc = _require_aware(moment, "moment")
        interval = self._interval(utc.astimezone(self.tz).date())
        return interval is not None and interval[0] <= utc < interval[1]

    def next_business_start(self, moment: datetime) -> datetime:
        """``moment`` itself (in UTC) if it is business time, else the next opening."""
        utc = _require_aware(moment, "moment")
        for opening, closing in self._intervals_from(utc.astimezone(self.tz).date()):
            if utc < closing:
                return max(opening, utc)
        raise AssertionError("unreachable")  # pragma: no cover

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """The moment when ``hours`` of business time have passed since ``start``.

        The clock runs only during opening hours: a Friday 17:30 start plus one hour is Monday
        09:30 (later if Monday is a holiday). A result may be a closing time exactly (a Friday
        17:00 start plus one hour is Friday 18:00). Zero hours gives ``next_business_start``.
        """
        utc = _require_aware(start, "start")
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours) or hours < 0:
            raise ValueError(f"hours must be a finite number >= 0, got {hours!r}")
        left = timedelta(hours=hours)
        for opening, closing in self._intervals_from(utc.astimezone(self.tz).date()):
            if utc >= closing:
                continue
            segment_start = max(opening, utc)
            available = closing - segment_start
            if left <= available:
                return segment_start + left
            left -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def business_hours_between(self, a: datetime, b: datetime) -> float:
        """Business hours from ``a`` to ``b``; negative if ``b`` is before ``a``."""
        start, end = _require_aware(a, "a"), _require_aware(b, "b")
        if end < start:
            return -self.business_hours_between(end, start)
        total = timedelta()
        d, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        while d <= last:
            interval = self._interval(d)
            if interval is not None:
                lo, hi = max(interval[0], start), min(interval[1], end)
                if lo < hi:
                    total += hi - lo
            d += timedelta(days=1)
        return total / timedelta(hours=1)
