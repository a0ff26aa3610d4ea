"""The audit trail's hash chain: one chain per device, each entry's hash covering its content, the device,
its place in the chain and the hash of the entry before it.

The desktop's write hook chains every audit entry it writes (``store/changelog.py``); ``saypro audit verify``
checks the chains a store holds and the server checks every link it receives and keeps its own copy of what it
received (``saypro_server/audit_chain.py``). Both use :func:`entry_hash` and :func:`check_chain` from here, so the
two sides can never disagree about what a hash covers. The hash must never change: every stored chain is made
with it. docs/SECURITY.md says what a chain does and does not prove.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# What an entry's hash covers besides its place in the chain: every field of an audit entry that says what
# happened (the sync bookkeeping, created/updated stamps and clock versions, is not evidence).
CONTENT_FIELDS = ("id", "at", "actor_id", "entity", "entity_id", "action", "summary", "changes")
CHAIN_FIELDS = ("device_id", "chain_seq", "prev_hash", "entry_hash")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")


def _utc_text(value: Any) -> Any:
    """A moment as one spelling whatever its time zone or storage (SQLite's naive UTC, an aware datetime, ISO text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def canonical(content: Mapping[str, Any], device_id: str, seq: int, prev_hash: str | None) -> bytes:
    """The bytes an entry's hash is taken over: its content fields (values in their JSON form), the device, the
    sequence and the previous hash, as JSON with sorted keys and no spaces."""
    body: dict[str, Any] = {name: content.get(name) for name in CONTENT_FIELDS}
    body["at"] = _utc_text(body["at"])
    body["changes"] = body["changes"] or {}
    body.update(device_id=device_id, chain_seq=seq, prev_hash=prev_hash)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def entry_hash(content: Mapping[str, Any], device_id: str, seq: int, prev_hash: str | None) -> str:
    return hashlib.sha256(canonical(content, device_id, seq, prev_hash)).hexdigest()


def chain_problem(values: Mapping[str, Any]) -> str | None:
    """What is wrong with the chain fields of an audit entry as a row (None: fine, or an unchained entry)."""
    present = [name for name in CHAIN_FIELDS if values.get(name) is not None]
    if not present:
        return None  # written before chaining, or by a desktop older than it
    missing = [name for name in CHAIN_FIELDS if name not in present and name != "prev_hash"]
    if missing:
        return f"an audit entry's chain needs {', '.join(missing)} too"
    seq, prev, digest = values["chain_seq"], values.get("prev_hash"), values["entry_hash"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return "chain_seq must be a whole number from 1"
    if not isinstance(digest, str) or not HASH_RE.match(digest):
        return "entry_hash must be 64 lower-case hex digits (SHA-256)"
    if (prev is None) != (seq == 1):
        return "prev_hash is empty exactly for the first entry of a chain (chain_seq 1)"
    if prev is not None and (not isinstance(prev, str) or not HASH_RE.match(prev)):
        return "prev_hash must be 64 lower-case hex digits (SHA-256)"
    return None


@dataclass(frozen=True)
class Link:
    """One entry of a chain as it is held: its stored hash fields and its content."""

    entry_id: str
    device_id: str
    seq: int
    prev_hash: str | None
    entry_hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    device_id: str
    seq: int
    entry_id: str | None
    kind: str  # edited, missing, broken, branch, tail
    text: str
    serious: bool = True  # False: a notice (a branch after a restore), not evidence of tampering


def check_chain(links: Iterable[Link], *, complete: bool = True,
                heads: Mapping[str, tuple[int, str | None]] | None = None) -> list[Finding]:
    """Every problem of the chains these links make, in chain order per device.

    ``complete``: the chain must start at entry 1 (a desktop's own chain); the server's copy starts at the first
    entry it received. ``heads``: per device, the last (sequence, hash) the writer recorded, so that deleting the
    newest entries is seen too. An entry is *edited* when its hash no longer covers its content and place (a value,
    its time, its sequence changed: an edit or a reordering), *missing* when the entry before it is not held,
    *broken* when no held entry before it has the hash it names (that one was changed and re-hashed, or replaced).
    Two entries that both follow the same entry are a *branch*: a store restored from a backup goes on from where
    its backup ended, so this is a notice, not tampering (the entries of both branches are kept)."""
    by_device: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        by_device[link.device_id].append(link)
    findings: list[Finding] = []
    for device, held in by_device.items():
        held.sort(key=lambda x: (x.seq, x.entry_id))
        by_seq: dict[int, list[Link]] = defaultdict(list)
        for link in held:
            by_seq[link.seq].append(link)
        first = 1 if complete else held[0].seq
        for link in held:
            name = f"audit entry {link.entry_id} (#{link.seq} of device {device})"
            if entry_hash(link.content, device, link.seq, link.prev_hash) != link.entry_hash:
                findings.append(Finding(device, link.seq, link.entry_id, "edited",
                                        f"{name} was changed after it was written: its values, its time or its "
                                        "place in the chain no longer match its hash"))
            if link.seq <= first:
                if link.seq == 1 and link.prev_hash is not None:
                    findings.append(Finding(device, link.seq, link.entry_id, "broken",
                                            f"{name} is first in its chain but names an entry before it"))
                continue
            before = by_seq.get(link.seq - 1)
            if not before:
                findings.append(Finding(device, link.seq - 1, None, "missing",
                                        f"audit entry #{link.seq - 1} of device {device} is missing (deleted, or "
                                        f"never received): {name} follows an entry that is not held"))
            elif link.prev_hash not in {b.entry_hash for b in before}:
                findings.append(Finding(device, link.seq, link.entry_id, "broken",
                                        f"{name} does not follow the entry held as #{link.seq - 1}: that entry was "
                                        "changed and hashed again, replaced, or the chain was rewritten from there"))
        for seq, same in by_seq.items():
            # Where a branch begins: two entries that follow the same one (further on, each follows its own).
            starts: dict[str | None, list[Link]] = defaultdict(list)
            for x in same:
                starts[x.prev_hash].append(x)
            for fork in (f for f in starts.values() if len(f) > 1):
                ids = ", ".join(x.entry_id for x in fork)
                findings.append(Finding(device, seq, fork[0].entry_id, "branch",
                                        f"device {device}'s chain branches at #{seq} ({ids}): a store restored "
                                        "from a backup goes on from where its backup ended", serious=False))
        head = (heads or {}).get(device)
        if head and head[0] > held[-1].seq:
            findings.append(Finding(device, held[-1].seq + 1, None, "tail",
                                    f"audit entries #{held[-1].seq + 1} to #{head[0]} of device {device} are "
                                    "missing: the newest entries were deleted"))
        elif head and head[0] and head[1] not in {x.entry_hash for x in by_seq.get(head[0], [])}:
            findings.append(Finding(device, head[0], None, "tail",
                                    f"the newest audit entry of device {device} (#{head[0]}) is not the one "
                                    "this store wrote: it was replaced or the chain rewritten"))
    findings.sort(key=lambda f: (f.device_id, f.seq, not f.serious))
    return findings
