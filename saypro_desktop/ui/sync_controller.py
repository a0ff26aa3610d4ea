"""Background sync for the desktop app: on start, after local changes (debounced), on a timer, when the
operating system says the network is back, and on "Sync now"; retries with exponential backoff and jitter
while the server cannot be reached. Network calls run on the worker pool; the database steps between them
queue on the single writer thread."""

from __future__ import annotations

import contextlib
import logging
import random
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtNetwork import QNetworkInformation

from ..core.permissions import Role
from ..services.staff import clear_server_refusal, record_server_refusal
from ..store import Store
from ..sync import set_aside
from ..sync.client import AccessEnded, AuthError, SyncError, UpgradeRequired
from ..sync.credentials import TokenStore, system_token_store
from ..sync.engine import (
    ENROLLED,
    LAST_SYNC,
    SERVER_URL,
    USERNAME,
    SyncEngine,
    SyncReport,
    _setting,
    enroll,
    make_client,
    pending_count,
)
from .app_context import AppContext, SignedIn
from .tasks import TaskRunner

log = logging.getLogger(__name__)

PERIOD_MS = 5 * 60_000
AFTER_CHANGE_MS = 10_000
MAX_BACKOFF_MS = 15 * 60_000
RESUME_MS = 10_000  # after a run that broke but got somewhere (a long first sync on a poor line): go on soon


@dataclass
class SyncStatus:
    enrolled: bool = False
    online: bool | None = None  # None: not tried yet
    running: bool = False
    pending: int = 0
    last_sync: str | None = None
    message: str = ""
    set_aside: list[str] = field(default_factory=list)  # changes from the server this desktop could not apply


def enrol_desktop(store: Store, runner: TaskRunner, tokens: TokenStore, server_url: str, username: str,
                  password: str, on_done: Any, on_error: Any) -> None:
    """Sign in to the server and enrol this desktop, as `saypro login` does: the network on the pool, the
    database steps on the writer thread. ``on_done`` gets the server's user (a dict); the local user of that
    name now signs in with the same password, offline too. Used before any window exists (the sign-in dialog)
    and by the controller (File → Connect to server)."""
    def run_db(fn: Any) -> Any:
        def job() -> Any:
            with store.session() as s:
                return fn(s)
        return runner.call_on_writer(job)

    def work() -> dict[str, Any]:
        client = make_client(store, server_url, tokens, username)
        try:
            return enroll(store, client, username, password, run_db=run_db)
        finally:
            client.close()

    runner.read(work, on_done, on_error)


def signed_in_as(user: dict[str, Any]) -> SignedIn:
    """The server's user (as `enroll` returns it) as the app's signed-in user."""
    return SignedIn(user["id"], user["username"], user["display_name"], Role.parse(user["role"]))


class SyncController(QObject):
    status_changed = Signal(object)  # SyncStatus
    finished = Signal(object)  # SyncReport
    needs_sign_in = Signal(str)  # why
    user_changed = Signal(object)  # SignedIn: after connecting, work here is the server user's
    progress = Signal(str)  # emitted on the pool while a sync runs; shown in the status bar
    wound_down = Signal()  # after stop(): the run that was under way has ended (the next controller may start)
    access_refused = Signal(str)  # the server refused the user itself (deactivated, expired): recorded here

    def __init__(self, app: AppContext, tokens: TokenStore | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.tokens = tokens or system_token_store()
        self.status = SyncStatus()
        self._failures = 0
        self._again = False
        self._got_somewhere = False  # this run applied a page or sent a batch (see _failed)
        self._stopped = False
        self._previous: SyncController | None = None  # the last user's controller, still ending its run
        self._ended = QTimer(self, singleShot=True, interval=0)  # a child: it never fires once self is gone
        self._ended.timeout.connect(self.wound_down)
        self.has_wound_down = False  # stopped and its last run over (a user whose access ended: stopped early)
        self.wound_down.connect(self._mark_wound_down)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.sync_now)
        self._debounce = QTimer(self, singleShot=True, interval=AFTER_CHANGE_MS)
        self._debounce.timeout.connect(self.sync_now)
        app.bus.changed.connect(self._local_change)
        self.progress.connect(self._progressed)  # queued: the receiver lives on the GUI thread
        self._watch_network()

    def _watch_network(self) -> None:
        """Qt's reachability backend (Network List Manager on Windows; NetworkManager and others on Linux),
        where the system has one; without it the backoff timer finds the network again."""
        if QNetworkInformation.instance() is None and not QNetworkInformation.loadBackendByFeatures(
                QNetworkInformation.Feature.Reachability):
            log.info("no network reachability backend: retries alone notice a network that comes back")
            return
        QNetworkInformation.instance().reachabilityChanged.connect(self._reachability_changed)

    def stop(self) -> None:
        """Stop for good (sign-out, switch user, quit): no timer fires again, local changes and the network
        no longer start a run, and the result of a run still under way is dropped (what it did is committed;
        the next controller reads the state again). Safe to call twice. ``wound_down`` follows when the run
        under way has ended (at once when none is): two runs never go at the same time."""
        if self._stopped:
            return
        self._stopped = True
        if not self.status.running and self._previous is None:
            self._ended.start()  # after the caller has connected to wound_down
        self._timer.stop()
        self._debounce.stop()
        for signal, slot in ((self.app.bus.changed, self._local_change), (self.progress, self._progressed)):
            with contextlib.suppress(RuntimeError, TypeError):  # already gone
                signal.disconnect(slot)
        info = QNetworkInformation.instance()
        if info is not None:
            with contextlib.suppress(RuntimeError, TypeError):
                info.reachabilityChanged.disconnect(self._reachability_changed)

    @property
    def stopped(self) -> bool:
        return self._stopped

    def start_after(self, previous: SyncController | None) -> None:
        """Start once ``previous`` (stopped: another user was signed in) has ended the run it had under way,
        so two syncs never run at once; ``previous`` is deleted then."""
        if previous is None or previous.has_wound_down:  # stopped long ago: nothing to wait for
            if previous is not None:
                previous.deleteLater()
            self.start()
            return
        self._previous = previous
        previous.wound_down.connect(self._previous_ended)

    def _mark_wound_down(self) -> None:
        self.has_wound_down = True

    def _previous_ended(self) -> None:
        previous, self._previous = self._previous, None
        if previous is not None:
            previous.deleteLater()
        if self._stopped:
            self.wound_down.emit()  # stopped before it started: the one after it may go now
        else:
            self.start()

    def _reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        if self._stopped:
            return
        if reachability != QNetworkInformation.Reachability.Online or not self.status.enrolled:
            return
        if self.status.online is False:  # back after a failure: try now instead of after the backoff
            log.info("the network is back; syncing")
            self._failures = 0
            self.sync_now()

    # status -----------------------------------------------------------------------------------------------
    def start(self) -> None:
        self.app.read(self._read_state, self._state_read)

    def _read_state(self, ctx: Any) -> tuple[bool, str | None, int, list[str]]:
        s = ctx.session
        return (bool(_setting(s, ENROLLED)), _setting(s, LAST_SYNC), pending_count(self.app.store),
                [str(v) for v in set_aside.listed(s)])

    def _state_read(self, state: tuple[bool, str | None, int, list[str]]) -> None:
        if self._stopped:
            return
        self.status.enrolled, self.status.last_sync, self.status.pending, self.status.set_aside = state
        self._emit()
        if self.status.enrolled:
            self.sync_now()

    def _emit(self, message: str | None = None) -> None:
        if message is not None:
            self.status.message = message
        self.status_changed.emit(self.status)

    def _local_change(self, entity: str, _ids: list[str]) -> None:
        if entity == "sync":
            return
        self.app.read(lambda ctx: pending_count(self.app.store), self._pending_read)
        if self.status.enrolled:
            self._debounce.start()

    def _pending_read(self, n: int) -> None:
        self.status.pending = n
        self._emit()

    # running ------------------------------------------------------------------------------------------------
    def sync_now(self) -> None:
        if self._stopped:
            return
        if not self.status.enrolled:
            self._emit("Local only – not connected to a server")
            return
        if self.status.running:
            self._again = True  # one more run right after this one
            return
        self.status.running = True
        self._got_somewhere = False
        self._emit("Syncing…")
        self.app.runner.read(self._run, self._done, self._failed)

    def _db(self, fn: Any) -> Any:
        def job() -> Any:
            with self.app.store.session() as s:
                return fn(s)
        return self.app.runner.call_on_writer(job)

    def _run(self) -> tuple[SyncReport, int, list[str]]:
        with self.app.store.session() as s:
            url, username = _setting(s, SERVER_URL), _setting(s, USERNAME)
        client = make_client(self.app.store, url, self.tokens, username)
        try:
            if client.refresh_token is None:
                raise AuthError("sign in to the server to sync")
            report = SyncEngine(self.app.store, client, run_db=self._db, progress=self.progress.emit).run()
        finally:
            client.close()
        with self.app.store.session() as s:
            aside = [str(v) for v in set_aside.listed(s)]
        return report, pending_count(self.app.store), aside

    def _progressed(self, message: str) -> None:
        if self.status.running:
            self._got_somewhere = True
            self._emit(message)

    def _done(self, result: tuple[SyncReport, int, list[str]]) -> None:
        report, pending, aside = result
        if self._stopped:
            self.status.running = False
            self.wound_down.emit()
            return
        self._failures = 0
        self.status.running, self.status.online, self.status.pending = False, True, pending
        self.status.set_aside = aside
        self.app.read(lambda ctx: _setting(ctx.session, LAST_SYNC), self._last_sync)
        self._emit(f"Synced: {report.summary()}")
        self._forget_refusal()
        if report.pulled:
            self.app.bus.announce("inquiry")  # remote changes: open views refresh
        self.app.bus.announce("sync")
        self.finished.emit(report)
        self._schedule(0 if self._again else PERIOD_MS)

    def _remember_refusal(self, reason: str) -> None:
        store = self.app.store

        def job() -> None:
            with store.session() as s:
                username = _setting(s, USERNAME)
                if username:
                    record_server_refusal(s, str(username), reason)

        self.app.runner.write(job, lambda _: self.access_refused.emit(reason))

    def _forget_refusal(self) -> None:
        """The server took this sync: whatever it refused before, it accepts the user now."""
        store = self.app.store

        def job() -> None:
            with store.session() as s:
                username = _setting(s, USERNAME)
                if username:
                    clear_server_refusal(s, str(username))

        self.app.runner.write(job)

    def _last_sync(self, when: str | None) -> None:
        self.status.last_sync = when
        self._emit()

    def _failed(self, exc: Exception) -> None:
        self.status.running = False
        if self._stopped:
            self.wound_down.emit()
            return
        if isinstance(exc, AccessEnded):  # the desktop may not have heard of it: the server refuses its pull too
            self._remember_refusal(str(exc))
        if isinstance(exc, AuthError):
            self.status.online = True
            self._emit(str(exc))
            self.needs_sign_in.emit(str(exc))
            return
        if isinstance(exc, UpgradeRequired):
            self._emit(str(exc))
            return
        self.status.online = False if isinstance(exc, SyncError) else self.status.online
        if self._got_somewhere:
            # Pages received or batches sent are kept: the line works, only badly. Backing off further
            # would stretch a long first sync over hours.
            self._failures = 0
            delay = RESUME_MS
        else:
            self._failures += 1
            delay = min(MAX_BACKOFF_MS, 30_000 * 2 ** (self._failures - 1))
        delay = int(delay * random.uniform(0.8, 1.2))  # jitter: desktops do not retry in step
        log.info("sync failed (%s); next try in %d s", exc, delay // 1000)
        self._emit(f"Offline – will retry in {delay // 1000} s ({exc})")
        self._schedule(delay)

    def _schedule(self, delay_ms: int) -> None:
        self._again = False
        if self._stopped:
            return
        self._timer.start(delay_ms)

    def with_client(self, fn: Any, on_done: Any, on_error: Any) -> None:
        """Run ``fn(client)`` against the server on the pool (e.g. the conflicts list)."""
        def work() -> Any:
            with self.app.store.session() as s:
                url, username = _setting(s, SERVER_URL), _setting(s, USERNAME)
            if not url:
                raise SyncError("this desktop is not connected to a server (File → Connect to server)")
            client = make_client(self.app.store, url, self.tokens, username)
            try:
                if client.refresh_token is None:
                    raise AuthError("sign in to the server first (File → Connect to server)")
                return fn(client)
            finally:
                client.close()

        self.app.runner.read(work, on_done, on_error)

    # signing in -----------------------------------------------------------------------------------------------
    def sign_in(self, server_url: str, username: str, password: str, on_done: Any, on_error: Any) -> None:
        """Enrol this desktop with the server (network on the pool); then sync at once."""
        def done(user: dict[str, Any]) -> None:
            self.status.enrolled = True
            # The local user may have been merged into the server's (enrolment): go on as the server user.
            signed = signed_in_as(user)
            if signed != self.app.user:
                self.app.user = signed
                self.user_changed.emit(signed)
            on_done(user)
            self.sync_now()

        enrol_desktop(self.app.store, self.app.runner, self.tokens, server_url, username, password, done, on_error)
