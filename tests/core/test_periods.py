"""Days and ISO weeks beside months and quarters: parsing, what a bad input should say, and the office's days."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from saypro_desktop.core.periods import Period

JHB = ZoneInfo("Africa/Johannesburg")


def test_a_day_is_the_office_calendar_day():
    day = Period.day("2025-01-28")
    assert (day.first, day.last, day.kind, day.key) == (date(2025, 1, 28), date(2025, 1, 28), "day", "2025-01-28")
    assert day.label == "Tuesday 28 January 2025"
    # Midnight to midnight in Johannesburg: 22:00 UTC the evening before, to 22:00 UTC on the day.
    assert day.instants(JHB) == (datetime(2025, 1, 27, 22, tzinfo=UTC), datetime(2025, 1, 28, 22, tzinfo=UTC))


@pytest.mark.parametrize(("text", "first", "last", "label"), [
    ("2025-W05", date(2025, 1, 27), date(2025, 2, 2), "Week 5 of 2025 (27 January – 2 February 2025)"),
    ("2025-W03", date(2025, 1, 13), date(2025, 1, 19), "Week 3 of 2025 (13–19 January 2025)"),
    ("2026-W01", date(2025, 12, 29), date(2026, 1, 4), "Week 1 of 2026 (29 December 2025 – 4 January 2026)"),
    ("2026w53", date(2026, 12, 28), date(2027, 1, 3), "Week 53 of 2026 (28 December 2026 – 3 January 2027)"),
    ("2020W53", date(2020, 12, 28), date(2021, 1, 3), "Week 53 of 2020 (28 December 2020 – 3 January 2021)"),
])
def test_iso_weeks_run_monday_to_sunday_across_months_and_years(text, first, last, label):
    week = Period.week(text)
    assert (week.first, week.last, week.label, week.kind) == (first, last, label, "week")
    assert week.first.weekday() == 0 and len(week.days) == 7
    assert [d.first for d in week.days][-1] == last and all(d.kind == "day" for d in week.days)
    assert Period.week(week.key) == week


@pytest.mark.parametrize(("kind", "text", "message"), [
    ("week", "2026-W54", "2026-W54 does not exist: 2026 has 53 ISO weeks (2026-W01 to 2026-W53)"),
    ("week", "2025-W53", "2025-W53 does not exist: 2025 has 52 ISO weeks (2025-W01 to 2025-W52)"),
    ("week", "2025-W00", "2025-W00 does not exist"),
    ("week", "2025-01-28", "'2025-01-28' is not a week; write it as YYYY-Www (ISO week), e.g. 2025-W03"),
    ("week", "W05", "is not a week"),
    ("day", "2025-02-29", "2025-02-29 does not exist: February 2025 has 28 days"),
    ("day", "2024-02-30", "2024-02-30 does not exist: February 2024 has 29 days"),
    ("day", "2025-13-01", "2025-13-01 does not exist: a month is 01 to 12"),
    ("day", "28/01/2025", "'28/01/2025' is not a day; write it as YYYY-MM-DD, e.g. 2025-01-14"),
    ("day", "2025-W05", "is not a day"),
    ("fortnight", "2025-01", "'fortnight' is not a kind of period"),
])
def test_bad_input_says_what_to_fix(kind, text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Period.parse(kind, text)


def test_every_kind_parses_back_from_its_key():
    for kind, text in (("day", "2024-02-29"), ("week", "2025-W05"), ("month", "2025-01"), ("quarter", "2025Q1")):
        period = Period.parse(kind, text)
        assert period.key == text and Period.parse(kind, period.key) == period
