"""One sync run: claim held Inquiry ID blocks (after a server restore), lease more, push the outbox, pull
the server's changes.

Each step commits locally only what the server has answered: an outbox entry is acknowledged after the
push response for it arrived; a pulled page and its cursor are saved in one transaction, so a broken
link resumes where it stopped and a retry never applies anything twice.
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from ..core.inquiry_ids import month_key_of
from ..core.permissions import Role
from ..models import ChangeLogEntry, DeviceState, IdBlock, Setting, StaffUser
from ..models.base import utcnow
from ..models.local import SYNC_USERNAME
from ..services.staff import set_password
from ..store import Store
from ..store.database import head_revision
from .apply import apply_changes
from .blobs import download_missing, upload_missing
from .client import GapError, SyncClient, SyncError
from .credentials import TokenStore, token_key
from .enrolment import EnrolmentPlan, adopt, server_staff
from .protocol import LEASE_COUNT, MAX_BATCH

log = logging.getLogger(__name__)

CURSOR, SERVER_URL, USERNAME, LAST_SYNC = "sync.cursor", "sync.server_url", SYNC_USERNAME, "sync.last_sync"
ENROLLED = "sync.enrolled"
PRUNED = "sync.outbox_pruned_at"
ACKED_KEPT_DAYS = 30  # acknowledged entries are kept this long: re-sent if the server restores a backup
LOW_WATER = 50  # lease more numbers when fewer than this remain for a month
CLAIM_BLOCKS = 100  # the newest blocks reported to the server at each sync


@dataclass
class SyncReport:
    pushed: int = 0
    duplicates: int = 0
    rejected: list[str] = field(default_factory=list)
    pulled: int = 0
    kept_local: int = 0
    skipped: list[str] = field(default_factory=list)
    leased: list[str] = field(default_factory=list)
    blocks_refused: list[str] = field(default_factory=list)  # held blocks a restored server gave elsewhere
    reset: bool = False
    files_sent: int = 0
    files_fetched: int = 0

    def summary(self) -> str:
        parts = [f"pushed {self.pushed}", f"pulled {self.pulled}"]
        if self.duplicates:
            parts.append(f"{self.duplicates} already on the server")
        if self.rejected:
            parts.append(f"{len(self.rejected)} refused")
        if self.kept_local:
            parts.append(f"{self.kept_local} field(s) kept for local edits")
        if self.files_sent or self.files_fetched:
            parts.append(f"{self.files_sent} file(s) sent, {self.files_fetched} fetched")
        if self.reset:
            parts.append("server was reset: pulled again from the start")
        if self.blocks_refused:
            parts.append(f"{len(self.blocks_refused)} number block(s) dropped after the server's restore")
        return ", ".join(parts)


def _setting(session: Any, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return row.value if row else default


def _put(session: Any, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def device_id(store: Store) -> str:
    with store.session() as s:
        return s.get(DeviceState, 1).device_id


def make_client(store: Store, server_url: str, tokens: TokenStore | None = None, username: str | None = None,
                **kw: Any) -> SyncClient:
    dev = device_id(store)
    client = SyncClient(server_url, dev, head_revision(), **kw)
    if tokens is not None and username:
        key = token_key(server_url, username, dev)
        client.refresh_token = tokens.get(key)
        client.on_new_refresh_token = lambda token: tokens.set(key, token)
    return client


def enroll(store: Store, client: SyncClient, username: str, password: str,
           run_db: Callable[[Callable[[Any], Any]], Any] | None = None) -> dict[str, Any]:
    """Sign in to the server and make this desktop one of its devices (IDs from leases from now on). Local
    staff users become the server's (see ``enrolment``); the user can then sign in here with the server's
    password, offline too. Returns the server's user, with ``local_users``: what became of the local ones."""
    session = client.login(username, password, platform.node() or "desktop")
    staff = server_staff(client)
    role = Role.parse(session.user["role"])

    def record(s: Any) -> EnrolmentPlan:
        adopted = adopt(s, staff, role, username)
        _put(s, SERVER_URL, client.base)
        _put(s, USERNAME, session.user["username"])
        _put(s, ENROLLED, True)
        s.execute(IdBlock.__table__.delete().where(IdBlock.source == "standalone"))
        me = s.get(StaffUser, session.user["id"])
        if me is not None:
            try:
                set_password(s, me, password)
            except ValueError:  # weaker than this build's rule: offline sign-in keeps its old password
                log.warning("the server password of %s is not kept for offline sign-in", username)
        return adopted

    if run_db is not None:
        adopted = run_db(record)
    else:
        with store.session() as s:
            adopted = record(s)
    return {**session.user, "local_users": adopted.summary()}


class SyncEngine:
    """``run_db(fn)`` runs ``fn(session)`` in a transaction and returns its result; the desktop app passes
    one that queues the work on its single writer thread, the command line runs it directly."""

    def __init__(self, store: Store, client: SyncClient, today: date | None = None,
                 run_db: Callable[[Callable[[Any], Any]], Any] | None = None,
                 progress: Callable[[str], None] | None = None) -> None:
        self.store, self.client, self.today = store, client, today
        self._run_db = run_db
        self.progress = progress or (lambda message: None)

    def db(self, fn: Callable[[Any], Any]) -> Any:
        if self._run_db is not None:
            return self._run_db(fn)
        with self.store.session() as s:
            return fn(s)

    def run(self) -> SyncReport:
        report = SyncReport()
        self.claim_numbers(report)
        self.lease_numbers(report)
        # Files before rows, so a desktop that pulls an attachment row can fetch its bytes at once.
        report.files_sent = upload_missing(self.client, self.store.paths.attachments, self.db)
        self.push(report)
        self.pull(report)
        report.files_fetched = download_missing(self.client, self.store.paths.attachments, self.db)
        self.db(lambda s: _put(s, LAST_SYNC, utcnow().isoformat()))
        self.db(lambda s: prune_acked(s, utcnow()))
        return report

    # numbers --------------------------------------------------------------------------------------------------
    def claim_numbers(self, report: SyncReport) -> None:
        """Tell the server which blocks this desktop holds, before it issues another number. Under the epoch
        we last pulled from the server ignores it; a server restored from a backup (another epoch) may have
        forgotten them, and takes them back as ours, or refuses one it has leased elsewhere since."""
        def held(s: Any) -> tuple[str | None, list[dict[str, Any]]]:
            epoch = (_setting(s, CURSOR) or {}).get("epoch")
            rows = s.scalars(select(IdBlock).where(IdBlock.source == "lease")
                             .order_by(IdBlock.id.desc()).limit(CLAIM_BLOCKS)).all()
            return epoch, [{"month": b.month_key, "first": b.first, "last": b.last} for b in rows]

        epoch, blocks = self.db(held)
        if epoch is None or not blocks:
            return  # never pulled (a new desktop): nothing to claim against
        answer = self.client.claim(epoch, blocks)
        for refused in answer["refused"]:
            self.db(lambda s, b=refused: _drop_unused(s, b))
            report.blocks_refused.append(f"{refused['month']}: {refused['first']}-{refused['last']}: "
                                         f"{refused['reason']}")
            log.warning("number block refused by the restored server: %s", refused)

    def lease_numbers(self, report: SyncReport) -> None:
        from ..services.settings import load_settings

        tz = self.db(lambda s: load_settings(s).calendar().tz)
        today = self.today or utcnow().astimezone(tz).date()
        next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        for month in (month_key_of(today), month_key_of(next_month)):
            left = self.db(lambda s, m=month: s.scalar(
                select(func.coalesce(func.sum(IdBlock.last - IdBlock.next + 1), 0))
                .where(IdBlock.month_key == m, IdBlock.next <= IdBlock.last)))
            if left >= LOW_WATER:
                continue
            block = self.client.lease(month, LEASE_COUNT)
            self.db(lambda s, b=block: s.add(IdBlock(month_key=b["month"], first=b["first"], last=b["last"],
                                                      next=b["first"], source="lease")))
            report.leased.append(f"{block['month']}: {block['first']}-{block['last']}")

    # push -------------------------------------------------------------------------------------------------------
    def push(self, report: SyncReport, max_batches: int = 10_000) -> None:
        gaps = 0
        for _ in range(max_batches):
            wire = self.db(_pending_batch)
            if not wire:
                return
            self.progress(f"Sending changes: {report.pushed + report.duplicates + len(wire):,} so far…")
            try:
                results = self.client.push(wire)
            except GapError as gap:
                gaps += 1
                if gaps > 3:
                    raise SyncError(f"the server and this desktop disagree on what was sent ({gap})") from gap
                self._realign(gap.expected_seq, wire[0]["seq"])
                continue
            self._record(results, report)

    def _realign(self, expected: int, first_pending: int) -> None:
        """The server expects another sequence than our first pending one (it was restored from a backup,
        or a response was lost after it committed): resend what it lacks, mark what it has."""
        self.db(lambda s: _realign(s, expected, first_pending))

    def _record(self, results: list[dict[str, Any]], report: SyncReport) -> None:
        self.db(lambda s: _record(s, results, report))

    # pull -------------------------------------------------------------------------------------------------------
    def pull(self, report: SyncReport, max_pages: int = 100_000) -> None:
        cursor = self.db(lambda s: _setting(s, CURSOR)) or {"epoch": None, "seq": 0}
        for _ in range(max_pages):
            page = self.client.pull(cursor)
            if page.get("reset"):
                # A server restored from a backup: pull everything again and send again what it had
                # acknowledged (merge by stamp makes a second application harmless).
                report.reset = True
                cursor = {"epoch": page["epoch"], "seq": 0}
                self.db(lambda s, c=cursor: _reset(s, c))
                self.push(report)
                continue
            applied = self.db(lambda s, p=page: _apply_page(s, p))  # the page and its cursor: one transaction
            report.pulled += len(page["changes"])
            report.kept_local += applied.kept_local
            report.skipped += applied.skipped
            cursor = page["next"]
            if page["changes"]:
                high = page.get("high_water") or 0
                done = f"{min(100, 100 * cursor['seq'] // high)} %, " if high else ""
                self.progress(f"Receiving changes: {done}{report.pulled:,} so far…")
            if not page.get("more"):
                return


def _drop_unused(s: Any, block: dict[str, Any]) -> None:
    """A block the server gave to another desktop: issue nothing more from it (numbers issued already are
    renumbered by the server if they clash)."""
    s.execute(update(IdBlock).where(IdBlock.month_key == block["month"], IdBlock.first == block["first"],
                                    IdBlock.source == "lease").values(last=IdBlock.next - 1))


def _pending_batch(s: Any) -> list[dict[str, Any]]:
    batch = s.scalars(select(ChangeLogEntry).where(ChangeLogEntry.state == "pending")
                      .order_by(ChangeLogEntry.seq).limit(MAX_BATCH)).all()
    return [{"seq": e.seq, "mutation_id": e.mutation_id, "table": e.table_name, "row_id": e.row_id,
             "op": e.op, "hlc": e.hlc, "fields": e.fields, **({"base": e.base} if e.base else {})} for e in batch]


def _reset(s: Any, cursor: dict[str, Any]) -> None:
    _put(s, CURSOR, cursor)
    s.execute(update(ChangeLogEntry).where(ChangeLogEntry.state == "acked").values(state="pending"))


def _apply_page(s: Any, page: dict[str, Any]) -> Any:
    applied = apply_changes(s, page["changes"])
    _put(s, CURSOR, page["next"])
    return applied


def _realign(s: Any, expected: int, first_pending: int) -> None:
    if expected < first_pending:
        s.execute(update(ChangeLogEntry).where(ChangeLogEntry.seq >= expected,
                                               ChangeLogEntry.state == "acked").values(state="pending"))
        missing = s.scalar(select(func.min(ChangeLogEntry.seq)))
        if missing is None or missing > expected:
            raise SyncError(f"the server lost changes {expected}-{first_pending - 1} and this desktop no "
                            "longer holds them; contact IT")
    else:
        s.execute(update(ChangeLogEntry).where(ChangeLogEntry.seq < expected,
                                               ChangeLogEntry.state == "pending").values(state="acked"))


def _record(s: Any, results: list[dict[str, Any]], report: SyncReport) -> None:
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
        else:
            acked.append(r["seq"])
            report.pushed += r["status"] == "applied"
            report.duplicates += r["status"] == "duplicate"
    if acked:
        s.execute(update(ChangeLogEntry).where(ChangeLogEntry.seq.in_(acked)).values(state="acked"))


def prune_acked(s: Any, now: datetime) -> int:
    """Drop outbox entries acknowledged more than ACKED_KEPT_DAYS ago (the outbox would otherwise hold every
    change this desktop ever made); pending and refused entries always stay. Once a day it notes the highest
    acknowledged sequence; pushes go in sequence order, so everything acknowledged at or below a note that
    is old enough was acknowledged by then."""
    marks = _setting(s, PRUNED) or []
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
    _put(s, PRUNED, [m for m in marks
                     if now - datetime.fromisoformat(m[0]) < timedelta(days=ACKED_KEPT_DAYS)])
    return dropped


def pending_count(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(ChangeLogEntry).where(ChangeLogEntry.state == "pending"))
