"""Sync benchmark: the real server (``saypro-server serve``) on loopback, desktops as the sync engine runs them.

    .venv/bin/python bench/bench_sync.py [--inquiries 100000] [--backend postgresql|sqlite] [--skip slow,load]

1. first sync: a desktop holding a generated store of N inquiries (bench/out/store-N-12-1, copied first;
   never rebuilt) enrols as an Admin with a new server database and pushes its whole outbox ("initial
   upload"); then a new, empty desktop enrols and pulls everything ("first sync of N inquiries");
2. 1,000 offline edits (status changes and notes through saypro_desktop.services) pushed by the first
   desktop and pulled by the second;
3. the same through a throttling proxy on loopback (bench/throttle_proxy.py: 1 Mbit/s, 300 ms round trip,
   2 % of responses cut partway) with a smaller store (``--slow-inquiries``, default 5,000), retrying a sync
   that broke; figures per inquiry are extrapolated to N;
4. load: ``--load-desktops`` (50) desktops in ``--load-procs`` processes enrol with one server on PostgreSQL
   and repeat "log a few inquiries, sync" for ``--load-seconds``; requests/s and latency per endpoint.

Bytes on the wire are counted below httpx (request line, headers and body as sent; response status line,
headers and body as received, before decompression); the proxy counts TCP payload too. Network traffic goes
only to 127.0.0.1. Each server database is created for the run and dropped afterwards. Writes the summary to
bench/out/sync-results.json (``--out``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing as mp
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import func, select

from bench.common import OUT, generated_store
from bench.sync_server import PASSWORD, BenchServer
from saypro_desktop.store import DataPaths, Store, open_store
from saypro_desktop.sync.client import SyncError, connection_limits
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.sync.engine import SyncEngine, SyncReport, enroll, make_client, pending_count

ADMIN, AGENT = "bench.admin", "bench.agent"


# -- measuring -------------------------------------------------------------------------------------------------

class MeteredTransport(httpx.BaseTransport):
    """Counts the bytes of each exchange as they travel (compressed bodies stay compressed) and times it
    from sending the request to the last byte of the response."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport(limits=connection_limits())  # as SyncClient's own
        self.records: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sent = len(f"{request.method} {request.url.raw_path.decode()} HTTP/1.1\r\n") + 2 \
            + sum(len(k) + len(v) + 4 for k, v in request.headers.raw) + len(request.content)
        endpoint = request.url.path.removeprefix("/api/v1")
        started = time.perf_counter()
        wall = time.time()
        try:
            response = self.inner.handle_request(request)
            try:
                raw = b"".join(response.stream)  # type: ignore[union-attr]
            finally:
                response.close()
        except Exception as exc:
            self._add({"endpoint": endpoint, "status": None, "ms": (time.perf_counter() - started) * 1000,
                       "at": wall, "sent": sent, "received": 0, "error": f"{type(exc).__name__}: {exc}"})
            raise
        received = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n") + 2 \
            + sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + len(raw)
        self._add({"endpoint": endpoint, "status": response.status_code, "ms": (time.perf_counter() - started) * 1000,
                   "at": wall, "sent": sent, "received": received, "body": len(raw),
                   "encoding": response.headers.get("content-encoding", "")})
        return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(raw),
                              extensions=response.extensions)

    def _add(self, record: dict[str, Any]) -> None:
        with self.lock:
            self.records.append(record)

    def close(self) -> None:
        self.inner.close()

    def mark(self) -> int:
        return len(self.records)

    def wire(self, since: int = 0) -> dict[str, Any]:
        rs = self.records[since:]
        pulls = [r for r in rs if r["endpoint"] == "/sync/pull" and r["status"] == 200]
        return {"requests": len(rs), "sent_bytes": sum(r["sent"] for r in rs),
                "received_bytes": sum(r["received"] for r in rs),
                "failed_requests": sum(1 for r in rs if r["status"] is None or r["status"] >= 400),
                "pull_pages": len(pulls),
                "pull_pages_zstd": sum(1 for r in pulls if r.get("encoding") == "zstd")}


class Desk:
    """A desktop: a store and a sync client whose transport is metered."""

    def __init__(self, name: str, store: Store, url: str, username: str,
                 tokens: MemoryTokenStore | None = None) -> None:
        self.name, self.store, self.username = name, store, username
        self.tokens = tokens or MemoryTokenStore()
        self.transport = MeteredTransport()
        self.client = make_client(store, url, self.tokens, username, transport=self.transport)

    def via(self, url: str) -> Desk:
        """The same desktop and sign-in, talking to another address (the proxy)."""
        other = Desk(self.name, self.store, url, self.username, self.tokens)
        other.client.access_token = self.client.access_token
        return other

    def engine(self) -> SyncEngine:
        return SyncEngine(self.store, self.client)

    def count(self, model: Any) -> int:
        with self.store.session() as s:
            return s.scalar(select(func.count()).select_from(model))

    def close(self) -> None:
        self.client.close()
        self.store.close()


def retrying(step: Callable[[], Any], pause: float, limit: int = 500) -> tuple[Any, list[str]]:
    """Run ``step`` until it finishes without a SyncError (a broken line), as the desktop does at its next try."""
    failures: list[str] = []
    while True:
        try:
            return step(), failures
        except SyncError as exc:
            failures.append(str(exc)[:160])
            if len(failures) >= limit:
                raise
            time.sleep(pause)


def run_steps(engine: SyncEngine, report: SyncReport) -> SyncReport:
    """``SyncEngine.run`` step by step into the caller's report, so a run that breaks still counts what it did."""
    engine.claim_numbers(report)
    engine.lease_numbers(report)
    engine.push(report)
    engine.pull(report)
    return report


def app_backoff_s(failures: int) -> float:
    """What the desktop app would have waited after ``failures`` broken runs that each got somewhere (a page
    applied or a batch sent): sync_controller.RESUME_MS each, jitter left out. (Runs that get nowhere back
    off from 30 s doubling to 15 min instead.)"""
    from saypro_desktop.ui.sync_controller import RESUME_MS

    return failures * RESUME_MS / 1000


def timed(fn: Callable[[], Any], profile: Path | None = None) -> tuple[Any, float]:
    t = time.perf_counter()
    if profile is None:
        result = fn()
    else:
        prof = cProfile.Profile()
        result = prof.runcall(fn)
        prof.dump_stats(profile)
    return result, time.perf_counter() - t


def r(x: float, nd: int = 1) -> float:
    return round(x, nd)


# -- stores ------------------------------------------------------------------------------------------------------

def source_store(inquiries: int, months: int) -> Path:
    """The cached generated store of that size; built (once) only when there is none."""
    root = OUT / f"store-{inquiries}-{months}-1"
    if not (root / ".complete").exists():
        print(f"building a store of {inquiries} inquiries in {root} (once)…", flush=True)
        store, built = generated_store(inquiries, months)
        store.close()
        print(f"  built in {built:.0f} s", flush=True)
    return root


def copy_store(source: Path, target: Path) -> Store:
    """Copy the database only (never touch the cached one: enrolling and migrating change it), then open it."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for suffix in ("", "-wal"):
        f = source / f"saypro.db{suffix}"
        if f.exists():
            shutil.copyfile(f, target / f.name)
    return open_store(DataPaths(target))


def outbox(store: Store) -> dict[str, int]:
    from saypro_desktop.models import ChangeLogEntry, Inquiry

    with store.session() as s:
        return {"pending_mutations": s.scalar(select(func.count()).select_from(ChangeLogEntry)
                                              .where(ChangeLogEntry.state == "pending")),
                "inquiries": s.scalar(select(func.count()).select_from(Inquiry))}


def server_counts(server: BenchServer) -> dict[str, int]:
    from saypro_server.store.schema import SYNCED, change_feed

    with server.db.read() as conn:
        counts = {t: conn.execute(select(func.count()).select_from(SYNCED[t])).scalar_one()
                  for t in ("inquiry", "action_step", "audit_entry")}
        counts["feed"] = conn.execute(select(func.count()).select_from(change_feed)).scalar_one()
    return counts


# -- offline edits ------------------------------------------------------------------------------------------------

def offline_edits(store: Store, count: int, seed: int = 7) -> dict[str, Any]:
    """``count`` edits of random inquiries, each its own unit of work as in the app: every other one a note,
    the rest a status change along the workflow."""
    from saypro_desktop.core.vocab import ActionKind, Status
    from saypro_desktop.models import ChangeLogEntry, Inquiry
    from saypro_desktop.services import inquiries as svc
    from saypro_desktop.services.context import acting

    rng = random.Random(seed)
    with store.session() as s:
        ids = list(s.scalars(select(Inquiry.id).where(Inquiry.deleted.is_(False)).order_by(Inquiry.id)))
        before = s.scalar(select(func.count()).select_from(ChangeLogEntry).where(ChangeLogEntry.state == "pending"))
    kinds: dict[str, int] = defaultdict(int)
    t = time.perf_counter()
    for k in range(count):
        with acting(store) as ctx:
            inquiry = ctx.session.get(Inquiry, rng.choice(ids))
            if k % 2 == 0:
                svc.add_action_step(ctx, inquiry, f"Called the user back (bench note {k})", ActionKind.NOTE)
                kinds["note"] += 1
                continue
            status = inquiry.status
            if status == Status.CLOSED:
                svc.change_status(ctx, inquiry, Status.REOPENED, note="The user wrote back")
            elif status == Status.RESOLVED:
                svc.change_status(ctx, inquiry, Status.CLOSED)
            elif status == Status.IN_PROGRESS:
                svc.change_status(ctx, inquiry, Status.ESCALATED, tier="Tier 2", reason="Needs a second look")
            else:
                svc.change_status(ctx, inquiry, Status.IN_PROGRESS)
            kinds[f"{status.value} -> next"] += 1
    elapsed = time.perf_counter() - t
    with store.session() as s:
        after = s.scalar(select(func.count()).select_from(ChangeLogEntry).where(ChangeLogEntry.state == "pending"))
    return {"edits": count, "kinds": dict(kinds), "mutations": after - before,
            "local_ms_per_edit": r(elapsed * 1000 / count, 2)}


# -- 1 and 2: the first sync and 1,000 edits on a fast link -------------------------------------------------------

def fast_link(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"inquiries_requested": args.inquiries, "backend": args.backend}
    source = source_store(args.inquiries, args.months)
    print(f"[fast] copying {source}…", flush=True)
    t = time.perf_counter()
    a_store = copy_store(source, work / "fast-a")
    res["setup_copy_and_open_s"] = r(time.perf_counter() - t)
    res["source_store"] = str(source.relative_to(OUT.parents[1]))
    res["outbox_before_upload"] = outbox(a_store)
    n = res["outbox_before_upload"]["inquiries"]
    prof = args.profile_dir
    with BenchServer(args.backend, work, label="fast", workers=args.server_workers) as server:
        server.create_user(ADMIN, "Admin")
        server.create_user(AGENT, "Support Agent")
        a = Desk("a", a_store, server.url, ADMIN)
        enroll(a.store, a.client, ADMIN, PASSWORD)
        engine = a.engine()
        report = SyncReport()
        engine.lease_numbers(report)
        spy = py_spy(args, server, "upload")
        mark = a.transport.mark()
        print(f"[fast] initial upload of {res['outbox_before_upload']['pending_mutations']} mutations…", flush=True)
        _, took = timed(lambda: engine.push(report), prof and prof / "upload-client.prof")
        stop_spy(spy)
        wire = a.transport.wire(mark)
        muts = report.pushed + report.duplicates + len(report.rejected)
        res["initial_upload"] = {
            "wall_s": r(took), "mutations": muts, "applied": report.pushed, "rejected": len(report.rejected),
            "rejected_sample": report.rejected[:3], "mutations_per_s": r(muts / took),
            "ms_per_inquiry": r(took * 1000 / n, 2),
            **wire, "bytes_per_inquiry": round(wire["sent_bytes"] / n),
            "client_counter_sent_bytes": a.client.bytes_sent,
            "request_body_compressed": True,
        }
        res["server_after_upload"] = {**server_counts(server), "database_mb": server.database_size_mb()}
        print(f"[fast]   {took:.0f} s", flush=True)

        b = Desk("b", open_store(DataPaths(work / "fast-b")), server.url, AGENT)
        enroll(b.store, b.client, AGENT, PASSWORD)
        print("[fast] first sync of the new desktop…", flush=True)
        spy = py_spy(args, server, "first-sync")
        mark = b.transport.mark()
        got, took = timed(lambda: b.engine().run(), prof and prof / "first-sync-client.prof")
        stop_spy(spy)
        wire = b.transport.wire(mark)
        from saypro_desktop.models import ActionStep, AuditEntry, Inquiry

        b_inquiries = b.count(Inquiry)
        res["first_sync"] = {
            "wall_s": r(took), "changes_pulled": got.pulled, "skipped": len(got.set_aside),
            "changes_per_s": r(got.pulled / took), "ms_per_inquiry": r(took * 1000 / n, 2), **wire,
            "received_bytes_per_inquiry": round(wire["received_bytes"] / n),
            "client_counter_received_bytes": b.client.bytes_received,
            "zstd": wire["pull_pages_zstd"] == wire["pull_pages"] and wire["pull_pages"] > 0,
            "desktop_rows": {"inquiry": b_inquiries, "action_step": b.count(ActionStep),
                             "audit_entry": b.count(AuditEntry)},
            "desktop_database_mb": r(b.store.paths.database.stat().st_size / 1e6),
            "all_inquiries_arrived": b_inquiries == res["server_after_upload"]["inquiry"],
        }
        print(f"[fast]   {took:.0f} s, {got.pulled} changes", flush=True)

        print(f"[fast] {args.edits} offline edits on the first desktop…", flush=True)
        res["edits"] = offline_edits(a.store, args.edits)
        mark = a.transport.mark()
        report = SyncReport()
        _, took = timed(lambda: engine.push(report))
        wire = a.transport.wire(mark)
        res["edits_push"] = {"wall_s": r(took, 2), "mutations": report.pushed + report.duplicates,
                             "rejected": len(report.rejected), **wire}
        mark = b.transport.mark()
        got, took = timed(lambda: b.engine().run())
        wire = b.transport.wire(mark)
        res["edits_pull"] = {"wall_s": r(took, 2), "changes_pulled": got.pulled, **wire}
        res["server_after_edits"] = server_counts(server)
        for d in (a, b):
            d.close()
    return res


# -- 3: the slow, lossy link ------------------------------------------------------------------------------------------

class ProxyProcess:
    def __init__(self, upstream: str, args: argparse.Namespace, stats: Path) -> None:
        cmd = [sys.executable, "-m", "bench.throttle_proxy", "--upstream", upstream, "--kbit", str(args.slow_kbit),
               "--rtt-ms", str(args.slow_rtt_ms), "--cut", str(args.slow_cut), "--seed", "1", "--stats", str(stats)]
        self.stats = stats
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parents[1], text=True)
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not line.startswith("listening "):
            self.proc.kill()
            raise RuntimeError(f"the throttling proxy did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"

    def stop(self) -> dict[str, Any]:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)
        return json.loads(self.stats.read_text()) if self.stats.exists() else {}


def slow_link(args: argparse.Namespace, work: Path, n_target: int) -> dict[str, Any]:
    res: dict[str, Any] = {"link": {"kbit_per_s": args.slow_kbit, "rtt_ms": args.slow_rtt_ms,
                                    "responses_cut": args.slow_cut, "retry_pause_s": args.retry_pause}}
    source = source_store(args.slow_inquiries, args.months)
    a_store = copy_store(source, work / "slow-a")
    n = outbox(a_store)["inquiries"]
    res["inquiries"] = n
    with BenchServer(args.backend, work, label="slow", workers=args.server_workers) as server:
        server.create_user(ADMIN, "Admin")
        server.create_user(AGENT, "Support Agent")
        a = Desk("a", a_store, server.url, ADMIN)
        enroll(a.store, a.client, ADMIN, PASSWORD)
        print(f"[slow] upload of {n} inquiries over the fast link (setup)…", flush=True)
        engine = a.engine()
        report = SyncReport()
        engine.lease_numbers(report)
        _, took = timed(lambda: engine.push(report))
        res["setup_upload_fast_link"] = {"wall_s": r(took), "mutations": report.pushed + report.duplicates,
                                         "ms_per_inquiry": r(took * 1000 / n, 2)}
        # What the same sync run does next on the uploading desktop: pull the whole feed, its own changes too.
        mark = a.transport.mark()
        _, took = timed(lambda: engine.pull(SyncReport()))
        res["uploader_pulls_its_own_changes_back_fast_link"] = {
            "wall_s": r(took), "ms_per_inquiry": r(took * 1000 / n, 2),
            "received_bytes": a.transport.wire(mark)["received_bytes"]}

        proxy = ProxyProcess(f"127.0.0.1:{server.port}", args, work / "proxy-stats.json")
        try:
            b_direct = Desk("b", open_store(DataPaths(work / "slow-b")), server.url, AGENT)
            b = b_direct.via(proxy.url)
            b_direct.client.close()
            print(f"[slow] first sync of {n} inquiries through the proxy…", flush=True)
            t = time.perf_counter()
            _, login_failures = retrying(lambda: enroll(b.store, b.client, AGENT, PASSWORD), args.retry_pause)
            report = SyncReport()
            _, failures = retrying(lambda: run_steps(b.engine(), report), args.retry_pause)
            took = time.perf_counter() - t
            failures = login_failures + failures
            wire = b.transport.wire()
            res["first_sync"] = {
                "wall_s": r(took), "changes_pulled": report.pulled, "broken_runs_retried": len(failures),
                "failure_sample": failures[:2], **wire, "ms_per_inquiry": r(took * 1000 / n, 1),
                "received_bytes_per_inquiry": round(wire["received_bytes"] / n),
                "pause_between_retries_s": args.retry_pause,
                "extra_wait_with_app_backoff_s": app_backoff_s(len(failures)),
                "wire_time_at_link_rate_s": r((wire["received_bytes"] + wire["sent_bytes"]) * 8
                                              / (args.slow_kbit * 1000)),
                "extrapolated_to": n_target,
                "extrapolated_wall_s": r(took / n * n_target),
                "extrapolated_received_mb": r(wire["received_bytes"] / n * n_target / 1e6),
                "extrapolated_pull_pages": round(wire["pull_pages"] / n * n_target),
                "extrapolated_broken_runs": round(wire["pull_pages"] / n * n_target * args.slow_cut),
                "extrapolated_extra_wait_with_app_backoff_s": app_backoff_s(
                    round(wire["pull_pages"] / n * n_target * args.slow_cut)),
            }
            print(f"[slow]   {took:.0f} s, {len(failures)} broken run(s)", flush=True)

            a_slow = a.via(proxy.url)
            res["edits"] = offline_edits(a.store, args.edits, seed=11)
            print(f"[slow] push of {args.edits} edits and the other desktop's pull through the proxy…", flush=True)
            report = SyncReport()
            (_, failures), took = timed(lambda: retrying(lambda: a_slow.engine().push(report), args.retry_pause))
            wire = a_slow.transport.wire()
            res["edits_push"] = {"wall_s": r(took), "mutations": report.pushed + report.duplicates,
                                 "duplicates_after_retry": report.duplicates, "broken_runs_retried": len(failures),
                                 **wire, "extra_wait_with_app_backoff_s": app_backoff_s(len(failures))}
            mark = b.transport.mark()
            pulled = SyncReport()
            (_, failures), took = timed(lambda: retrying(lambda: b.engine().pull(pulled), args.retry_pause))
            wire = b.transport.wire(mark)
            res["edits_pull"] = {"wall_s": r(took), "changes_pulled": pulled.pulled,
                                 "broken_runs_retried": len(failures), **wire,
                                 "extra_wait_with_app_backoff_s": app_backoff_s(len(failures))}
            from saypro_desktop.models import Inquiry

            res["converged_inquiries"] = b.count(Inquiry) == server_counts(server)["inquiry"]
            for d in (a_slow, a, b):
                d.client.close()
            a.store.close()
            b.store.close()
        finally:
            res["proxy_counters"] = proxy.stop()
    return res


# -- 4: load --------------------------------------------------------------------------------------------------------

def load_worker(index: int, desks: list[tuple[str, str]], url: str, workdir: str, think: float,
                ready: Any, go: Any, times: Any, out: Any) -> None:
    """One process of the load test: a thread per desktop."""
    from saypro_desktop.core.validation import InquiryDraft
    from saypro_desktop.core.vocab import Status
    from saypro_desktop.models import Inquiry
    from saypro_desktop.services import inquiries as svc
    from saypro_desktop.services.context import acting

    results: list[dict[str, Any]] = []
    stores = {name: open_store(DataPaths(Path(workdir) / name)) for name, _ in desks}
    ready.put(index)
    go.wait()
    start, stop, final = times[0], times[1], times[2]

    def desktop(name: str, username: str) -> None:
        rng = random.Random(name)
        store = stores[name]
        desk = Desk(name, store, url, username)
        errors: list[str] = []
        syncs = created = 0
        time.sleep(max(0.0, start - time.time()) + rng.uniform(0, 2))  # they do not all start the same ms
        try:
            retrying(lambda: enroll(store, desk.client, username, PASSWORD), 1.0, limit=5)
            desk.engine().run()
            mine: list[str] = []
            while time.time() < stop:
                with acting(store, username) as ctx:
                    for _ in range(rng.randint(1, 4)):
                        inquiry = svc.create_inquiry(ctx, InquiryDraft(
                            subject=f"Load test question {rng.randrange(10**6)}", category="Technical Issue",
                            mode="Email", user_type="Registered User", user_full_name="Load Tester",
                            user_email="load@example.org", description="Created by bench_sync's load test."))
                        mine.append(inquiry.id)
                        created += 1
                    if len(mine) > 4:
                        one = ctx.session.get(Inquiry, rng.choice(mine[:-4]))
                        if one.status == Status.NEW:
                            svc.change_status(ctx, one, Status.IN_PROGRESS)
                try:
                    desk.engine().run()
                    syncs += 1
                except SyncError as exc:
                    errors.append(str(exc)[:200])
                    time.sleep(1)
                time.sleep(rng.uniform(0.5, 1.5) * think)
            time.sleep(max(0.0, final - time.time()))  # everyone has stopped writing: converge
            for _ in range(3):
                try:
                    got = desk.engine().run()
                    if got.pulled == 0:
                        break
                except SyncError as exc:
                    errors.append("final: " + str(exc)[:200])
            with store.session() as s:
                count = s.scalar(select(func.count()).select_from(Inquiry))
        except Exception as exc:  # a desktop that could not go on at all
            errors.append(f"stopped: {type(exc).__name__}: {exc}"[:300])
            count = -1
        results.append({"desk": name, "records": desk.transport.records, "errors": errors, "syncs": syncs,
                        "created": created, "inquiries": count, "pending": pending_count(store)})
        desk.close()

    threads = [threading.Thread(target=desktop, args=d) for d in desks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(results)


def cpu_snapshot(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the server's processes, by PostgreSQL's, and by the whole machine."""
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[int, str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        procs[int(entry.name)] = (int(fields[1]), comm, (int(fields[11]) + int(fields[12])) / tick)
    tree = {server_pid}
    changed = True
    while changed:
        more = {pid for pid, (ppid, _, _) in procs.items() if ppid in tree} - tree
        tree |= more
        changed = bool(more)
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    total = sum(int(x) for x in cpu[:8]) / tick
    idle = (int(cpu[3]) + int(cpu[4])) / tick
    return {"server": sum(procs[p][2] for p in tree if p in procs),
            "postgres": sum(c for _, comm, c in procs.values() if comm.startswith("postgres")),
            "machine_busy": total - idle, "machine_total": total}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else 0.0


def load_test(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"desktops": args.load_desktops, "processes": args.load_procs,
                           "seconds": args.load_seconds, "think_s": args.load_think, "backend": args.load_backend,
                           "server_workers": args.load_server_workers}
    with BenchServer(args.load_backend, work, label="load", workers=args.load_server_workers) as server:
        names = [(f"load-{k:02d}", f"load.desk{k:02d}") for k in range(args.load_desktops)]
        for _, username in names:
            server.create_user(username, "Support Agent")
        ctx = mp.get_context("spawn")
        ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        times = ctx.Array("d", 3)
        groups = [names[k::args.load_procs] for k in range(args.load_procs)]
        procs = [ctx.Process(target=load_worker, args=(k, g, server.url, str(work / "load"), args.load_think,
                                                       ready, go, times, out), daemon=True)
                 for k, g in enumerate(groups) if g]
        print(f"[load] {args.load_desktops} desktops in {len(procs)} processes for {args.load_seconds} s…", flush=True)
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=300)
        start = time.time() + 1
        times[0], times[1], times[2] = start, start + 2 + args.load_seconds, start + 2 + args.load_seconds + 15
        go.set()
        time.sleep(max(0.0, start + 2 - time.time()))
        cpu0 = cpu_snapshot(server.proc.pid)  # type: ignore[union-attr]
        time.sleep(max(0.0, times[1] - time.time()))
        cpu1 = cpu_snapshot(server.proc.pid)  # type: ignore[union-attr]
        span_cpu = cpu1["machine_total"] - cpu0["machine_total"]
        res["cpu_in_window"] = {
            "cores": os.cpu_count(),
            "server_cores_used": r((cpu1["server"] - cpu0["server"]) / (times[1] - start - 2), 2),
            "postgres_cores_used": r((cpu1["postgres"] - cpu0["postgres"]) / (times[1] - start - 2), 2),
            "machine_busy_fraction": (r((cpu1["machine_busy"] - cpu0["machine_busy"]) / span_cpu, 2)
                                      if span_cpu else None),
            "note": "the desktops run on the same cores; the rest of the machine's time is theirs",
        }
        results: list[dict[str, Any]] = []
        deadline = times[2] + 300
        for _ in procs:
            results += out.get(timeout=max(10, deadline - time.time()))
        for p in procs:
            p.join(30)
        window = (start + 2, times[1])  # after the staggered enrolment, until they stop writing
        records = [rec for d in results for rec in d["records"]]
        in_window = [rec for rec in records if window[0] <= rec["at"] < window[1]]
        span = window[1] - window[0]
        per: dict[str, Any] = {}
        for endpoint in sorted({rec["endpoint"] for rec in records}):
            rs = [rec for rec in in_window if rec["endpoint"] == endpoint]
            allrs = [rec for rec in records if rec["endpoint"] == endpoint]
            ms = [rec["ms"] for rec in rs]
            every = [rec["ms"] for rec in allrs]
            per[endpoint] = {"requests_in_window": len(rs), "requests_per_s": r(len(rs) / span, 1),
                             "p50_ms": r(pct(ms, 0.5)), "p95_ms": r(pct(ms, 0.95)), "max_ms": r(max(ms, default=0)),
                             "requests_all": len(allrs), "all_p50_ms": r(pct(every, 0.5)),
                             "all_p95_ms": r(pct(every, 0.95)),
                             "errors_total": sum(1 for rec in allrs if rec["status"] is None or rec["status"] >= 400),
                             "statuses": dict(sorted(_count(str(rec["status"]) for rec in allrs).items()))}
        server_inquiries = server_counts(server)["inquiry"]
        errors = [e for d in results for e in d["errors"]]
        res.update({
            "window_s": r(span), "requests_per_s": r(len(in_window) / span, 1), "endpoints": per,
            "sync_runs": sum(d["syncs"] for d in results), "inquiries_created": sum(d["created"] for d in results),
            "sync_runs_per_desktop_per_min": r(sum(d["syncs"] for d in results) / len(results) / (span / 60), 1),
            "sync_errors": len(errors), "error_sample": errors[:5],
            "http_errors": sum(1 for rec in records if rec["status"] is None or rec["status"] >= 400),
            "server_inquiries": server_inquiries,
            "desktops_converged": sum(1 for d in results if d["inquiries"] == server_inquiries and d["pending"] == 0),
            "server_database_mb": server.database_size_mb(),
        })
    return res


def _count(items: Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item] += 1
    return counts


# -- profiling of the server (optional) -----------------------------------------------------------------------

def py_spy(args: argparse.Namespace, server: BenchServer, name: str) -> subprocess.Popen[bytes] | None:
    if not args.py_spy or server.proc is None:
        return None
    target = args.profile_dir / f"{name}-server.txt"
    return subprocess.Popen([args.py_spy, "record", "--pid", str(server.proc.pid), "--format", "raw",
                             "--subprocesses", "--output", str(target)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def stop_spy(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)


# -- main ---------------------------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inquiries", type=int, default=100_000, help="N of the first sync (default 100,000)")
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql",
                    help="server database of parts 1-3 (the load test uses --load-backend)")
    ap.add_argument("--server-workers", type=int, default=1)
    ap.add_argument("--edits", type=int, default=1000)
    ap.add_argument("--slow-inquiries", type=int, default=5000)
    ap.add_argument("--slow-kbit", type=float, default=1000)
    ap.add_argument("--slow-rtt-ms", type=float, default=300)
    ap.add_argument("--slow-cut", type=float, default=0.02)
    ap.add_argument("--slow-extrapolate-to", type=int, default=100_000,
                    help="N to extrapolate the slow link's per-inquiry figures to")
    ap.add_argument("--retry-pause", type=float, default=1.0, help="seconds before retrying a broken sync")
    ap.add_argument("--load-desktops", type=int, default=50)
    ap.add_argument("--load-procs", type=int, default=10)
    ap.add_argument("--load-seconds", type=float, default=45)
    ap.add_argument("--load-think", type=float, default=1.0, help="mean pause between a desktop's syncs, s")
    ap.add_argument("--load-backend", choices=("postgresql", "sqlite"), default="postgresql")
    ap.add_argument("--load-server-workers", type=int, default=1)
    ap.add_argument("--skip", default="", help="comma-separated parts to leave out: fast, slow, load")
    ap.add_argument("--profile", action="store_true",
                    help="cProfile the client during the upload and the first sync (bench/out/sync-profile/)")
    ap.add_argument("--py-spy", help="path of py-spy: also sample the server then (needs ptrace)")
    ap.add_argument("--out", type=Path, default=OUT / "sync-results.json")
    ap.add_argument("--keep", action="store_true", help="keep the desktops' stores (printed folder)")
    args = ap.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    args.profile_dir = OUT / "sync-profile" if (args.profile or args.py_spy) else None
    if args.profile_dir:
        args.profile_dir.mkdir(parents=True, exist_ok=True)

    work = Path(tempfile.mkdtemp(prefix="saypro-bench-sync-"))
    summary: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "command": " ".join([".venv/bin/python", "bench/bench_sync.py", *sys.argv[1:]]),
    }
    t0 = time.perf_counter()
    try:
        if "fast" not in skip:
            summary["fast_link"] = fast_link(args, work)
        if "slow" not in skip:
            summary["slow_link"] = slow_link(args, work, args.slow_extrapolate_to)
        if "load" not in skip:
            summary["load"] = load_test(args, work)
    finally:
        summary["total_s"] = r(time.perf_counter() - t0)
        if args.keep:
            print(f"stores kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
