"""UUID version 7 (RFC 9562): time-ordered, so new rows append to the primary-key index."""

from __future__ import annotations

import os
import re
import time
import uuid

# A row id as it travels: lower-case hex with dashes (\Z, not $: "$" would also match before a final newline).
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def uuid7(ms: int | None = None) -> uuid.UUID:
    ts = int(time.time() * 1000) if ms is None else ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ts & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0x0FFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # rand_b, 62 bits
    return uuid.UUID(int=value)


def new_id() -> str:
    return str(uuid7())
