"""How figures, times and verdicts are written in every report (PDF and CSV share these words)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from xml.sax.saxutils import escape

VERDICT_MARK = {True: "✔ met", False: "✘ missed", None: "– no data"}


def fmt_value(value: float | int | str | None, unit: str = "") -> str:
    """A figure with its unit; ``None`` is "no data", never zero."""
    if value is None:
        return "no data"
    if isinstance(value, str):
        return value
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "/5":
        return f"{value:.2f} / 5"
    if unit == "min":
        return f"{value:.1f} min"
    if unit == "h":
        return f"{value:.1f} h"
    return f"{value:g}" if isinstance(value, float) else str(value)


def fmt_target(target: float | None, unit: str, higher_is_better: bool = True) -> str:
    if target is None:
        return ""
    return f"{'≥' if higher_is_better else '≤'} {fmt_value(target, unit)}"


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
