"""The local outbox as sync sees it: the next batch to push, the server's answers, re-sending what a server
lost, and dropping entries acknowledged long ago. Each function runs in the caller's transaction."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from ..models import ChangeLogEntry, DeviceState, Inquiry, Setting
from .protocol import MAX_BATCH

log = logging.getLogger(__name__)
PRUNED = "sync.outbox_pruned_at"
ACKED_KEPT_DAYS = 30  # acknowledged entries are kept this long: re-sent if the server restores a backup


def setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return row.value if row else default


def put_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def held_from(s: Session) -> int:
    """The lowest sequence from which this desktop holds every entry to the newest (older ones may have been
    dropped, leaving refused entries behind that can no longer be sent without a hole): 1 when empty."""
    low, high, count = s.execute(select(func.min(ChangeLogEntry.seq), func.max(ChangeLogEntry.seq),
                                        func.count())).one()
    if low is None:
        return 1
    if high - low + 1 == count:  # no hole (the usual case): answered from the primary key's ends
        return low
    start = s.execute(text("SELECT max(c.seq) FROM change_log c WHERE NOT EXISTS "
                           "(SELECT 1 FROM change_log p WHERE p.seq = c.seq - 1)")).scalar()
    return start or 1


def pending_batch(s: Session) -> dict[str, Any] | None:
    """The next push body (``outbox_id``, ``oldest_held``, ``mutations``), or None when nothing is pending."""
    batch = s.scalars(select(ChangeLogEntry).where(ChangeLogEntry.state == "pending")
                      .order_by(ChangeLogEntry.seq).limit(MAX_BATCH)).all()
    if not batch:
        return None
    refs = _given_refs(s, [e for e in batch if e.table_name == "inquiry" and e.op == "insert"
                           and not (e.fields or {}).get("inquiry_ref")])
    return {"outbox_id": s.get(DeviceState, 1).outbox_id, "oldest_held": held_from(s), "mutations": [
        {"seq": e.seq, "mutation_id": e.mutation_id, "table": e.table_name, "row_id": e.row_id, "op": e.op,
         "hlc": e.hlc, "fields": {**e.fields, "inquiry_ref": refs[e.row_id]} if e.row_id in refs else e.fields,
         **({"base": e.base} if e.base else {})} for e in batch]}


def _given_refs(s: Session, inserts: list[ChangeLogEntry]) -> dict[str, str]:
    """Inquiry IDs the server gave to inquiries logged here with a provisional reference. Sent with the insert
    when it goes again (to a server restored from a backup), so the server keeps the ID the user was told."""
    if not inserts:
        return {}
    rows = s.execute(select(Inquiry.id, Inquiry.inquiry_ref).where(
        Inquiry.id.in_([e.row_id for e in inserts]), Inquiry.inquiry_ref.is_not(None))).all()
    return dict(rows)


def send_again_from(s: Session, seq: int) -> int:
    """Everything held from ``seq`` on goes out again: acknowledged entries (the server lost them) and refused
    ones too (a device's numbers reach the server without holes; the server judges them afresh)."""
    return s.execute(update(ChangeLogEntry).where(ChangeLogEntry.seq >= seq, ChangeLogEntry.state != "pending")
                     .values(state="pending")).rowcount


def realign(s: Session, expected: int, first_pending: int) -> bool:
    """The server expects another sequence than our first pending one: it lost changes (restored from a
    backup, or it has no record of this outbox), or it committed a batch whose answer was lost. False: the
    server lost changes this desktop no longer holds (dropped after 30 days), so no numbering can fill the
    gap; the caller starts a new outbox, and what the desktop holds goes back by its data instead."""
    if expected < first_pending:
        if held_from(s) > expected:
            return False
        send_again_from(s, expected)
    else:
        s.execute(update(ChangeLogEntry).where(ChangeLogEntry.seq < expected,
                                               ChangeLogEntry.state == "pending").values(state="acked"))
    return True


def record(s: Session, results: list[dict[str, Any]], report: Any) -> None:
    """Mark the batch's entries as the server answered (one UPDATE for all that it took)."""
    held = dict(s.execute(select(ChangeLogEntry.seq, ChangeLogEntry.mutation_id)
                          .where(ChangeLogEntry.seq.in_([r["seq"] for r in results]))).all())
    acked: list[int] = []
    for r in results:
        if r["seq"] not in held or held[r["seq"]] != r.get("mutation_id", held[r["seq"]]):
            continue
        if r["status"] == "rejected":
            entry = s.get(ChangeLogEntry, r["seq"])
            entry.state, entry.reason = "rejected", r.get("reason") or "refused by the server"
            report.rejected.append(f"{entry.table_name} {entry.row_id}: {entry.reason}")
        elif r["status"] == "retry":  # not taken yet (the server waits for a row it lost): stays pending
            continue
        else:
            acked.append(r["seq"])
            report.pushed += r["status"] == "applied"
            report.duplicates += r["status"] == "duplicate"
    if acked:
        s.execute(update(ChangeLogEntry).where(ChangeLogEntry.seq.in_(acked)).values(state="acked"))


def prune_acked(s: Session, now: datetime) -> int:
    """Drop outbox entries acknowledged more than ACKED_KEPT_DAYS ago (the outbox would otherwise hold every
    change this desktop ever made); pending and refused entries always stay. Once a day it notes the highest
    acknowledged sequence; pushes go in sequence order, so everything acknowledged at or below a note that
    is old enough was acknowledged by then."""
    marks = setting(s, PRUNED) or []
    if marks and now - datetime.fromisoformat(marks[-1][0]) < timedelta(days=1):
        return 0
    top = s.scalar(select(func.max(ChangeLogEntry.seq)).where(ChangeLogEntry.state == "acked"))
    marks.append([now.isoformat(), top or 0])
    old = [seq for at, seq in marks if now - datetime.fromisoformat(at) >= timedelta(days=ACKED_KEPT_DAYS)]
    dropped = 0
    if old:
        # The newest entry always stays: the next one is numbered after it, and a device's numbers never
        # go back (the server would take a reused number as a duplicate and drop the change).
        newest = s.scalar(select(func.max(ChangeLogEntry.seq)))
        dropped = s.execute(delete(ChangeLogEntry).where(ChangeLogEntry.state == "acked",
                                                         ChangeLogEntry.seq <= min(max(old), newest - 1))).rowcount
        log.info("dropped %d outbox entries acknowledged over %d days ago", dropped, ACKED_KEPT_DAYS)
    put_setting(s, PRUNED, [m for m in marks
                            if now - datetime.fromisoformat(m[0]) < timedelta(days=ACKED_KEPT_DAYS)])
    return dropped


def pending_count_in(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(ChangeLogEntry).where(ChangeLogEntry.state == "pending"))
