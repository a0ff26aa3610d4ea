"""SLA policy, due times and clock states."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from saypro_desktop.core.business_calendar import BusinessCalendar
from saypro_desktop.core.sla import (
    SlaPolicy,
    SlaState,
    ack_due,
    auto_escalation_due,
    clock_state,
    remaining,
    resolution_due,
)
from saypro_desktop.core.vocab import Priority

SAST = ZoneInfo("Africa/Johannesburg")


def sast(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=SAST)


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar()


def test_state_labels() -> None:
    assert [s.value for s in SlaState] == ["On track", "At risk", "Breached", "Met", "Missed"]


def test_policy_defaults() -> None:
    policy = SlaPolicy()
    assert (
        policy.ack_business_hours,
        policy.resolution_hours_high,
        policy.resolution_hours_standard,
        policy.resolution_in_business_hours,
        policy.at_risk_fraction,
        policy.auto_escalate_after_hours,
    ) == (1.0, 24.0, 48.0, False, 0.25, 48.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.ack_business_hours = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ack_business_hours", 0, "ack_business_hours must be a positive number of hours"),
        ("ack_business_hours", -1.0, "ack_business_hours must be a positive number of hours"),
        ("resolution_hours_high", 0.0, "resolution_hours_high must be a positive number of hours"),
        ("resolution_hours_standard", -48, "resolution_hours_standard must be a positive number of hours"),
        ("auto_escalate_after_hours", 0, "auto_escalate_after_hours must be a positive number of hours"),
        ("ack_business_hours", float("nan"), "ack_business_hours must be a finite number"),
        ("resolution_hours_high", float("inf"), "resolution_hours_high must be a finite number"),
        ("resolution_hours_standard", "48", "resolution_hours_standard must be a finite number"),
        ("ack_business_hours", True, "ack_business_hours must be a finite number"),
        ("at_risk_fraction", 0, "at_risk_fraction must be between 0 and 1"),
        ("at_risk_fraction", 1, "at_risk_fraction must be between 0 and 1"),
        ("at_risk_fraction", 1.5, "at_risk_fraction must be between 0 and 1"),
        ("at_risk_fraction", -0.1, "at_risk_fraction must be between 0 and 1"),
        ("resolution_in_business_hours", 1, "resolution_in_business_hours must be True or False"),
    ],
)
def test_policy_validation(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SlaPolicy(**{field: value})


def test_policy_accepts_edge_values() -> None:
    policy = SlaPolicy(ack_business_hours=0.25, at_risk_fraction=0.99, resolution_in_business_hours=True)
    assert (policy.ack_business_hours, policy.at_risk_fraction) == (0.25, 0.99)


# -- due times --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (sast(2025, 3, 19, 10, 0), sast(2025, 3, 19, 11, 0)),
        (sast(2025, 3, 28, 17, 30), sast(2025, 3, 31, 9, 30)),  # Friday evening -> Monday
        (sast(2025, 3, 29, 11, 0), sast(2025, 3, 31, 10, 0)),  # Saturday -> Monday
        (sast(2025, 4, 17, 17, 30), sast(2025, 4, 22, 9, 30)),  # Easter weekend
    ],
)
def test_ack_due(cal: BusinessCalendar, received: datetime, expected: datetime) -> None:
    due = ack_due(cal, SlaPolicy(), received)
    assert due == expected
    assert due.tzinfo is UTC


def test_ack_due_custom_hours(cal: BusinessCalendar) -> None:
    assert ack_due(cal, SlaPolicy(ack_business_hours=2), sast(2025, 3, 28, 17, 30)) == sast(2025, 3, 31, 10, 30)


@pytest.mark.parametrize(
    ("priority", "expected"),
    [
        (Priority.CRITICAL, sast(2025, 3, 20, 10, 0)),
        (Priority.HIGH, sast(2025, 3, 20, 10, 0)),
        (Priority.NORMAL, sast(2025, 3, 21, 10, 0)),  # clock hours: the holiday does not stop the clock
        (Priority.LOW, sast(2025, 3, 21, 10, 0)),
    ],
)
def test_resolution_due_in_clock_hours(cal: BusinessCalendar, priority: Priority, expected: datetime) -> None:
    due = resolution_due(cal, SlaPolicy(), sast(2025, 3, 19, 10, 0), priority)
    assert due == expected
    assert due.tzinfo is UTC


def test_resolution_due_clock_hours_run_over_the_weekend(cal: BusinessCalendar) -> None:
    assert resolution_due(cal, SlaPolicy(), sast(2025, 3, 28, 17, 30), Priority.NORMAL) == sast(2025, 3, 30, 17, 30)


@pytest.mark.parametrize(
    ("priority", "expected"),
    [
        # Friday 14 March 17:30: 0.5 h Friday, 9 h Monday, 9 h Tuesday, 5.5 h Wednesday
        (Priority.HIGH, sast(2025, 3, 19, 14, 30)),
        (Priority.CRITICAL, sast(2025, 3, 19, 14, 30)),
        # 48 h: ... 9 h Thursday 20th, Friday 21st is Human Rights Day, 9 h Monday 24th, 2.5 h Tuesday 25th
        (Priority.NORMAL, sast(2025, 3, 25, 11, 30)),
        (Priority.LOW, sast(2025, 3, 25, 11, 30)),
    ],
)
def test_resolution_due_in_business_hours(cal: BusinessCalendar, priority: Priority, expected: datetime) -> None:
    policy = SlaPolicy(resolution_in_business_hours=True)
    due = resolution_due(cal, policy, sast(2025, 3, 14, 17, 30), priority)
    assert due == expected
    assert due.tzinfo is UTC


def test_resolution_due_accepts_priority_label(cal: BusinessCalendar) -> None:
    assert resolution_due(cal, SlaPolicy(), sast(2025, 3, 19, 10), "High") == sast(2025, 3, 20, 10)  # type: ignore[arg-type]


# -- clock states -----------------------------------------------------------------------------

START = sast(2025, 3, 19, 10, 0)
DUE = sast(2025, 3, 19, 14, 0)  # four-hour window; at risk in the last hour at 0.25


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (sast(2025, 3, 19, 9, 0), SlaState.ON_TRACK),  # before the clock started
        (START, SlaState.ON_TRACK),
        (sast(2025, 3, 19, 12, 59, 59), SlaState.ON_TRACK),
        (sast(2025, 3, 19, 13, 0, 0), SlaState.ON_TRACK),  # exactly a quarter left: not yet at risk
        (sast(2025, 3, 19, 13, 0, 1), SlaState.AT_RISK),
        (sast(2025, 3, 19, 13, 59, 59), SlaState.AT_RISK),
        (DUE, SlaState.AT_RISK),  # at the due time itself: not yet breached
        (DUE + timedelta(microseconds=1), SlaState.BREACHED),
        (sast(2025, 3, 25, 9, 0), SlaState.BREACHED),
    ],
)
def test_clock_state_open(now: datetime, state: SlaState) -> None:
    assert clock_state(START, DUE, None, now, 0.25) is state


@pytest.mark.parametrize(
    ("done", "now", "state"),
    [
        (sast(2025, 3, 19, 11, 0), sast(2025, 3, 19, 11, 0), SlaState.MET),
        (DUE, DUE, SlaState.MET),  # done exactly at the due time
        (DUE + timedelta(seconds=1), DUE + timedelta(seconds=1), SlaState.MISSED),
        (sast(2025, 3, 19, 13, 30), sast(2025, 3, 30), SlaState.MET),  # done in time, looked at much later
        (sast(2025, 3, 20, 9, 0), sast(2025, 3, 20, 9, 0), SlaState.MISSED),
    ],
)
def test_clock_state_done(done: datetime, now: datetime, state: SlaState) -> None:
    assert clock_state(START, DUE, done, now, 0.25) is state


def test_clock_state_fraction_changes_the_risk_threshold() -> None:
    now = sast(2025, 3, 19, 12, 30)  # 1.5 h of 4 h left
    assert clock_state(START, DUE, None, now, 0.25) is SlaState.ON_TRACK
    assert clock_state(START, DUE, None, now, 0.5) is SlaState.AT_RISK


def test_clock_state_compares_instants_across_zones() -> None:
    # 11:30 UTC is 13:30 SAST: half an hour left of a four-hour window
    assert clock_state(START, DUE, None, datetime(2025, 3, 19, 11, 30, tzinfo=UTC), 0.25) is SlaState.AT_RISK
    assert clock_state(START, DUE, None, datetime(2025, 3, 19, 10, 30, tzinfo=UTC), 0.25) is SlaState.ON_TRACK


def test_clock_state_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="is before started_at"):
        clock_state(DUE, START, None, DUE, 0.25)
    with pytest.raises(ValueError, match="at_risk_fraction must be between 0 and 1"):
        clock_state(START, DUE, None, DUE, 1.5)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        clock_state(START, DUE, None, datetime(2025, 3, 19, 12), 0.25)
    with pytest.raises(ValueError, match="done_at must be timezone-aware"):
        clock_state(START, DUE, datetime(2025, 3, 19, 12), DUE, 0.25)


# -- auto escalation and remaining ------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "expected"),
    [
        (Priority.CRITICAL, None),
        (Priority.HIGH, None),
        (Priority.NORMAL, sast(2025, 3, 21, 10, 0)),
        (Priority.LOW, sast(2025, 3, 21, 10, 0)),
    ],
)
def test_auto_escalation_due(priority: Priority, expected: datetime | None) -> None:
    due = auto_escalation_due(SlaPolicy(), sast(2025, 3, 19, 10, 0), priority)
    assert due == expected
    if due is not None:
        assert due.tzinfo is UTC


def test_auto_escalation_due_custom_threshold() -> None:
    policy = SlaPolicy(auto_escalate_after_hours=72, resolution_in_business_hours=True)
    assert auto_escalation_due(policy, sast(2025, 3, 28, 17, 30), Priority.LOW) == sast(2025, 3, 31, 17, 30)


def test_remaining() -> None:
    assert remaining(DUE, START) == timedelta(hours=4)
    assert remaining(DUE, DUE) == timedelta(0)
    assert remaining(DUE, sast(2025, 3, 19, 15, 30)) == timedelta(hours=-1, minutes=-30)
    assert remaining(DUE, datetime(2025, 3, 19, 11, 0, tzinfo=UTC)) == timedelta(hours=1)


def test_naive_datetimes_are_rejected(cal: BusinessCalendar) -> None:
    naive = datetime(2025, 3, 19, 10, 0)
    policy = SlaPolicy()
    calls = [
        lambda: ack_due(cal, policy, naive),
        lambda: resolution_due(cal, policy, naive, Priority.HIGH),
        lambda: resolution_due(cal, SlaPolicy(resolution_in_business_hours=True), naive, Priority.LOW),
        lambda: auto_escalation_due(policy, naive, Priority.HIGH),
        lambda: auto_escalation_due(policy, naive, Priority.NORMAL),
        lambda: clock_state(naive, DUE, None, DUE, 0.25),
        lambda: remaining(naive, DUE),
        lambda: remaining(DUE, naive),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="must be timezone-aware"):
            call()
