"""The server as the witness of every desktop's audit chain (``saypro_desktop/core/audit_chain.py``).

A desktop's user holds the file and can rewrite a whole local chain so that it checks out; what the server received
cannot be rewritten from a desktop. When it accepts a chained audit entry the server keeps a copy of the entry as
received (its hashed fields and its link: ``audit_link``) and judges the link against what it holds of that device:

- ``ok``: it follows the entry the server holds at the sequence before; ``start``: the first entry the server holds
  of that device (entries sent before the chain existed have no link);
- ``branch``: it follows a held entry, but the server already holds another entry at that sequence: a desktop
  restored from a backup goes on from where its backup ended (it also sends its entries again: those are the same
  entries, ``duplicate``, and leave no new link). Not tampering: both branches are kept and the check notes it;
- ``fork``: the server holds the entry before it with another hash: the desktop's history before this entry is not
  what it sent (rewritten, or an entry edited and hashed again);
- ``gap``: the entry before it never arrived (deleted before it was sent, or refused);
- ``bad_hash``: its hash does not cover its content as sent.

Every one of them is accepted and recorded, never refused: the entry records a change the server accepted in the same
push, and refusing it would lose that evidence while a rewritten history could not be repaired by refusing anyway.
The push result carries a note; ``saypro-server verify-audit`` (:func:`verify`) checks every device's chain as
received, and each stored audit row against the copy of it received (an edit on the server is seen too).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from saypro_desktop.core.audit_chain import CONTENT_FIELDS, Finding, Link, canonical, check_chain, entry_hash
from saypro_desktop.sync.protocol import encode

from .store.schema import SYNCED, audit_link

NOTED = {"branch": "follows an entry held, but another entry holds its place (a restored desktop goes on from its "
                   "backup); both are kept",
         "fork": "does not follow the entry the server holds before it: the desktop's history was changed",
         "gap": "the entry before it never reached the server",
         "bad_hash": "its hash does not match its content"}


def _row_hash(row: Any, device: str, seq: int, prev: str | None) -> str:
    return hashlib.sha256(canonical({n: encode(row[n]) for n in CONTENT_FIELDS}, device, seq, prev)).hexdigest()


def record(conn: Connection, pusher_user: str, pusher_device: str, entry_id: str, received: dict[str, Any],
           now: datetime) -> str | None:
    """Keep the link of an audit entry just accepted (``received``: its decoded values before the server set its
    author or bounded its time). Returns a note for the push result when the link is not plain."""
    device, seq, prev, given = (received.get(n) for n in ("device_id", "chain_seq", "prev_hash", "entry_hash"))
    if device is None or seq is None or given is None:
        return None  # an entry from a desktop older than the chain
    held = conn.execute(select(audit_link.c.entry_hash).where(audit_link.c.device_id == device,
                                                              audit_link.c.seq == seq)).scalars().all()
    if given in held:
        return None  # sent again (a restored desktop, a repair): the same entry, already witnessed
    content = {n: encode(received.get(n)) for n in CONTENT_FIELDS} | {"id": entry_id}
    if entry_hash(content, device, seq, prev) != given:
        status = "bad_hash"
    elif seq == 1:
        status = "branch" if held else "ok"
    else:
        before = set(conn.execute(select(audit_link.c.entry_hash).where(
            audit_link.c.device_id == device, audit_link.c.seq == seq - 1)).scalars())
        earlier = conn.execute(select(audit_link.c.id).where(audit_link.c.device_id == device,
                                                             audit_link.c.seq < seq).limit(1)).first()
        if not before:
            status = "gap" if earlier else "start"
        elif prev not in before:
            status = "fork"
        else:
            status = "branch" if held else "ok"
    note = NOTED.get(status)
    if pusher_device != device:
        note = "; ".join(filter(None, [note, f"sent by device {pusher_device}, not the one that wrote it"]))
    table = SYNCED["audit_entry"]
    row = conn.execute(select(table).where(table.c.id == entry_id)).mappings().one()
    conn.execute(insert(audit_link).values(
        device_id=device, seq=seq, entry_id=entry_id, prev_hash=prev, entry_hash=given, content=content,
        stored_hash=_row_hash(row, device, seq, prev), status=status, note=note, pushed_by=pusher_user,
        pushed_from=pusher_device, received_at=now))
    return f"audit chain: entry #{seq} of device {device} {note}" if status in NOTED else None


@dataclass
class DeviceChain:
    device_id: str
    first: int
    last: int
    entries: int
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.serious for f in self.findings)


def verify(conn: Connection, device: str | None = None) -> list[DeviceChain]:
    """Every device's chain as the server received it, and its stored audit rows against what it received."""
    q = select(audit_link).order_by(audit_link.c.device_id, audit_link.c.seq, audit_link.c.id)
    if device is not None:
        q = q.where(audit_link.c.device_id == device)
    links = conn.execute(q).mappings().all()
    table = SYNCED["audit_entry"]
    rows = {}
    ids = [x["entry_id"] for x in links]
    for start in range(0, len(ids), 500):
        for row in conn.execute(select(table).where(table.c.id.in_(ids[start:start + 500]))).mappings():
            rows[row["id"]] = row
    by_device: dict[str, list[Any]] = defaultdict(list)
    for x in links:
        by_device[x["device_id"]].append(x)
    out = []
    for dev, held in by_device.items():
        chain = DeviceChain(dev, held[0]["seq"], held[-1]["seq"], len(held))
        status = {x["entry_id"]: x["status"] for x in held}
        for f in check_chain([Link(x["entry_id"], dev, x["seq"], x["prev_hash"], x["entry_hash"], x["content"])
                              for x in held], complete=False):
            if f.kind == "edited" and status.get(f.entry_id) == "bad_hash":
                f = Finding(f.device_id, f.seq, f.entry_id, f.kind, f"audit entry {f.entry_id} (#{f.seq} of device "
                            f"{dev}) arrived with a hash that does not match its content")
            elif f.kind == "broken":
                f = Finding(f.device_id, f.seq, f.entry_id, "fork", f"{f.text} (the desktop's chain forks from the "
                            "server's copy here: what it holds before this entry is not what it sent)")
            chain.findings.append(f)
        for x in held:
            row = rows.get(x["entry_id"])
            if row is None:
                chain.findings.append(Finding(dev, x["seq"], x["entry_id"], "deleted",
                                              f"audit entry {x['entry_id']} (#{x['seq']}) was deleted from the "
                                              "server's trail"))
            elif _row_hash(row, dev, x["seq"], x["prev_hash"]) != x["stored_hash"]:
                chain.findings.append(Finding(dev, x["seq"], x["entry_id"], "edited",
                                              f"audit entry {x['entry_id']} (#{x['seq']}) on the server differs "
                                              "from what it stored when it arrived"))
            if x["pushed_from"] != dev:
                chain.notes.append(f"#{x['seq']} ({x['entry_id']}) was sent by device {x['pushed_from']}")
        chain.findings.sort(key=lambda f: (f.seq, not f.serious))
        out.append(chain)
    return out
