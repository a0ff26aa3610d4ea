"""A broken line between a desktop and the real server (SQLite and PostgreSQL), through a loopback proxy.

Every test ends with the same three checks: nothing lost (each local inquiry, edit and action step is on
the other desktop), nothing applied twice (the server's change feed grew by exactly one entry per
mutation and holds each created row once), and no outbox entry left pending.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from saypro_desktop.models import IdBlock
from saypro_desktop.services import inquiries as svc
from saypro_desktop.store import DataPaths, open_store
from saypro_desktop.sync import engine as engine_module
from saypro_desktop.sync import outbox as outbox_module
from saypro_desktop.sync.client import SyncError
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.sync.engine import CURSOR, SyncEngine, SyncReport, enroll, make_client, pending_count
from saypro_desktop.sync.protocol import PROTOCOL_VERSION
from saypro_server.store.schema import change_feed, number_lease
from tests.server_fixtures import DEFAULT_PASSWORD, LiveServer
from tests.sync.conftest import Desktop, edit
from tests.sync.helpers import (
    SMALL_PAGE,
    assert_converged,
    assert_has,
    assert_nothing_applied_twice,
    backup_server,
    draft,
    feed_size,
    offline_work,
    outbox,
    restore_server,
)
from tests.sync.loopback_proxy import LoopbackProxy

# -- fixtures and helpers ----------------------------------------------------------------------------------------

@pytest.fixture
def proxy(live_server: LiveServer) -> Iterator[LoopbackProxy]:
    with LoopbackProxy(live_server.port, lifetime=120, io_timeout=10) as p:
        yield p


@pytest.fixture
def proxied(live_server: LiveServer, proxy: LoopbackProxy, tmp_path: Path) -> Iterator[Any]:
    """Like ``desktops``, but the desktop talks to the server through ``proxy``."""
    made: list[Desktop] = []

    def make(name: str, username: str, role: str = "Support Agent") -> Desktop:
        live_server.create_user(username, role)
        store = open_store(DataPaths(tmp_path / f"proxied-{name}"))
        tokens = MemoryTokenStore()
        client = make_client(store, proxy.url, tokens, username, timeout=10)
        enroll(store, client, username, DEFAULT_PASSWORD)
        desk = Desktop(name, store, username, client)
        desk.tokens = tokens  # type: ignore[attr-defined]  # to open a second client, as after a restart
        desk.sync()
        made.append(desk)
        return desk

    yield make
    for d in made:
        d.client.close()
        d.store.close()


# -- the proxy itself ------------------------------------------------------------------------------------------

@pytest.fixture
def sqlite_live_server(sqlite_server_db_url: str) -> Iterator[LiveServer]:
    server = LiveServer(sqlite_server_db_url).start()
    yield server
    server.close()


def test_the_proxy_passes_requests_through_and_stops_by_itself(sqlite_live_server):
    port = sqlite_live_server.port
    with pytest.raises(ValueError, match="loopback"):
        LoopbackProxy(port, "10.0.0.1")
    with LoopbackProxy(port, lifetime=1.0, io_timeout=5) as p, httpx.Client(base_url=p.url) as http:
        for _ in range(3):  # httpx keeps connections alive; the proxy answers "Connection: close"
            response = http.get("/api/v1/version")
            assert response.status_code == 200 and response.json()["protocol"]["min"] == PROTOCOL_VERSION
            assert response.headers["connection"] == "close"
        p.duplicate_next_request(path="/version")
        assert http.get("/api/v1/version").status_code == 200
        p.cut_request_after(10)
        with pytest.raises(httpx.TransportError):
            http.get("/api/v1/version")
        p.cut_after_response_bytes(5)
        with pytest.raises(httpx.TransportError):
            http.get("/api/v1/version")
        assert p.wait_idle(5)
        assert [e.fault for e in p.log] == [None, None, None, "duplicate", "cut_request", "cut_response"]
        assert [e.upstream_sends for e in p.log] == [1, 1, 1, 2, 1, 1]
        assert p.log[-1].truncated and p.log[-1].forwarded_bytes == 5
        deadline = time.monotonic() + 5
        while p.running and time.monotonic() < deadline:  # the lifetime runs out
            time.sleep(0.05)
        assert not p.running
        with pytest.raises(httpx.TransportError):
            http.get("/api/v1/version")


# -- push ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cut", [0, -1], ids=["no-answer", "all-but-last-byte"])
def test_connection_lost_after_the_server_committed_a_push(proxied, desktops, proxy, live_server, cut):
    a = proxied("a", "boss", "Admin")
    b = desktops("b", "lerato")
    refs = offline_work(a, "A")
    pending, feed_before = pending_count(a.store), feed_size(live_server)
    proxy.cut_after_response_bytes(cut, path="/sync/push")
    with pytest.raises(SyncError, match="cannot reach"):
        a.sync()
    assert proxy.wait_idle() and [e.truncated for e in proxy.fired("cut_response")] == [True]
    assert feed_size(live_server) == feed_before + pending  # the server applied the batch...
    assert pending_count(a.store) == pending  # ...but the desktop never heard it, so nothing is marked done

    report = a.sync()
    assert (report.pushed, report.duplicates, report.rejected) == (0, pending, [])
    assert feed_size(live_server) == feed_before + pending  # acknowledged again, not applied again
    b.sync()
    assert_has(b, refs, "A")
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


def test_a_push_cut_before_the_server_has_it_all_applies_nothing(proxied, desktops, proxy, live_server):
    a = proxied("a", "boss", "Admin")
    b = desktops("b", "lerato")
    refs = offline_work(a, "A")
    pending, feed_before = pending_count(a.store), feed_size(live_server)
    proxy.cut_request_after(300, path="/sync/push")
    with pytest.raises(SyncError, match="cannot reach"):
        a.sync()
    assert feed_size(live_server) == feed_before and pending_count(a.store) == pending
    report = a.sync()
    assert (report.pushed, report.duplicates) == (pending, 0)
    b.sync()
    assert_has(b, refs, "A")
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


def test_a_push_the_server_receives_twice_is_applied_once(proxied, desktops, proxy, live_server):
    a = proxied("a", "boss", "Admin")
    b = desktops("b", "lerato")
    refs = offline_work(a, "A")
    pending, feed_before = pending_count(a.store), feed_size(live_server)
    proxy.duplicate_next_request(path="/sync/push")
    report = a.sync()
    assert proxy.wait_idle() and [e.upstream_sends for e in proxy.fired("duplicate")] == [2]
    # the desktop only saw the answer to the second copy: everything was already there
    assert (report.pushed, report.duplicates, report.rejected) == (0, pending, [])
    assert feed_size(live_server) == feed_before + pending
    b.sync()
    a.sync()
    assert_has(b, refs, "A")
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


def test_a_slow_line_still_completes(proxied, proxy, live_server):
    a = proxied("a", "boss", "Admin")
    b = proxied("b", "lerato")
    refs = offline_work(a, "A")
    with b.work() as ctx:
        svc.create_inquiry(ctx, draft("B question"))
    proxy.delay(0.02)
    started = time.monotonic()
    for desk in (a, b, a):
        desk.sync()
    assert time.monotonic() - started > 0.02 * 12  # every chunk waited (lease, push and pull each way)
    proxy.delay(0)
    assert_has(b, refs, "A")
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)
    assert len(a.inquiries()) == 4


def test_the_server_restarts_between_batches(proxied, desktops, proxy, live_server, monkeypatch):
    monkeypatch.setattr(outbox_module, "MAX_BATCH", 4)
    a = proxied("a", "boss", "Admin")
    b = desktops("b", "lerato")
    refs = offline_work(a, "A", inquiries=6)
    pending, feed_before = pending_count(a.store), feed_size(live_server)
    assert pending > 3 * 4  # at least four batches
    real_push = a.client.push
    batches: list[int] = []
    calls = iter(range(1, 1000))

    def push(mutations: list[dict[str, Any]], *envelope: Any) -> list[dict[str, Any]]:
        if next(calls) == 3:
            live_server.stop()  # down before the third batch: this sync stops there
        results = real_push(mutations, *envelope)
        batches.append(len(results))
        if len(batches) == 1:
            live_server.stop()  # restarted between the first and the second batch
            live_server.start()
        return results

    monkeypatch.setattr(a.client, "push", push)
    with pytest.raises(SyncError, match="cannot reach"):
        a.sync()
    assert batches == [4, 4]
    assert pending_count(a.store) == pending - 8
    assert feed_size(live_server) == feed_before + 8
    live_server.start()
    report = a.sync()
    assert (report.pushed, report.duplicates) == (pending - 8, 0)
    assert feed_size(live_server) == feed_before + pending
    b.sync()
    assert_has(b, refs, "A")
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


class Killed(BaseException):
    """The desktop process dies (not an error the sync code could handle)."""


def test_killed_between_sending_a_batch_and_recording_it(proxied, desktops, live_server, monkeypatch):
    monkeypatch.setattr(outbox_module, "MAX_BATCH", 4)
    a = proxied("a", "boss", "Admin")
    b = desktops("b", "lerato")
    refs = offline_work(a, "A", inquiries=4)
    pending, feed_before = pending_count(a.store), feed_size(live_server)
    assert pending > 2 * 4
    doomed = SyncEngine(a.store, a.client)
    real_record = doomed._record
    calls = []

    def record(results: list[dict[str, Any]], report: SyncReport) -> None:
        calls.append(len(results))
        if len(calls) == 2:
            raise Killed  # client.push returned (the server committed); the answer is never saved
        real_record(results, report)

    monkeypatch.setattr(doomed, "_record", record)
    with pytest.raises(Killed):
        doomed.run()
    assert calls == [4, 4]
    assert pending_count(a.store) == pending - 4
    assert feed_size(live_server) == feed_before + 8

    # the desktop starts again: a new client (signs in again with its refresh token) and a new engine
    a.client.close()
    a.client = make_client(a.store, a.client.base, a.tokens, a.username, timeout=10)
    report = SyncEngine(a.store, a.client).run()
    assert (report.duplicates, report.pushed, report.rejected) == (4, pending - 8, [])
    assert outbox(a) == Counter({"acked": pending})
    assert feed_size(live_server) == feed_before + pending
    b.sync()
    assert_has(b, refs, "A")
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


# -- pull ------------------------------------------------------------------------------------------------------

def _small_pages(desk: Desktop, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Make ``desk`` pull in the server's smallest pages; returns the list of pages it received whole."""
    pages: list[dict[str, Any]] = []
    real_pull = desk.client.pull

    def pull(cursor: dict[str, Any], max_bytes: int = SMALL_PAGE) -> dict[str, Any]:
        page = real_pull(cursor, max_bytes=SMALL_PAGE)
        pages.append(page)
        return page

    monkeypatch.setattr(desk.client, "pull", pull)
    return pages


def _cursor(desk: Desktop) -> Any:
    with desk.store.session() as s:
        return engine_module._setting(s, CURSOR)


@pytest.mark.parametrize(("skip", "cut"), [(0, 0), (3, -1)],
                         ids=["first-page-no-answer", "fourth-page-all-but-last-byte"])
def test_connection_lost_in_the_middle_of_a_pull(proxied, desktops, proxy, live_server, monkeypatch, skip, cut):
    a = desktops("a", "boss", "Admin")
    b = proxied("b", "lerato")
    clean = desktops("clean", "sipho")
    refs = offline_work(a, "A", inquiries=24)
    a.sync()
    b_pages, clean_pages = _small_pages(b, monkeypatch), _small_pages(clean, monkeypatch)
    before = _cursor(b)

    proxy.cut_after_response_bytes(cut, path="/sync/pull", skip=skip)
    report = SyncReport()
    with pytest.raises(SyncError, match="cannot reach"):
        SyncEngine(b.store, b.client).pull(report)
    assert proxy.wait_idle() and [e.truncated for e in proxy.fired("cut_response")] == [True]
    assert len(b_pages) == skip  # the pages before the cut arrived whole and were saved with their cursor
    assert _cursor(b) == (b_pages[-1]["next"] if b_pages else before)
    assert report.pulled == sum(len(p["changes"]) for p in b_pages)

    again = b.sync()  # resumes at the saved cursor
    clean.sync()
    assert len(clean_pages) >= 5, "the test needs several pages"
    with live_server.db.read() as conn:
        feed = list(conn.scalars(select(change_feed.c.seq).where(change_feed.c.seq > before["seq"])
                                 .order_by(change_feed.c.seq)))
    received = [c["seq"] for p in b_pages for c in p["changes"]]
    assert received == feed  # every change since the cursor, each saved once (the cut page is pulled again)
    assert report.pulled + again.pulled == len(feed)
    assert_has(b, refs, "A")
    assert_converged(a, b, clean)
    assert_nothing_applied_twice(live_server, a, b, clean)


def test_pulls_and_pushes_both_broken_while_both_desktops_edit(proxied, proxy, live_server, monkeypatch):
    """Both desktops edit the same inquiries while their answers get lost in both directions."""
    a = proxied("a", "boss", "Admin")
    b = proxied("b", "lerato")
    refs = offline_work(a, "A", inquiries=12)
    a.sync()
    _small_pages(b, monkeypatch)
    proxy.cut_after_response_bytes(-1, path="/sync/pull", skip=1)
    with pytest.raises(SyncError):
        b.sync()
    with b.work() as ctx:  # works on what it has (part of the inquiries arrived)
        for row in b.inquiries():
            svc.add_action_step(ctx, edit(ctx, row[0]), "B: looked at it")
        mine = svc.create_inquiry(ctx, draft("B question")).display_id
    with a.work() as ctx:
        svc.update_inquiry(ctx, edit(ctx, refs[1]), description="A: the description, rewritten")
    proxy.cut_after_response_bytes(0, path="/sync/push")
    with pytest.raises(SyncError):
        b.sync()
    proxy.duplicate_next_request(path="/sync/push")
    a.sync()
    for desk in (b, a, b):
        desk.sync()
    assert_has(b, refs, "A")
    with a.work() as ctx:
        assert edit(ctx, mine).subject == "B question"
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


# -- sign-in and numbers -----------------------------------------------------------------------------------------

def test_lost_answers_to_a_token_refresh_and_a_number_lease(proxied, desktops, proxy, live_server):
    a = proxied("a", "boss", "Admin")
    b = desktops("b", "lerato")
    a.client.access_token = "expired"  # the next call is refused with 401 and the client refreshes
    with a.store.session() as s:
        s.query(IdBlock).delete()  # and it needs new numbers
    refresh_token = a.client.refresh_token
    proxy.cut_after_response_bytes(0, path="/auth/refresh")
    with pytest.raises(SyncError, match="cannot reach"):
        a.sync()
    assert a.client.refresh_token == refresh_token  # the server rotated it, the desktop never heard
    proxy.cut_after_response_bytes(-1, path="/ids/lease", skip=1)  # the 401 goes through, the retry's answer not
    with pytest.raises(SyncError, match="cannot reach"):
        a.sync()  # the refresh with the replaced token is accepted once more; the lease answer is lost
    assert [(e.path.rsplit("/", 1)[-1], e.fault) for e in proxy.log[-3:]] == [
        ("lease", None), ("refresh", None), ("lease", "cut_response")]
    assert a.client.refresh_token != refresh_token
    with a.store.session() as s:
        assert s.query(IdBlock).count() == 0
    report = a.sync()
    assert report.leased  # asked again with the same request id: the block whose answer was lost
    refs = offline_work(a, "A")
    assert all("-P" not in ref for ref in refs)
    a.sync()
    b.sync()
    with live_server.db.read() as conn:
        blocks = conn.execute(select(number_lease.c.month, number_lease.c.first, number_lease.c.last)
                              .order_by(number_lease.c.month, number_lease.c.first)).all()
    assert len(blocks) == 4 + 2  # two desktops, two months each; then two new ones (the lost answer's came again)
    assert all(x.last < y.first for x, y in pairwise(blocks) if x.month == y.month), "blocks never overlap"
    assert_has(b, refs, "A")
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


# -- a server restored from a backup ---------------------------------------------------------------------------

def _blocks(desk: Desktop) -> list[tuple[str, int, int]]:
    with desk.store.session() as s:
        return [(b.month_key, b.first, b.last) for b in s.scalars(select(IdBlock).where(IdBlock.source == "lease"))]


def _use_up_numbers(desk: Desktop) -> None:
    """As if the desktop had issued every number it holds (so its next sync leases a new block)."""
    with desk.store.session() as s:
        for block in s.scalars(select(IdBlock).where(IdBlock.source == "lease")):
            block.next = block.last + 1


def _leases(server: LiveServer) -> list[Any]:
    with server.db.read() as conn:
        return conn.execute(select(number_lease).order_by(number_lease.c.month, number_lease.c.first)).all()


def _restored_after_a_lease(desktops: Any, live_server: LiveServer, tmp_path: Path, request: Any,
                            number_gap: int | None) -> tuple[Desktop, Desktop, str]:
    """A and B sync; the server is backed up; A leases a new block and logs an inquiry from it offline;
    the backup is restored; B leases again and logs an inquiry. Returns A, B and A's inquiry ID."""
    a, b = desktops("a", "agent.a"), desktops("b", "agent.b")
    saved = backup_server(live_server, tmp_path, request)
    _use_up_numbers(a)
    a.sync()  # leases a block the backup does not know
    with a.work() as ctx:
        a_ref = svc.create_inquiry(ctx, draft("Logged on A from the block leased after the backup")).inquiry_ref
    restore_server(live_server, saved, number_gap)
    _use_up_numbers(b)
    b.sync()
    with b.work() as ctx:
        svc.create_inquiry(ctx, draft("Logged on B after the restore"))
    b.sync()
    return a, b, a_ref


def test_a_server_restored_from_a_backup_never_hands_out_a_leased_number_twice(desktops, live_server, tmp_path,
                                                                               request):
    a, b, a_ref = _restored_after_a_lease(desktops, live_server, tmp_path, request, None)
    a_block = next(blk for blk in _blocks(a) if blk[1] <= int(a_ref[-4:]) <= blk[2])
    assert not any(blk[0] == a_block[0] and blk[1] <= a_block[2] and blk[2] >= a_block[1] for blk in _blocks(b)), \
        "B was leased numbers A holds"
    report = a.sync()  # claims its blocks, pushes, pulls afresh
    assert report.reset and not report.blocks_refused
    b.sync()
    a.sync()
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)
    refs = {row[1]: row for row in b.inquiries()}
    assert refs[a_ref][3] == "Logged on A from the block leased after the backup"
    # The server holds A's block as A's again: it is never leased to anyone else.
    leases = [x for x in _leases(live_server) if x.month == a_block[0]]
    assert any(x.first == a_block[1] and x.last == a_block[2] for x in leases)
    assert all(x.last < y.first for x, y in pairwise(leases)), "leases never overlap"


def test_a_number_issued_twice_after_a_restore_is_renumbered_and_the_desktops_converge(desktops, live_server,
                                                                                       tmp_path, request):
    """With no gap (an administrator's --number-gap 0) B is leased A's block again: A's claim is refused,
    its clashing inquiry gets a new ID from the server, and its old ID stays findable."""
    a, b, a_ref = _restored_after_a_lease(desktops, live_server, tmp_path, request, 0)
    b_refs = {row[1] for row in b.inquiries()}
    assert a_ref in b_refs, "the scenario needs B to have issued A's number"
    report = a.sync()
    assert report.reset and report.blocks_refused and "another desktop" in report.blocks_refused[0]
    b.sync()
    a.sync()
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)
    rows = {row[3]: row for row in a.inquiries()}
    mine, theirs = rows["Logged on A from the block leased after the backup"], rows["Logged on B after the restore"]
    assert theirs[1] == a_ref and mine[1] != a_ref and mine[2] == a_ref
    with a.work() as ctx:  # what the inquirer was told on A still finds A's inquiry among the results
        assert edit(ctx, mine[1]).subject == mine[3]
    with a.store.session() as s:  # A issues nothing more from the refused block
        blocks = s.scalars(select(IdBlock).where(IdBlock.source == "lease")).all()
        assert all(blk.next > blk.last for blk in blocks if blk.first <= int(a_ref[-4:]) <= blk.last)
