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
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from .. import __version__
from ..core.inquiry_ids import month_key_of
from ..core.permissions import Role
from ..core.uuids import new_id
from ..models import DeviceState, IdBlock, StaffUser
from ..models.base import utcnow
from ..models.local import SYNC_ENROLLED, SYNC_USERNAME
from ..services.ad_scoring import score_missing
from ..services.staff import clear_server_refusal, set_password
from ..store import Store
from ..store.database import head_revision
from . import outbox, repair
from .apply import apply_changes, retry_set_aside
from .blobs import download_missing, signed_in_role, upload_missing
from .client import GapError, OutboxReused, ServerRefused, SyncClient, SyncError
from .credentials import TokenStore, token_key
from .enrolment import EnrolmentPlan, adopt, server_staff
from .identity import KeyStore, ensure_identity, key_store_for, start_new_outbox
from .outbox import PRUNED, prune_acked  # noqa: F401  (re-exported: older imports)
from .protocol import LEASE_COUNT

log = logging.getLogger(__name__)

CURSOR, SERVER_URL, USERNAME, LAST_SYNC = "sync.cursor", "sync.server_url", SYNC_USERNAME, "sync.last_sync"
REPAIR = "sync.repair_after_reset"  # set when the server was found restored: send again what it lost
LEASE_REQUESTS = "sync.lease_requests"  # month -> the id of a lease request not answered yet
ENROLLED = SYNC_ENROLLED
LOW_WATER = 50  # lease more numbers when fewer than this remain for a month
MAX_REPAIRS_PER_RUN = 500  # rows a restored server lost, sent again ahead of a change that needs them
CLAIM_BLOCKS = 100  # the newest blocks reported to the server at each sync
SCORE_CHUNK = 2000  # ads scored per transaction after a pull (about a second each)
_setting, _put = outbox.setting, outbox.put_setting


@dataclass
class SyncReport:
    pushed: int = 0
    duplicates: int = 0
    rejected: list[str] = field(default_factory=list)
    pulled: int = 0
    kept_local: int = 0
    leased: list[str] = field(default_factory=list)
    blocks_refused: list[str] = field(default_factory=list)  # held blocks a restored server gave elsewhere
    leases_refused: list[str] = field(default_factory=list)  # months whose numbers the server would not lease
    set_aside: list[str] = field(default_factory=list)  # pulled changes this desktop could not apply
    new_outbox: bool = False  # the server found this store restored or copied: it counts in a new outbox
    waiting: int = 0  # changes the server will take once another desktop re-sends what its restore lost
    repaired: int = 0  # rows the restored server had lost, sent again from this desktop's copy
    reset: bool = False
    ads_scored: int = 0
    files_sent: int = 0
    files_fetched: int = 0
    upload_problems: list[str] = field(default_factory=list)  # attachment files not sent, one sentence each
    download_problems: list[str] = field(default_factory=list)  # attachment files not fetched

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
        if self.upload_problems or self.download_problems:
            problems = self.upload_problems + self.download_problems
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            parts.append(f"{len(problems)} file(s) not transferred: {'; '.join(problems[:3])}{more}")
        if self.reset:
            parts.append("server was reset: pulled again from the start")
        if self.blocks_refused:
            parts.append(f"{len(self.blocks_refused)} number block(s) dropped after the server's restore")
        if self.set_aside:
            parts.append(f"{len(self.set_aside)} change(s) from the server set aside")
        if self.new_outbox:
            parts.append("this desktop's data was restored: its changes were sent again")
        if self.repaired:
            parts.append(f"{self.repaired} row(s) the restored server had lost sent again")
        if self.waiting:
            parts.append(f"{self.waiting} change(s) wait for another desktop to re-send what the server's restore "
                         "lost")
        return ", ".join(parts)


def device_id(store: Store) -> str:
    with store.session() as s:
        return s.get(DeviceState, 1).device_id


def make_client(store: Store, server_url: str, tokens: TokenStore | None = None, username: str | None = None,
                keys: KeyStore | None = None, **kw: Any) -> SyncClient:
    """A client for this store's device on this PC. A store whose device key is not here (a copied data
    folder) takes a new identity first, so it never pushes as the desktop it was copied from."""
    dev, key = ensure_identity(store, keys or key_store_for(tokens))
    client = SyncClient(server_url, dev, head_revision(), **kw)
    client.device_key = key
    if tokens is not None and username:
        token = token_key(server_url, username, dev)
        client.refresh_token = tokens.get(token)
        client.on_new_refresh_token = lambda value: tokens.set(token, value)
    return client


def enroll(store: Store, client: SyncClient, username: str, password: str,
           run_db: Callable[[Callable[[Any], Any]], Any] | None = None) -> dict[str, Any]:
    """Sign in to the server and make this desktop one of its devices (IDs from leases from now on). Local
    staff users become the server's (see ``enrolment``); the user can then sign in here with the server's
    password, offline too. Returns the server's user, with ``local_users``: what became of the local ones."""
    session = client.login(username, password, platform.node() or "desktop", client.device_key)
    staff = server_staff(client)
    role = Role.parse(session.user["role"])

    def record(s: Any) -> EnrolmentPlan:
        adopted = adopt(s, staff, role, username)
        _put(s, SERVER_URL, client.base)
        _put(s, USERNAME, session.user["username"])
        _put(s, ENROLLED, True)
        s.execute(IdBlock.__table__.delete().where(IdBlock.source == "standalone"))
        me = s.get(StaffUser, session.user["id"])
        clear_server_refusal(s, user_id=session.user["id"])  # the server took them: a past refusal is over
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
        report.files_sent, report.upload_problems = upload_missing(self.client, self.store.paths.attachments, self.db)
        self.push(report)
        self.pull(report)
        # Ads that arrived are scored here, so the queue shows their flags (scores are this desktop's own).
        # In chunks, each its own transaction: a first sync brings thousands, and the writer thread stays free
        # for the user's own work between them.
        while scored := self.db(lambda s: score_missing(s, limit=SCORE_CHUNK)):
            report.ads_scored += scored
            self.progress(f"scoring the ads that arrived: {report.ads_scored:,}")
        if self.db(lambda s: _setting(s, REPAIR)):
            self.resend_lost_rows(report)
        report.files_fetched, report.download_problems = download_missing(self.client, self.store.paths.attachments,
                                                                          self.db)
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
            rows = s.scalars(select(IdBlock).where(IdBlock.source == "lease", IdBlock.first <= IdBlock.last)
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
        """Numbers for this month and the next. A refused lease (a month used up, or more numbers held than
        inquiries use) does not stop the sync: new inquiries get provisional references meanwhile."""
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
            # The request's id is saved before asking: a lease whose answer is lost is asked for again with the
            # same id and gets the same block (a lost block would count against the user's unused numbers).
            request_id = self.db(lambda s, m=month: _lease_request(s, m))
            try:
                block = self.client.lease(month, LEASE_COUNT, request_id)
            except ServerRefused as exc:
                if exc.status == 403:
                    return  # a role that logs no inquiries needs no numbers
                if exc.status != 409:
                    raise
                report.leases_refused.append(f"{month}: {exc}")
                log.warning("no numbers leased for %s: %s", month, exc)
                continue
            self.db(lambda s, b=block: _record_lease(s, b))
            report.leased.append(f"{block['month']}: {block['first']}-{block['last']}")

    # push -------------------------------------------------------------------------------------------------------
    def push(self, report: SyncReport, max_batches: int = 10_000) -> None:
        gaps = repaired = 0
        sent_again: set[tuple[str, str]] = set()  # rows queued for a waiting change in this run
        for _ in range(max_batches):
            body = self.db(outbox.pending_batch)
            if not body:
                return
            wire = body["mutations"]
            self.progress(f"Sending changes: {report.pushed + report.duplicates + len(wire):,} so far…")
            try:
                results = self.client.push(wire, body["outbox_id"], body["oldest_held"])
            except GapError as gap:
                gaps += 1
                if gaps > 3:
                    raise SyncError(f"the server and this desktop disagree on what was sent ({gap})") from gap
                if not self._realign(gap.expected_seq, wire[0]["seq"]):
                    # Lost on the server and dropped here after 30 days: a new outbox takes what is held, and
                    # once everything is pulled again this desktop sends back what its data knows newer.
                    log.warning("the server lost changes from %d that this desktop no longer holds",
                                gap.expected_seq)
                    self.db(lambda s: (start_new_outbox(s), _put(s, REPAIR, True)))
                    report.new_outbox = True
                continue
            except OutboxReused as exc:
                # This store went back in time (restored or copied by hand): its numbers were used for other
                # changes. Count in a new outbox; the server then asks for everything held, which re-applies
                # harmlessly, and nothing is dropped as "already there".
                if report.new_outbox:
                    raise SyncError(f"the server refused this desktop's changes twice ({exc})") from exc
                report.new_outbox = True
                log.warning("the server says this store was restored or copied: starting a new outbox")
                self.db(start_new_outbox)
                continue
            self._record(results, report)
            waiting = next((r for r in results if r["status"] == "retry"), None)
            if waiting is None:
                continue
            # The server lost a row this change needs (it was restored): send it first when this desktop holds
            # it, else the rest goes at a later sync, in order, once another desktop has sent the row.
            needs = waiting.get("needs") or {}
            wanted = (str(needs.get("table")), str(needs.get("row_id")))
            role = signed_in_role(self.db) if needs and wanted not in sent_again else None
            # Once per row and run: a row sent again that the server still does not take (refused) is not
            # sent over and over; the change waits for a later sync.
            if role is None or repaired >= MAX_REPAIRS_PER_RUN or not self.db(
                    lambda s, w=waiting, t=wanted, r=role: repair.queue_before(s, w["seq"], t[0], t[1], r)):
                report.waiting = sum(r["status"] == "retry" for r in results)
                return
            sent_again.add(wanted)
            repaired += 1
            report.repaired += 1

    def _realign(self, expected: int, first_pending: int) -> bool:
        """The server expects another sequence than our first pending one (it was restored from a backup,
        it has no record of this outbox, or a response was lost after it committed): resend what it lacks,
        mark what it has. False: it lacks changes this desktop no longer holds."""
        return bool(self.db(lambda s: outbox.realign(s, expected, first_pending)))

    def _record(self, results: list[dict[str, Any]], report: SyncReport) -> None:
        self.db(lambda s: outbox.record(s, results, report))

    # pull -------------------------------------------------------------------------------------------------------
    def pull(self, report: SyncReport, max_pages: int = 100_000) -> None:
        build = f"{__version__}/{head_revision()}"
        report.set_aside += self.db(lambda s: retry_set_aside(s, build))
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
            applied = self.db(lambda s, p=page: _apply_page(s, p, build))  # the page and its cursor: one transaction
            report.pulled += len(page["changes"])
            report.kept_local += applied.kept_local
            report.set_aside += applied.set_aside
            cursor = page["next"]
            if page["changes"]:
                high = page.get("high_water") or 0
                done = f"{min(100, 100 * cursor['seq'] // high)} %, " if high else ""
                self.progress(f"Receiving changes: {done}{report.pulled:,} so far…")
            if not page.get("more"):
                return


    def resend_lost_rows(self, report: SyncReport) -> None:
        """Everything was pulled again from a restored server: rows it lost that only copies hold go again."""
        me = self.db(repair.enrolled_user)
        if me is not None:
            report.repaired += repair.repair(self.client.versions, self.db, *me)
            self.push(report)
        self.db(lambda s: _put(s, REPAIR, False))


def _lease_request(s: Any, month: str) -> str:
    """The id of this desktop's lease request for ``month``: the one not yet answered, or a new one."""
    pending = dict(_setting(s, LEASE_REQUESTS) or {})
    if month not in pending:
        pending[month] = new_id()
        _put(s, LEASE_REQUESTS, pending)
    return pending[month]


def _record_lease(s: Any, block: dict[str, Any]) -> None:
    """The leased block, and its request answered, in one transaction."""
    exists = s.scalar(select(IdBlock.id).where(IdBlock.month_key == block["month"], IdBlock.first == block["first"]))
    if exists is None:
        s.add(IdBlock(month_key=block["month"], first=block["first"], last=block["last"], next=block["first"],
                      source="lease"))
    pending = dict(_setting(s, LEASE_REQUESTS) or {})
    pending.pop(block["month"], None)
    _put(s, LEASE_REQUESTS, pending)


def _drop_unused(s: Any, block: dict[str, Any]) -> None:
    """A block the server gave to another desktop: issue nothing more from it (numbers issued already are
    renumbered by the server if they clash). A block none of whose numbers was issued goes entirely."""
    match = (IdBlock.month_key == block["month"], IdBlock.first == block["first"], IdBlock.source == "lease")
    s.execute(delete(IdBlock).where(*match, IdBlock.next <= IdBlock.first))
    s.execute(update(IdBlock).where(*match, IdBlock.next <= IdBlock.last).values(last=IdBlock.next - 1))


def _reset(s: Any, cursor: dict[str, Any]) -> None:
    """The server was restored: it may lack anything this desktop sent, so everything held goes again; once
    everything is pulled again, rows it lost that no outbox holds any more go too (``repair``)."""
    _put(s, CURSOR, cursor)
    _put(s, REPAIR, True)
    outbox.send_again_from(s, outbox.held_from(s))


def _apply_page(s: Any, page: dict[str, Any], build: str) -> Any:
    # Pulling everything again from a restored server: values it lost that this desktop holds are kept.
    applied = apply_changes(s, page["changes"], build=build, newer_only=bool(_setting(s, REPAIR)))
    _put(s, CURSOR, page["next"])
    return applied


def pending_count(store: Store) -> int:
    with store.session() as s:
        return outbox.pending_count_in(s)
