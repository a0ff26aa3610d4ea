"""One pushed batch: which mutations are new, which were applied before, and the record of each.

A desktop numbers its changes 1, 2, 3 ... in an *outbox* (``outbox_id``); the server keeps, per device, the
outbox and the last sequence it applied from it, in the same transaction as the changes. A mutation at or
below that sequence is acknowledged again without being applied again, but only when it is the very
mutation the server applied under that number (``push_log``): a store restored from a backup, or copied,
numbers new changes with numbers the server has seen, and must start a new outbox instead of having them
dropped as "already on the server". When the server has no record of the outbox (a new desktop, a server
restored from a backup and given a new epoch, a restored store), it asks for everything the desktop still
holds (``oldest_held``): re-applying a change is harmless (merge by clock stamp), losing one is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import pairwise

from sqlalchemy import Connection, func, insert, select, update

from .merge import Merger, Mutation, Pusher, Result
from .store.db import Database, ServerClock
from .store.schema import device, push_log

__all__ = ["BatchHole", "OutboxReused", "Replay", "SequenceGap", "push"]


class BatchHole(ValueError):
    def __init__(self, seq: int) -> None:
        super().__init__(f"the batch skips mutation {seq}: a device's mutations are numbered without holes")


class SequenceGap(Exception):
    code = "gap"

    def __init__(self, expected: int) -> None:
        super().__init__(f"mutation {expected} is missing: push from it")
        self.expected = expected


class Replay(SequenceGap):
    """No record of this outbox: send everything still held, from the oldest."""

    code = "replay"

    def __init__(self, expected: int) -> None:
        Exception.__init__(self, f"the server has no record of this desktop's changes (a new desktop, or a server "
                                 f"restored from a backup): send everything still held, from {expected}")
        self.expected = expected


class OutboxReused(Exception):
    """Sequence numbers the server applied were given to other changes: the store went back in time."""

    code = "outbox_reused"

    def __init__(self, seq: int) -> None:
        super().__init__(f"change {seq} of this outbox is not the change the server applied under that number: the "
                         "desktop's data was restored from a backup or copied; start a new outbox")
        self.seq = seq


def _check_seen(conn: Connection, pusher: Pusher, outbox_id: str, seen: list[Mutation]) -> None:
    """Mutations at or below the last applied sequence must be the ones applied under those numbers."""
    logged: dict[int, str] = {}
    for k in range(0, len(seen), 500):
        chunk = [m.seq for m in seen[k:k + 500]]
        logged.update(conn.execute(select(push_log.c.seq, push_log.c.mutation_id).where(
            push_log.c.device_id == pusher.device_id, push_log.c.outbox_id == outbox_id,
            push_log.c.seq.in_(chunk))).all())
    for m in seen:
        if m.seq in logged and logged[m.seq] != m.mutation_id:
            raise OutboxReused(m.seq)


def push(db: Database, pusher: Pusher, outbox_id: str, oldest_held: int, mutations: list[Mutation],
         now: datetime) -> tuple[list[Result], int | None]:
    """Apply a batch (already in strictly increasing ``seq`` order); returns the results and ``last_seq``."""
    with db.write() as conn:
        dev = conn.execute(select(device.c.last_seq, device.c.outbox_id).where(device.c.id == pusher.device_id)
                           .with_for_update()).first()
        # (A device recorded before outboxes had ids: its numbers are this outbox's.)
        if dev is not None and dev.last_seq is not None and dev.outbox_id in (outbox_id, None):
            last = dev.last_seq
        else:  # another outbox than the last one (a store restored to an older backup): what was applied from it
            last = conn.execute(select(func.max(push_log.c.seq)).where(
                push_log.c.device_id == pusher.device_id, push_log.c.outbox_id == outbox_id)).scalar()
        if mutations and last is None:
            if mutations[0].seq > oldest_held:
                raise Replay(oldest_held)
            last = mutations[0].seq - 1
        fresh = [m for m in mutations if m.seq > (last or 0)]
        if fresh and fresh[0].seq != (last or 0) + 1:
            raise SequenceGap((last or 0) + 1)  # the server lacks what comes before this batch
        hole = next((a.seq + 1 for a, b in pairwise(fresh) if b.seq != a.seq + 1), None)
        if hole is not None:  # not "missing": the server has nothing of this batch committed
            raise BatchHole(hole)
        _check_seen(conn, pusher, outbox_id, [m for m in mutations if m.seq <= (last or 0)])
        merger = Merger(conn, pusher, ServerClock(conn, now), now)
        results: list[Result] = []
        waiting = False
        for m in mutations:
            if m.seq <= (last or 0):
                results.append(Result(m.seq, m.mutation_id, "duplicate"))
            elif waiting:  # a device's changes apply in order: nothing after one that waits
                results.append(Result(m.seq, m.mutation_id, "retry", "waits for an earlier change of this desktop"))
            else:
                results.append(merger.apply(m))
                waiting = results[-1].status == "retry"
        done = [m for m, r in zip(mutations, results, strict=True) if r.status != "retry"]
        _log(conn, pusher, outbox_id, now, [m for m in done if m.seq > (last or 0)], results)
        new_last = max([m.seq for m in done] + [last or 0]) if done else last
        conn.execute(update(device).where(device.c.id == pusher.device_id)
                     .values(last_seq=new_last, outbox_id=outbox_id, last_seen=now))
        merger.clock.save()
    return results, new_last


def _log(conn: Connection, pusher: Pusher, outbox_id: str, now: datetime, fresh: Iterable[Mutation],
         results: list[Result]) -> None:
    """The server's own record of what it received and what it answered (one statement per batch)."""
    answers = {r.seq: r for r in results}
    rows = [{"at": now, "user_id": pusher.user_id, "device_id": pusher.device_id, "outbox_id": outbox_id,
             "seq": m.seq, "mutation_id": m.mutation_id, "table_name": m.table[:64], "row_id": m.row_id[:64],
             "op": m.op[:16], "fields": sorted(m.fields)[:200] if isinstance(m.fields, dict) else [],
             "status": answers[m.seq].status, "reason": answers[m.seq].reason} for m in fresh]
    if rows:
        conn.execute(insert(push_log), rows)
