"""BusinessCalendar: opening hours, South African public holidays, business-time arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saypro_desktop.core.business_calendar import MAX_SEARCH_DAYS, BusinessCalendar

SAST = ZoneInfo("Africa/Johannesburg")
LONDON = ZoneInfo("Europe/London")


def sast(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=SAST)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar()


# -- holidays and working days ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 1, 1), "New Year's Day"),
        (date(2025, 3, 21), "Human Rights Day"),
        (date(2025, 4, 18), "Good Friday"),
        (date(2025, 4, 21), "Family Day"),
        (date(2025, 4, 28), "Freedom Day (observed)"),  # 27 April 2025 is a Sunday
        (date(2025, 12, 16), "Day of Reconciliation"),
        (date(2026, 8, 10), "National Women's Day (observed)"),  # 9 August 2026 is a Sunday
        (date(2027, 3, 22), "Human Rights Day (observed)"),  # 21 March 2027 is a Sunday
        (date(2025, 4, 22), None),
        (date(2025, 3, 20), None),
    ],
)
def test_south_african_holiday_names(cal: BusinessCalendar, day: date, name: str | None) -> None:
    assert cal.holiday_name(day) == name


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 3, 19), True),  # Wednesday
        (date(2025, 3, 21), False),  # Friday, Human Rights Day
        (date(2025, 3, 22), False),  # Saturday
        (date(2025, 3, 23), False),  # Sunday
        (date(2026, 8, 9), False),  # Sunday, National Women's Day
        (date(2026, 8, 10), False),  # Monday off in its place
        (date(2026, 8, 11), True),
        (date(2025, 4, 22), True),  # Tuesday after Family Day
    ],
)
def test_is_working_day(cal: BusinessCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_extra_holidays_plain_and_named() -> None:
    plain = BusinessCalendar(extra_holidays=[date(2025, 3, 19)])
    assert plain.holiday_name(date(2025, 3, 19)) == "Office holiday"
    assert plain.is_working_day(date(2025, 3, 19)) is False
    # Tuesday 17:30 + 1 h skips the office holiday on Wednesday
    assert plain.add_business_hours(sast(2025, 3, 18, 17, 30), 1) == sast(2025, 3, 20, 9, 30)

    named = BusinessCalendar(extra_holidays={date(2025, 12, 24): "Christmas Eve closure"})
    assert named.holiday_name(date(2025, 12, 24)) == "Christmas Eve closure"
    # a library holiday keeps its own name
    assert BusinessCalendar(extra_holidays=[date(2025, 3, 21)]).holiday_name(date(2025, 3, 21)) == "Human Rights Day"


def test_removed_holiday_becomes_a_working_day() -> None:
    cal = BusinessCalendar(removed_holidays=[date(2025, 3, 21)])
    assert cal.holiday_name(date(2025, 3, 21)) is None
    assert cal.is_working_day(date(2025, 3, 21)) is True
    assert cal.add_business_hours(sast(2025, 3, 20, 17, 30), 1) == sast(2025, 3, 21, 9, 30)
    # removal wins over an extra holiday on the same date
    both = BusinessCalendar(extra_holidays=[date(2025, 3, 19)], removed_holidays=[date(2025, 3, 19)])
    assert both.is_working_day(date(2025, 3, 19)) is True


def test_no_holiday_country() -> None:
    cal = BusinessCalendar(holiday_country=None)
    assert cal.holiday_name(date(2025, 3, 21)) is None
    assert cal.add_business_hours(sast(2025, 3, 20, 17, 30), 1) == sast(2025, 3, 21, 9, 30)


def test_holiday_subdivision() -> None:
    scotland = BusinessCalendar(tz="Europe/London", holiday_country="GB", holiday_subdivision="SCT")
    england = BusinessCalendar(tz="Europe/London", holiday_country="GB", holiday_subdivision="ENG")
    assert scotland.holiday_name(date(2025, 1, 2)) == "New Year Holiday"
    assert england.holiday_name(date(2025, 1, 2)) is None


# -- business time and next start ----------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (sast(2025, 3, 19, 8, 59, 59), False),
        (sast(2025, 3, 19, 9, 0), True),  # opening is inclusive
        (sast(2025, 3, 19, 17, 59, 59), True),
        (sast(2025, 3, 19, 18, 0), False),  # closing is exclusive
        (utc(2025, 3, 19, 7, 0), True),  # 09:00 SAST given in UTC
        (utc(2025, 3, 19, 6, 59), False),
        (sast(2025, 3, 22, 10, 0), False),  # Saturday
        (sast(2025, 3, 21, 10, 0), False),  # Human Rights Day
    ],
)
def test_is_business_time(cal: BusinessCalendar, moment: datetime, inside: bool) -> None:
    assert cal.is_business_time(moment) is inside


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (sast(2025, 3, 19, 10, 15), sast(2025, 3, 19, 10, 15)),  # inside: itself
        (sast(2025, 3, 19, 7, 0), sast(2025, 3, 19, 9, 0)),  # before opening
        (sast(2025, 3, 19, 18, 0), sast(2025, 3, 20, 9, 0)),  # at closing
        (sast(2025, 3, 19, 21, 0), sast(2025, 3, 20, 9, 0)),  # evening
        (sast(2025, 3, 20, 19, 0), sast(2025, 3, 24, 9, 0)),  # Thursday evening, Friday holiday, weekend
        (sast(2025, 3, 29, 12, 0), sast(2025, 3, 31, 9, 0)),  # Saturday
    ],
)
def test_next_business_start(cal: BusinessCalendar, moment: datetime, expected: datetime) -> None:
    result = cal.next_business_start(moment)
    assert result == expected
    assert result.tzinfo is UTC


def test_local_date(cal: BusinessCalendar) -> None:
    assert cal.local_date(utc(2025, 3, 20, 22, 30)) == date(2025, 3, 21)
    assert cal.local_date(utc(2025, 3, 20, 21, 59)) == date(2025, 3, 20)


# -- add_business_hours -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (sast(2025, 3, 19, 10, 0), 1, sast(2025, 3, 19, 11, 0)),  # within hours
        (sast(2025, 3, 19, 17, 0), 1, sast(2025, 3, 19, 18, 0)),  # ends exactly at closing
        (sast(2025, 3, 19, 17, 30), 1, sast(2025, 3, 20, 9, 30)),  # rolls over the night
        (sast(2025, 3, 19, 19, 0), 1, sast(2025, 3, 20, 10, 0)),  # evening arrival
        (sast(2025, 3, 19, 6, 0), 1, sast(2025, 3, 19, 10, 0)),  # early morning arrival
        (sast(2025, 3, 28, 17, 30), 1, sast(2025, 3, 31, 9, 30)),  # Friday evening -> Monday
        (sast(2025, 3, 29, 11, 0), 1, sast(2025, 3, 31, 10, 0)),  # Saturday -> Monday
        (sast(2025, 3, 30, 23, 59), 1, sast(2025, 3, 31, 10, 0)),  # Sunday night -> Monday
        (sast(2025, 6, 13, 17, 30), 1, sast(2025, 6, 17, 9, 30)),  # Friday, Monday 16 June is Youth Day
        (sast(2025, 4, 17, 17, 30), 1, sast(2025, 4, 22, 9, 30)),  # Easter: Good Friday and Family Day
        (sast(2026, 8, 7, 17, 30), 1, sast(2026, 8, 11, 9, 30)),  # Women's Day on Sunday, Monday observed
        (sast(2025, 3, 19, 17, 45), 0.5, sast(2025, 3, 20, 9, 15)),  # fractional hours
        (sast(2025, 3, 19, 10, 0), 0.25, sast(2025, 3, 19, 10, 15)),
        (sast(2025, 3, 17, 10, 0), 20, sast(2025, 3, 19, 12, 0)),  # 8 + 9 + 3
        (sast(2025, 3, 20, 10, 0), 20, sast(2025, 3, 25, 12, 0)),  # 8 + (holiday, weekend) 9 + 3
        (sast(2025, 3, 19, 9, 0), 9, sast(2025, 3, 19, 18, 0)),  # a whole day
        (sast(2025, 3, 29, 11, 0), 0, sast(2025, 3, 31, 9, 0)),  # zero: next business start
        (sast(2025, 3, 19, 11, 0), 0, sast(2025, 3, 19, 11, 0)),
    ],
)
def test_add_business_hours(cal: BusinessCalendar, start: datetime, hours: float, expected: datetime) -> None:
    result = cal.add_business_hours(start, hours)
    assert result == expected
    assert result.tzinfo is UTC


def test_add_business_hours_accepts_any_input_zone(cal: BusinessCalendar) -> None:
    # Friday 15:30 UTC is 17:30 SAST
    assert cal.add_business_hours(utc(2025, 3, 28, 15, 30), 1) == utc(2025, 3, 31, 7, 30)


@pytest.mark.parametrize("hours", [-1, -0.001, float("nan"), float("inf"), True, "1"])
def test_add_business_hours_rejects_bad_hours(cal: BusinessCalendar, hours: object) -> None:
    with pytest.raises(ValueError, match="hours must be a finite number >= 0"):
        cal.add_business_hours(sast(2025, 3, 19, 10), hours)  # type: ignore[arg-type]


def test_custom_hours_with_saturday_morning() -> None:
    hours = {d: (time(9), time(18)) for d in range(5)} | {5: (time(9), time(13))}
    cal = BusinessCalendar(hours=hours)
    assert cal.is_working_day(date(2025, 3, 29)) is True  # Saturday
    assert cal.is_working_day(date(2025, 3, 30)) is False  # Sunday
    assert cal.add_business_hours(sast(2025, 3, 28, 17, 30), 1) == sast(2025, 3, 29, 9, 30)
    assert cal.add_business_hours(sast(2025, 3, 29, 12, 30), 1) == sast(2025, 3, 31, 9, 30)
    assert cal.is_business_time(sast(2025, 3, 29, 13, 0)) is False
    assert cal.business_hours_between(sast(2025, 3, 28, 9), sast(2025, 3, 31, 9)) == 13.0


def test_weekday_mapped_to_none_is_closed() -> None:
    cal = BusinessCalendar(hours={0: (time(9), time(17)), 1: None})  # type: ignore[dict-item]
    assert cal.is_working_day(date(2025, 3, 18)) is False  # Tuesday
    assert cal.add_business_hours(sast(2025, 3, 17, 16, 0), 2) == sast(2025, 3, 24, 10, 0)


# -- daylight saving ------------------------------------------------------------------------


def test_dst_zone_weekend_spanning_the_spring_change() -> None:
    cal = BusinessCalendar(tz="Europe/London", holiday_country=None)
    # Friday 28 March 2025 17:30 GMT; clocks go forward on Sunday 30 March; Monday 09:30 BST is 08:30 UTC
    result = cal.add_business_hours(datetime(2025, 3, 28, 17, 30, tzinfo=LONDON), 1)
    assert result == utc(2025, 3, 31, 8, 30)
    assert result.tzinfo is UTC
    assert cal.next_business_start(utc(2025, 3, 31, 7, 59)) == utc(2025, 3, 31, 8, 0)
    assert cal.is_business_time(utc(2025, 3, 31, 8, 0)) is True
    assert cal.is_business_time(utc(2025, 3, 28, 17, 30)) is True  # 17:30 GMT, open until 18:00 GMT
    assert cal.is_business_time(utc(2025, 3, 28, 18, 0)) is False
    assert cal.is_business_time(utc(2025, 3, 31, 17, 0)) is False  # 18:00 BST
    assert cal.local_date(utc(2025, 6, 1, 23, 30)) == date(2025, 6, 2)


def test_dst_zone_counts_real_hours_on_change_days() -> None:
    cal = BusinessCalendar(tz="Europe/London", hours={6: (time(0, 30), time(3, 30))}, holiday_country=None)
    # spring forward 30 March 2025: 00:30 GMT to 03:30 BST is two real hours
    assert cal.business_hours_between(utc(2025, 3, 29), utc(2025, 3, 31)) == 2.0
    assert cal.add_business_hours(utc(2025, 3, 30, 0, 30), 2) == utc(2025, 3, 30, 2, 30)
    # fall back 26 October 2025: 00:30 BST to 03:30 GMT is four real hours
    assert cal.business_hours_between(utc(2025, 10, 25), utc(2025, 10, 27)) == 4.0
    assert cal.add_business_hours(utc(2025, 10, 25, 23, 30), 4) == utc(2025, 10, 26, 3, 30)
    # an ordinary Sunday has three
    assert cal.business_hours_between(utc(2025, 4, 5), utc(2025, 4, 7)) == 3.0


# -- business_hours_between -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (sast(2025, 3, 19, 10), sast(2025, 3, 19, 12, 30), 2.5),
        (sast(2025, 3, 19, 10), sast(2025, 3, 19, 10), 0.0),
        (sast(2025, 3, 19, 19), sast(2025, 3, 20, 8), 0.0),  # overnight
        (sast(2025, 3, 28, 17), sast(2025, 3, 31, 10), 2.0),  # over a weekend
        (sast(2025, 3, 31, 10), sast(2025, 3, 28, 17), -2.0),  # reversed
        (sast(2025, 4, 17, 9), sast(2025, 4, 22, 18), 18.0),  # Easter weekend
        (sast(2025, 3, 17, 0), sast(2025, 3, 24, 0), 36.0),  # week with Human Rights Day
        (utc(2025, 3, 19, 7), utc(2025, 3, 19, 8), 1.0),
    ],
)
def test_business_hours_between(cal: BusinessCalendar, a: datetime, b: datetime, expected: float) -> None:
    assert cal.business_hours_between(a, b) == expected


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(SAST)),
    minutes=st.integers(min_value=0, max_value=200 * 60),
)
def test_round_trip_sast(start: datetime, minutes: int) -> None:
    cal = BusinessCalendar()
    hours = minutes / 60
    end = cal.add_business_hours(start, hours)
    assert end >= start
    assert cal.business_hours_between(start, end) == pytest.approx(hours, abs=1e-6)
    assert cal.business_hours_between(end, start) == pytest.approx(-hours, abs=1e-6)
    if minutes:
        assert cal.is_business_time(end - timedelta(microseconds=1)) is True


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(LONDON)),
    first=st.integers(min_value=0, max_value=60 * 60),
    second=st.integers(min_value=0, max_value=60 * 60),
)
def test_round_trip_and_additivity_in_dst_zone(start: datetime, first: int, second: int) -> None:
    cal = BusinessCalendar(tz="Europe/London", holiday_country="GB", holiday_subdivision="ENG")
    step = cal.add_business_hours(start, first / 60)
    total = cal.add_business_hours(start, (first + second) / 60)
    assert cal.business_hours_between(start, total) == pytest.approx((first + second) / 60, abs=1e-6)
    assert abs(cal.add_business_hours(step, second / 60) - total) <= timedelta(microseconds=2)


# -- rejected input -------------------------------------------------------------------------


def test_naive_datetimes_are_rejected(cal: BusinessCalendar) -> None:
    naive = datetime(2025, 3, 19, 10, 0)
    aware = sast(2025, 3, 19, 10, 0)
    calls = [
        lambda: cal.is_business_time(naive),
        lambda: cal.next_business_start(naive),
        lambda: cal.add_business_hours(naive, 1),
        lambda: cal.business_hours_between(naive, aware),
        lambda: cal.business_hours_between(aware, naive),
        lambda: cal.local_date(naive),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="must be timezone-aware"):
            call()


def test_calendar_without_open_hours_is_rejected() -> None:
    with pytest.raises(ValueError, match="no opening hours"):
        BusinessCalendar(hours={})
    with pytest.raises(ValueError, match="no opening hours"):
        BusinessCalendar(hours={0: None, 6: None})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hours": {0: (time(18), time(9))}}, "opening must be before closing"),
        ({"hours": {0: (time(9), time(9))}}, "opening must be before closing"),
        ({"hours": {7: (time(9), time(18))}}, "weekday must be an integer 0"),
        ({"hours": {0: ("09:00", "18:00")}}, "pair of datetime.time"),
        ({"tz": "Mars/Olympus_Mons"}, "unknown time zone"),
        ({"holiday_country": "XX"}, "no public holidays known for 'XX'"),
        ({"holiday_subdivision": "XX"}, "no public holidays known for 'ZA'"),
        ({"holiday_country": None, "holiday_subdivision": "ENG"}, "needs a holiday_country"),
    ],
)
def test_invalid_construction(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**kwargs)


def test_search_is_capped_when_no_day_ever_opens() -> None:
    mondays = [date(2025, 3, 17) + timedelta(weeks=w) for w in range(MAX_SEARCH_DAYS // 7 + 10)]
    cal = BusinessCalendar(hours={0: (time(9), time(18))}, holiday_country=None, extra_holidays=mondays)
    with pytest.raises(ValueError, match="no business hours found"):
        cal.add_business_hours(sast(2025, 3, 17, 10), 1)
    with pytest.raises(ValueError, match="no business hours found"):
        cal.next_business_start(sast(2025, 3, 17, 10))
