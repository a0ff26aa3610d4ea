"""Inquiry IDs ``SCMR-YYMM-####`` and provisional references.

The number is a per-month sequence: four digits, five past 9999. A desktop that has run out of
leased numbers while offline issues ``SCMR-YYMM-P<device>-<n>``, mapped to a real ID at sync.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PREFIX = "SCMR"
MAX_SEQUENCE = 99_999
_ID_RE = re.compile(r"^SCMR-(\d{2})(\d{2})-(\d{4,5})$", re.IGNORECASE)
_PROVISIONAL_RE = re.compile(r"^SCMR-(\d{2})(\d{2})-P([0-9A-F]{4})-(\d+)$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class InquiryId:
    year: int  # four digits
    month: int
    sequence: int

    def __post_init__(self) -> None:
        if not 2000 <= self.year <= 2099:
            raise ValueError(f"inquiry ID year {self.year} is outside 2000-2099")
        if not 1 <= self.month <= 12:
            raise ValueError(f"inquiry ID month {self.month} is not 01-12")
        if not 1 <= self.sequence <= MAX_SEQUENCE:
            raise ValueError(f"inquiry ID sequence {self.sequence} is outside 1-{MAX_SEQUENCE}")

    def __str__(self) -> str:
        return f"{PREFIX}-{month_key(self.year, self.month)}-{self.sequence:04d}"

    @classmethod
    def parse(cls, text: str) -> InquiryId:
        m = _ID_RE.match(text.strip())
        if not m or (len(m.group(3)) == 5 and m.group(3).startswith("0")):
            raise ValueError(f"{text!r} is not an inquiry ID; expected SCMR-YYMM-#### such as SCMR-2501-0147")
        return cls(2000 + int(m.group(1)), int(m.group(2)), int(m.group(3)))


def month_key(year: int, month: int) -> str:
    """``YYMM`` as printed in the ID."""
    return f"{year % 100:02d}{month:02d}"


def month_key_of(d: date) -> str:
    return month_key(d.year, d.month)


def provisional_ref(year: int, month: int, device_tag: str, n: int) -> str:
    return f"{PREFIX}-{month_key(year, month)}-P{device_tag.upper()}-{n}"


def is_provisional(text: str) -> bool:
    return bool(_PROVISIONAL_RE.match(text.strip()))


def looks_like_reference(text: str) -> bool:
    t = text.strip()
    return bool(_ID_RE.match(t) or _PROVISIONAL_RE.match(t))
