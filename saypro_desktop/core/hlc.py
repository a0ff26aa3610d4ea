"""Hybrid logical clock (Kulkarni et al. 2014) stamps for field-level merge.

A stamp is ``<wall ms, 13 digits>-<counter, 5 hex>-<device id>`` so that plain string
comparison orders stamps by time, then counter, then device (the tie-breaker).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

MAX_COUNTER = 0xFFFFF
# A remote stamp further ahead of our wall clock than this is clamped rather than adopted,
# so one desktop with a wrong clock cannot drag every replica into the future.
MAX_DRIFT_MS = 24 * 3600 * 1000


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:05x}-{self.device}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        try:
            wall, counter, device = text.split("-", 2)
            return cls(int(wall), int(counter, 16), device)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a clock stamp") from exc


class HybridLogicalClock:
    def __init__(self, device: str, wall_ms: int = 0, counter: int = 0,
                 now_ms: Callable[[], int] | None = None) -> None:
        if "-" in device or not device:
            raise ValueError("device id for the clock must be non-empty and contain no '-'")
        self.device = device
        self.wall_ms = wall_ms
        self.counter = counter
        self._now_ms = now_ms or (lambda: int(time.time() * 1000))

    def tick(self) -> Stamp:
        """A stamp for a local event, later than every stamp this clock has issued or seen."""
        now = self._now_ms()
        if now > self.wall_ms:
            self.wall_ms, self.counter = now, 0
        else:
            self._bump()
        return Stamp(self.wall_ms, self.counter, self.device)

    def observe(self, remote: Stamp | str) -> None:
        """Take in a stamp received from another replica."""
        r = Stamp.parse(remote) if isinstance(remote, str) else remote
        now = self._now_ms()
        wall, rc = r.wall_ms, r.counter
        if wall > now + MAX_DRIFT_MS:
            log.warning("remote clock stamp %s is %.1f h ahead of local time; clamped", r,
                        (wall - now) / 3_600_000)
            wall, rc = now + MAX_DRIFT_MS, 0
        old = self.wall_ms
        self.wall_ms = max(old, wall, now)
        if self.wall_ms == old == wall:
            self.counter = max(self.counter, rc)
            self._bump()
        elif self.wall_ms == old:
            self._bump()
        elif self.wall_ms == wall:
            self.counter = rc
            self._bump()
        else:
            self.counter = 0

    def _bump(self) -> None:
        if self.counter >= MAX_COUNTER:
            # Counter exhausted within one millisecond: borrow the next millisecond.
            self.wall_ms += 1
            self.counter = 0
        else:
            self.counter += 1
