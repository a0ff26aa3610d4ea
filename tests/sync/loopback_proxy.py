"""A small threaded HTTP/1.1 proxy on 127.0.0.1 in front of a live server, with switchable faults.

For sync tests: it breaks the line where a real network does (after the server committed, before the
request arrived, slowly, twice) while the real server and the real client run unchanged.

- One request per connection on both sides: the request is read whole (``Content-Length`` or chunked),
  sent upstream with ``Connection: close`` on a fresh connection, and the response goes back with
  ``Connection: close`` too, so neither httpx nor uvicorn ever reuses a connection the proxy is about to cut.
- Faults are armed for the next request(s) whose path ends with ``path`` (any when None), after letting
  ``skip`` of them through; a request gets at most one fault:

  - ``cut_after_response_bytes(n)``: the request is forwarded whole; the client gets the first ``n`` bytes of
    the server's response and then a closed connection (the server has committed: it answered). A negative
    ``n`` forwards all but the last ``-n`` bytes. The rest of the response is drained from the server.
  - ``cut_request_after(n)``: only the first ``n`` bytes of the request reach the server (never all of it),
    then both sides are closed.
  - ``duplicate_next_request()``: the same request bytes go to the server twice, one after the other; the
    client gets only the second response.
  - ``delay(seconds)``: every chunk in either direction waits this long first (until ``delay(0)``/``clear()``).

- Bounded and self-stopping: only loopback upstreams; every socket has a timeout; at most
  ``max_connections`` at once; the proxy stops by itself after ``lifetime`` seconds, and ``stop()`` (or leaving
  the ``with`` block) closes every socket and joins every thread.
- ``log`` records each exchange (method, path, the fault applied, upstream sends, response bytes, whether the
  client's response was truncated).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_address

MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024
CHUNK = 16 * 1024


class ProxyProtocolError(Exception):
    pass


@dataclass
class Fault:
    kind: str  # cut_response, cut_request, duplicate
    amount: int = 0
    path: str | None = None
    skip: int = 0
    times: int = 1

    def matches(self, path: str) -> bool:
        return self.path is None or path.split("?", 1)[0].endswith(self.path)


@dataclass
class Exchange:
    method: str
    path: str
    fault: str | None = None
    upstream_sends: int = 0
    response_bytes: int = 0  # bytes of the (last) upstream response
    forwarded_bytes: int = 0  # bytes the client got
    truncated: bool = False  # the client got less than the whole response
    error: str | None = None


@dataclass
class _Request:
    method: str
    path: str
    raw: bytes  # head rewritten with Connection: close, then the body as received


def _rewrite_head(head: bytes) -> tuple[bytes, dict[str, str]]:
    """The head with Connection/Keep-Alive replaced by ``Connection: close``; headers by lower-case name."""
    lines = head.split(b"\r\n")
    headers: dict[str, str] = {}
    kept = [lines[0]]
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(b":")
        if not sep:
            raise ProxyProtocolError(f"bad header line {line[:80]!r}")
        key = name.strip().lower().decode("latin-1")
        headers[key] = value.strip().decode("latin-1")
        if key not in ("connection", "keep-alive"):
            kept.append(line)
    kept.append(b"Connection: close")
    return b"\r\n".join(kept) + b"\r\n\r\n", headers


class _Reader:
    """Buffered reads from a socket with a hard size limit."""

    def __init__(self, sock: socket.socket, on_chunk: Callable[[], None]) -> None:
        self.sock, self.buf, self.on_chunk = sock, b"", on_chunk

    def _more(self) -> None:
        self.on_chunk()
        data = self.sock.recv(CHUNK)
        if not data:
            raise EOFError
        self.buf += data

    def until(self, marker: bytes, limit: int) -> bytes:
        while marker not in self.buf:
            if len(self.buf) > limit:
                raise ProxyProtocolError("header section too large")
            self._more()
        out, _, self.buf = self.buf.partition(marker)
        return out + marker

    def exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._more()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def _read_request(reader: _Reader) -> _Request:
    head = reader.until(b"\r\n\r\n", MAX_HEAD)
    request_line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
    if len(request_line) != 3:
        raise ProxyProtocolError(f"bad request line {request_line!r}")
    method, path = request_line[0], request_line[1]
    new_head, headers = _rewrite_head(head[:-4])
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = b""
        while True:
            size_line = reader.until(b"\r\n", MAX_HEAD)
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            body += size_line
            if len(body) > MAX_BODY:
                raise ProxyProtocolError("body too large")
            if size == 0:
                while True:  # trailers, then the empty line
                    trailer = reader.until(b"\r\n", MAX_HEAD)
                    body += trailer
                    if trailer == b"\r\n":
                        break
                break
            body += reader.exactly(size + 2)
    else:
        length = int(headers.get("content-length", "0") or 0)
        if length > MAX_BODY:
            raise ProxyProtocolError("body too large")
        body = reader.exactly(length)
    return _Request(method, path, new_head + body)


class LoopbackProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1", *, lifetime: float = 300.0,
                 io_timeout: float = 15.0, max_connections: int = 32) -> None:
        if not ip_address(upstream_host).is_loopback:
            raise ValueError(f"the test proxy only talks to loopback addresses, not {upstream_host}")
        self.upstream = (upstream_host, upstream_port)
        self.lifetime, self.io_timeout, self.max_connections = lifetime, io_timeout, max_connections
        self.log: list[Exchange] = []
        self._faults: list[Fault] = []
        self._delay = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._acceptor: threading.Thread | None = None

    # life cycle -------------------------------------------------------------------------------------------
    def start(self) -> LoopbackProxy:
        self._listener.listen(16)
        self._listener.settimeout(0.1)
        self._deadline = time.monotonic() + self.lifetime
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"proxy-{self.port}", daemon=True)
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _close(sock)
        if self._acceptor is not None:
            self._acceptor.join(5)
        _close(self._listener)
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(5)

    @property
    def running(self) -> bool:
        return self._acceptor is not None and self._acceptor.is_alive()

    def __enter__(self) -> LoopbackProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # faults -----------------------------------------------------------------------------------------------
    def cut_after_response_bytes(self, n: int, *, path: str | None = None, skip: int = 0, times: int = 1) -> None:
        self._arm(Fault("cut_response", n, path, skip, times))

    def cut_request_after(self, n: int, *, path: str | None = None, skip: int = 0, times: int = 1) -> None:
        if n < 0:
            raise ValueError("n is a count of request bytes (>= 0)")
        self._arm(Fault("cut_request", n, path, skip, times))

    def duplicate_next_request(self, *, path: str | None = None, skip: int = 0, times: int = 1) -> None:
        self._arm(Fault("duplicate", 0, path, skip, times))

    def delay(self, seconds: float) -> None:
        if not 0 <= seconds <= self.io_timeout / 2:
            raise ValueError(f"a delay of {seconds} s would outlast the proxy's socket timeout")
        self._delay = seconds

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
        self._delay = 0.0

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no exchange is in progress (the log is final); False when ``timeout`` ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._threads:
                    return True
            time.sleep(0.01)
        return False

    @property
    def armed(self) -> int:
        with self._lock:
            return len(self._faults)

    def fired(self, kind: str | None = None) -> list[Exchange]:
        with self._lock:
            return [e for e in self.log if e.fault and (kind is None or e.fault == kind)]

    def _arm(self, fault: Fault) -> None:
        if fault.times < 1 or fault.skip < 0:
            raise ValueError("times >= 1 and skip >= 0")
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if not fault.matches(path):
                    continue
                if fault.skip:
                    fault.skip -= 1
                    continue
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None

    # plumbing ---------------------------------------------------------------------------------------------
    def _pause(self) -> None:
        if self._delay:
            self._stop.wait(self._delay)
        if self._stop.is_set():
            raise EOFError

    def _track(self, sock: socket.socket) -> socket.socket:
        sock.settimeout(self.io_timeout)
        with self._lock:
            self._sockets.add(sock)
        return sock

    def _untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        _close(sock)

    def _accept_loop(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                conn, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            with self._lock:
                busy = len(self._threads) >= self.max_connections
            if busy:
                _close(conn)
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), name=f"proxy-{self.port}-conn", daemon=True)
            with self._lock:
                self._threads.add(thread)
            thread.start()
        self._stop.set()  # lifetime over, or stopped: refuse new connections
        _close(self._listener)

    def _serve(self, conn: socket.socket) -> None:
        client = self._track(conn)
        exchange: Exchange | None = None
        try:
            request = _read_request(_Reader(client, self._pause))
            fault = self._take_fault(request.path)
            exchange = Exchange(request.method, request.path, fault.kind if fault else None)
            with self._lock:
                self.log.append(exchange)
            self._exchange(client, request, fault, exchange)
        except (OSError, EOFError, ProxyProtocolError, ValueError) as exc:
            if exchange is not None and exchange.error is None:
                exchange.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._untrack(client)
            with self._lock:
                self._threads.discard(threading.current_thread())

    def _connect(self) -> socket.socket:
        return self._track(socket.create_connection(self.upstream, timeout=self.io_timeout))

    def _send(self, sock: socket.socket, data: bytes) -> None:
        for start in range(0, len(data), CHUNK):
            self._pause()
            sock.sendall(data[start:start + CHUNK])

    def _exchange(self, client: socket.socket, request: _Request, fault: Fault | None, ex: Exchange) -> None:
        kind = fault.kind if fault else None
        if kind == "cut_request":
            upstream = self._connect()
            try:
                self._send(upstream, request.raw[:min(fault.amount, len(request.raw) - 1)])
                ex.upstream_sends = 1
            finally:
                self._untrack(upstream)
            ex.truncated = True
            return  # the client's connection closes without an answer
        if kind == "duplicate":
            upstream = self._connect()
            try:
                self._send(upstream, request.raw)
                ex.upstream_sends += 1
                while self._recv(upstream):  # the first answer is read whole and dropped
                    pass
            finally:
                self._untrack(upstream)
        upstream = self._connect()
        try:
            self._send(upstream, request.raw)
            ex.upstream_sends += 1
            if kind == "cut_response":
                self._relay_cut(client, upstream, fault.amount, ex)
            else:
                self._relay(client, upstream, ex)
        finally:
            self._untrack(upstream)

    def _recv(self, upstream: socket.socket) -> bytes:
        self._pause()
        return upstream.recv(CHUNK)

    def _relay(self, client: socket.socket, upstream: socket.socket, ex: Exchange) -> None:
        head_done, pending = False, b""
        while data := self._recv(upstream):
            ex.response_bytes += len(data)
            if not head_done:
                pending += data
                if b"\r\n\r\n" not in pending:
                    if len(pending) > MAX_HEAD:
                        raise ProxyProtocolError("response head too large")
                    continue
                head, _, rest = pending.partition(b"\r\n\r\n")
                data = _rewrite_head(head)[0] + rest
                head_done = True
            client.sendall(data)
            ex.forwarded_bytes += len(data)

    def _relay_cut(self, client: socket.socket, upstream: socket.socket, n: int, ex: Exchange) -> None:
        if n < 0:  # all but the last -n bytes: the whole response is needed first
            whole = b""
            while data := self._recv(upstream):
                whole += data
                if len(whole) > MAX_BODY:
                    raise ProxyProtocolError("response too large")
            ex.response_bytes = len(whole)
            part = whole[:max(len(whole) + n, 0)]
            client.sendall(part)
            ex.forwarded_bytes = len(part)
            ex.truncated = len(part) < len(whole)
        else:
            data = self._recv(upstream)  # the server answered, so it has committed
            sent = b""
            while data:
                ex.response_bytes += len(data)
                room = n - len(sent)
                if room > 0:
                    sent += data[:room]
                if len(data) > room:
                    ex.truncated = True
                    break
                data = self._recv(upstream)
            client.sendall(sent)
            ex.forwarded_bytes = len(sent)
            if ex.truncated:
                _abort(client)
                while data := self._recv(upstream):  # let the server finish writing its answer
                    ex.response_bytes += len(data)


def _abort(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _close(sock: socket.socket) -> None:
    _abort(sock)
    with contextlib.suppress(OSError):
        sock.close()
