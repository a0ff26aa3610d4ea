"""A TCP proxy on loopback that behaves like a slow, lossy link, for the sync benchmark (no root, no netem).

    .venv/bin/python -m bench.throttle_proxy --upstream 127.0.0.1:8750 [--port 0] [--kbit 1000] [--rtt-ms 300]
        [--cut 0.02] [--seed 1] [--stats stats.json]

It prints ``listening <port>`` once it accepts connections, and writes its counters as JSON to ``--stats`` when
it gets SIGTERM or SIGINT.

The link model:

- bandwidth: each direction is one shared link of ``--kbit`` kbit/s; bytes queue behind each other (all
  connections share it, like an office's access line);
- latency: ``--rtt-ms`` round trip, half added in each direction; a new connection's first bytes also wait one
  round trip (the TCP handshake). TCP slow start and window limits are not modelled;
- loss: each HTTP response has a ``--cut`` chance that its connection is cut at a random byte inside it
  (headers or body), after which both sides are closed. The client sees a broken response and must retry, as
  after a dropped line; the server may already have committed the request. (Packet loss as such is invisible
  above TCP except as delay and, at worst, a broken connection: the latter is what is emulated.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import time
from dataclasses import asdict, dataclass
from pathlib import Path

CHUNK = 4096
QUEUE_CHUNKS = 16  # at most 64 KiB in flight per direction and connection (about 1.7 bandwidth-delay products)


@dataclass
class Stats:
    connections: int = 0
    responses: int = 0
    cuts: int = 0
    bytes_up: int = 0  # client to server
    bytes_down: int = 0  # server to client


class Link:
    """One direction of the line: serialisation at ``rate`` bytes/s plus a fixed one-way ``delay``."""

    def __init__(self, rate: float, delay: float) -> None:
        self.rate, self.delay = rate, delay
        self.free_at = 0.0

    def deliver_at(self, size: int, now: float, not_before: float = 0.0) -> float:
        start = max(now, self.free_at, not_before)
        self.free_at = start + size / self.rate if self.rate > 0 else start
        return self.free_at + self.delay


class ResponseCutter:
    """Follows HTTP/1.1 responses in the server-to-client byte stream and says where to cut one."""

    def __init__(self, rng: random.Random, chance: float, stats: Stats) -> None:
        self.rng, self.chance, self.stats = rng, chance, stats
        self.head = b""  # bytes of a response head not complete yet
        self.body_left = 0  # bytes of the current body (Content-Length) still to pass
        self.chunked = False
        self.chunk_buf = b""
        self.cut_left: int | None = None  # bytes of the current response still to pass before the cut
        self._decide = False  # whether the current response is to be cut

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        """The bytes to pass on, and whether to cut the connection after them."""
        out = bytearray()
        while data:
            if self.body_left == 0 and not self.chunked:
                # a response head (possibly split over reads)
                if not self.head:
                    self.stats.responses += 1
                    self.cut_left = None
                    self._decide = self.rng.random() < self.chance
                self.head += data
                end = self.head.find(b"\r\n\r\n")
                if end < 0:
                    if self._decide and len(self.head) > 64:
                        return self._cut(out, self.head, len(self.head) // 2)
                    data = b""
                    continue
                head, data = self.head[:end + 4], self.head[end + 4:]
                self.head = b""
                length, self.chunked = self._parse(head)
                self.body_left = length
                if self._decide:
                    self.cut_left = self.rng.randrange(len(head) + max(length, 1))
                    if self.cut_left < len(head):
                        return self._cut(out, head, self.cut_left)
                    self.cut_left -= len(head)
                out += head
                continue
            if self.chunked:
                # pass chunked bodies whole (not produced by this server); no cut inside them
                self.chunk_buf += data
                data = b""
                if self.chunk_buf.endswith(b"0\r\n\r\n"):
                    out += self.chunk_buf
                    self.chunk_buf, self.chunked = b"", False
                continue
            take = min(self.body_left, len(data))
            piece, data = data[:take], data[take:]
            if self.cut_left is not None:
                if self.cut_left < len(piece):
                    return self._cut(out, piece, self.cut_left)
                self.cut_left -= len(piece)
            out += piece
            self.body_left -= take
        return bytes(out), False

    def _cut(self, out: bytearray, piece: bytes, keep: int) -> tuple[bytes, bool]:
        self.stats.cuts += 1
        return bytes(out) + piece[:keep], True

    @staticmethod
    def _parse(head: bytes) -> tuple[int, bool]:
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1]) if len(lines[0].split()) > 1 else 200
        length, chunked = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if status < 200 or status in (204, 304):
            return 0, False
        return length, chunked


class Proxy:
    def __init__(self, upstream: tuple[str, int], kbit: float, rtt_ms: float, cut: float, seed: int) -> None:
        self.upstream = upstream
        rate = kbit * 1000 / 8
        self.up = Link(rate, rtt_ms / 2000)
        self.down = Link(rate, rtt_ms / 2000)
        self.rtt = rtt_ms / 1000
        self.cut = cut
        self.rng = random.Random(seed)
        self.stats = Stats()

    async def handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        try:
            server_r, server_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_w.close()
            return
        opened = time.monotonic() + self.rtt  # the handshake: nothing arrives before one round trip
        cutter = ResponseCutter(self.rng, self.cut, self.stats)
        done = asyncio.Event()
        tasks = [asyncio.create_task(self._pump(client_r, server_w, self.up, None, opened, done)),
                 asyncio.create_task(self._pump(server_r, client_w, self.down, cutter, opened, done))]
        await done.wait()
        for t in tasks:
            t.cancel()
        for w in (client_w, server_w):
            w.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: Link,
                    cutter: ResponseCutter | None, opened: float, done: asyncio.Event) -> None:
        queue: asyncio.Queue[tuple[float, bytes, bool] | None] = asyncio.Queue(QUEUE_CHUNKS)

        async def deliver() -> None:
            try:
                while (item := await queue.get()) is not None:
                    when, data, cut = item
                    wait = when - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    if data:
                        writer.write(data)
                        await writer.drain()
                    if cut:
                        break
            except (ConnectionError, OSError):
                pass
            finally:
                done.set()

        sender = asyncio.create_task(deliver())
        try:
            while not sender.done():
                data = await reader.read(CHUNK)
                if not data:
                    break
                cut = False
                if cutter is not None:
                    data, cut = cutter.feed(data)
                    self.stats.bytes_down += len(data)
                else:
                    self.stats.bytes_up += len(data)
                await queue.put((link.deliver_at(len(data), time.monotonic(), opened), data, cut))
                if cut:
                    break
            await queue.put(None)
            await sender
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        finally:  # also when the other direction ended the connection and this pump was cancelled
            sender.cancel()


async def serve(args: argparse.Namespace) -> None:
    host, _, port = args.upstream.rpartition(":")
    proxy = Proxy((host or "127.0.0.1", int(port)), args.kbit, args.rtt_ms, args.cut, args.seed)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", args.port)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    if args.stats:
        Path(args.stats).write_text(json.dumps(asdict(proxy.stats)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--upstream", required=True, help="host:port of the real server")
    ap.add_argument("--port", type=int, default=0, help="port to listen on, 127.0.0.1 only (0: any free one)")
    ap.add_argument("--kbit", type=float, default=1000, help="bandwidth of each direction, kbit/s (0: unlimited)")
    ap.add_argument("--rtt-ms", type=float, default=300, help="round-trip latency added, ms")
    ap.add_argument("--cut", type=float, default=0.02, help="chance that a response's connection is cut within it")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stats", help="write the counters here as JSON on exit")
    asyncio.run(serve(ap.parse_args()))


if __name__ == "__main__":
    main()
