"""How figures, times and verdicts are written in every report (PDF and CSV share these words)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from ..core.kpi import DIGITS, shown

VERDICT_MARK = {True: "✔ met", False: "✘ missed", None: "– no data"}


def fmt_value(value: float | int | str | None, unit: str = "", target: float | None = None,
              higher_is_better: bool = True) -> str:
    """A figure with its unit; ``None`` is "no data", never zero. Rounded once, from the unrounded value; with its
    ``target``, a figure that misses it is never shown as the target (4.495 against 4.5 is "4.49 / 5")."""
    if value is None:
        return "no data"
    if isinstance(value, str):
        return value
    if unit == "%":
        return f"{shown(value, DIGITS['%'], target, higher_is_better)}%"
    if unit == "/5":
        return f"{shown(value, DIGITS['/5'], target, higher_is_better)} / 5"
    if unit == "min":
        return hours_minutes(value)
    if unit == "h":
        return f"{value:.1f} h"
    return f"{value:g}" if isinstance(value, float) else str(value)


def fmt_target(target: float | None, unit: str, higher_is_better: bool = True) -> str:
    if target is None:
        return ""
    return f"{'≥' if higher_is_better else '≤'} {fmt_value(target, unit)}"


def hours_minutes(minutes: float) -> str:
    """A time in minutes as hours and minutes, rounded once to the minute: ``55 min``, ``12 h 49 min``."""
    whole = int(Decimal(repr(float(minutes))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign, whole = ("−", -whole) if whole < 0 else ("", whole)
    hours, mins = divmod(whole, 60)
    return f"{sign}{hours} h {mins:02d} min" if hours else f"{sign}{mins} min"


def verdict(met: bool | None) -> str:
    return VERDICT_MARK[met]


def local_time(moment: datetime | None, tz: tzinfo, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """DD/MM/YYYY HH:MM in the office time zone, as on the template."""
    return "" if moment is None else moment.astimezone(tz).strftime(fmt)


def stamp(moment: datetime, tz: tzinfo) -> str:
    """A moment with the zone named, for "generated at" and "data as of"."""
    return f"{local_time(moment, tz)} ({getattr(tz, 'key', tz.tzname(moment))})"


def duration(hours: float) -> str:
    """Resolution time in hours and days, e.g. ``30.0 hours (1.25 days)``."""
    return f"{hours:.1f} hours ({hours / 24:.2f} days)"


def markup(text: str | None, empty: str = "") -> str:
    """User text made safe for a Paragraph: escaped, line breaks kept."""
    if not text:
        return escape(empty)
    return "<br/>".join(escape(line) for line in text.strip().splitlines())
