"""Office settings: business hours, time zone, holidays, SLA and KPI targets. Settings, not constants."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .business_calendar import BusinessCalendar
from .sla import SlaPolicy

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class KpiTargets:
    """Targets of seeds 001, 002 and 004 (fractions, CSAT on a 1-5 scale)."""

    ack_within_target: float = 1.0  # seed 002: 100% of inquiries acknowledged within 1 business hour
    resolved_within_24h: float = 0.95
    resolved_within_48h: float = 0.95
    same_day: float = 0.95
    first_contact_resolution: float = 0.80
    csat: float = 4.5
    closed_without_reopen: float = 0.98


@dataclass(frozen=True)
class OfficeSettings:
    timezone: str = "Africa/Johannesburg"
    # weekday name -> ("HH:MM", "HH:MM"); a missing day is closed
    business_hours: dict[str, tuple[str, str]] = field(
        default_factory=lambda: {d: ("09:00", "18:00") for d in WEEKDAYS[:5]})
    holiday_country: str | None = "ZA"
    holiday_subdivision: str | None = None
    extra_holidays: tuple[str, ...] = ()  # ISO dates the office is closed besides public holidays
    removed_holidays: tuple[str, ...] = ()  # public holidays the office works
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    targets: KpiTargets = field(default_factory=KpiTargets)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}; use an IANA name such as Africa/Johannesburg") \
                from exc
        for day, (start, end) in self.business_hours.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r} in business hours; use {', '.join(WEEKDAYS)}")
            if _time(start) >= _time(end):
                raise ValueError(f"business hours on {day} must open before they close ({start}-{end})")
        for d in (*self.extra_holidays, *self.removed_holidays):
            date.fromisoformat(d)

    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar(
            tz=self.timezone,
            hours={WEEKDAYS.index(d): (_time(a), _time(b)) for d, (a, b) in self.business_hours.items()},
            holiday_country=self.holiday_country,
            holiday_subdivision=self.holiday_subdivision,
            extra_holidays=[date.fromisoformat(d) for d in self.extra_holidays],
            removed_holidays=[date.fromisoformat(d) for d in self.removed_holidays],
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OfficeSettings:
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in known}  # keys of a newer version are ignored
        if "sla" in data:
            data["sla"] = SlaPolicy(**data["sla"])
        if "targets" in data:
            data["targets"] = KpiTargets(**data["targets"])
        if "business_hours" in data:
            data["business_hours"] = {k: tuple(v) for k, v in data["business_hours"].items()}
        for key in ("extra_holidays", "removed_holidays"):
            if key in data:
                data[key] = tuple(data[key])
        return replace(cls(), **data)


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a time of day; use HH:MM such as 09:00") from exc
