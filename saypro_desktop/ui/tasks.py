"""One task runner for the whole app (after Anki's CollectionOp/QueryOp and Picard's thread pools).

* ``write``: runs on a single writer thread, so two writes never race for the database.
* ``read``: runs on a small pool (queries, PDF rendering, network).
Results and errors come back to the GUI thread through queued signals only; no widget is touched
from a worker.
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


class _Relay(QObject):
    """Lives on the GUI thread; a worker emits, the slot runs on the GUI thread (queued connection)."""

    done = Signal(object, object)  # (callback, result)
    failed = Signal(object, object)  # (callback, exception)

    def __init__(self) -> None:
        super().__init__()
        self.done.connect(self._deliver)
        self.failed.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, callback: Callback | None, value: Any) -> None:
        if callback is not None:
            callback(value)


class _PoolTask(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay, on_done: Callback | None,
                 on_error: Callback | None, finished: Callable[[], None]) -> None:
        super().__init__()
        self.fn, self.relay, self.on_done, self.on_error, self.finished = fn, relay, on_done, on_error, finished

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported to the GUI, never lost in a thread
            log.warning("background task failed: %s\n%s", exc, traceback.format_exc())
            self.relay.failed.emit(self.on_error, exc)
        else:
            self.relay.done.emit(self.on_done, result)
        finally:
            self.finished()


class TaskRunner(QObject):
    busy_changed = Signal(bool)
    error = Signal(object)  # unhandled task errors, for a status-bar message

    def __init__(self, read_threads: int = 3) -> None:
        super().__init__()
        self._relay = _Relay()
        self._pool = QThreadPool()
        self._pool.setMaxThreadCount(read_threads)
        self._writes: queue.Queue[tuple[Callable[[], Any], Callback | None, Callback | None] | None] = queue.Queue()
        self._pending = 0
        self._lock = threading.Lock()
        self._writer = threading.Thread(target=self._write_loop, name="saypro-db-writer", daemon=True)
        self._writer.start()

    def _track(self, delta: int) -> None:
        with self._lock:
            before = self._pending
            self._pending += delta
            now = self._pending
        if (before == 0) != (now == 0):
            self.busy_changed.emit(now > 0)

    def _error_handler(self, on_error: Callback | None) -> Callback:
        return on_error if on_error is not None else self.error.emit

    def read(self, fn: Callable[[], Any], on_done: Callback | None = None, on_error: Callback | None = None) -> None:
        self._track(+1)
        self._pool.start(_PoolTask(fn, self._relay, on_done, self._error_handler(on_error),
                                   lambda: self._track(-1)))

    def write(self, fn: Callable[[], Any], on_done: Callback | None = None, on_error: Callback | None = None) -> None:
        self._track(+1)
        self._writes.put((fn, on_done, self._error_handler(on_error)))

    def call_on_writer(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the writer thread and wait for its result. For worker threads that must write
        between network calls (sync): their database work still queues behind the user's writes."""
        if threading.current_thread() is self._writer:
            return fn()
        done = threading.Event()
        box: dict[str, Any] = {}

        def job() -> None:
            try:
                box["result"] = fn()
            except BaseException as exc:  # handed back to the waiting worker
                box["error"] = exc
            finally:
                done.set()

        self._track(+1)  # the writer loop counts every queued item down when it is done
        self._writes.put((job, None, None))
        done.wait()
        if "error" in box:
            raise box["error"]
        return box.get("result")

    def _write_loop(self) -> None:
        while True:
            item = self._writes.get()
            if item is None:
                return
            fn, on_done, on_error = item
            try:
                result = fn()
            except Exception as exc:
                log.warning("write failed: %s\n%s", exc, traceback.format_exc())
                self._relay.failed.emit(on_error, exc)
            else:
                self._relay.done.emit(on_done, result)
            finally:
                self._track(-1)

    def idle(self) -> bool:
        with self._lock:
            return self._pending == 0

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Finish queued writes (never drop a user's change), then stop."""
        self._writes.put(None)
        self._writer.join(timeout_ms / 1000)
        self._pool.waitForDone(timeout_ms)
