"""HTTP client of the sync protocol (docs/SYNC_PROTOCOL.md): tokens, retries on 401, compression."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import zstandard

from .. import __version__
from ..core.access import names_access_refusal
from .protocol import DEFAULT_PULL_BYTES, PROTOCOL_VERSION

if TYPE_CHECKING:
    import httpx  # imported where a request is made: the app starts without it (and the CLI stack it drags in)

log = logging.getLogger(__name__)
API = "/api/v1"


class SyncError(Exception):
    """Sync could not finish; the message is for the user. Local data and the outbox are untouched."""


class AuthError(SyncError):
    pass


class AccessEnded(AuthError):
    """The server refused the user itself: deactivated, or their access expired (``core.access``)."""


class UpgradeRequired(SyncError):
    pass


class GapError(SyncError):
    """``code`` "gap": the server lacks the changes from ``expected_seq``; "replay": it has no record of this
    outbox and wants everything still held, from ``expected_seq``."""

    def __init__(self, expected_seq: int, code: str = "gap") -> None:
        super().__init__(f"the server expects change {expected_seq} next")
        self.expected_seq, self.code = expected_seq, code


class ServerRefused(SyncError):
    """The server answered the request with a refusal (4xx) that says what is wrong; ``status`` is its code."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class OutboxReused(SyncError):
    """The server applied other changes under this outbox's numbers: this store was restored or copied."""


def check_server_url(url: str, allow_insecure: bool = False) -> str:
    """HTTPS, except to this machine (tests, a local server) or when explicitly allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError(f"{url!r} is not a server address; use https://host[:port]")
    if parts.scheme == "http" and not allow_insecure:
        try:
            loopback = ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = parts.hostname == "localhost"
        if not loopback:
            raise SyncError(f"refusing plain HTTP to {parts.hostname}: use https:// (TLS), or allow it explicitly")
    return url.rstrip("/")


@dataclass
class Session:
    access_token: str
    refresh_token: str
    user: dict[str, Any]
    server_epoch: str


# Idle connections are dropped before common servers drop them (uvicorn after 5 s): reusing one the server
# is closing at that moment fails a request for nothing.
KEEPALIVE_EXPIRY_S = 3.0
COMPRESS_FROM = 1024  # request bodies larger than this go zstd-compressed (the server accepts either)


def connection_limits() -> httpx.Limits:
    import httpx

    return httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S)


class SyncClient:
    def __init__(self, server_url: str, device_id: str, schema: str, *, allow_insecure: bool = False,
                 timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.base = check_server_url(server_url, allow_insecure)
        self.device_id = device_id
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self.on_new_refresh_token = lambda token: None
        self.device_key = ""  # the secret that proves this desktop is device_id (see sync.identity)
        headers = {"X-SayPro-Protocol": str(PROTOCOL_VERSION), "X-SayPro-Schema": schema,
                   "X-SayPro-Build": __version__, "X-SayPro-Device": device_id}
        import httpx

        self.http = httpx.Client(base_url=self.base + API, headers=headers, timeout=timeout, transport=transport,
                                 verify=True, limits=connection_limits())
        self.bytes_sent = 0
        self.bytes_received = 0

    def close(self) -> None:
        self.http.close()

    # plumbing ---------------------------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, auth: bool = True, **kw: Any) -> httpx.Response:
        import httpx

        for attempt in (1, 2):
            headers = dict(kw.pop("headers", {}) or {})
            if auth and self.access_token:
                headers["Authorization"] = f"Bearer {self.access_token}"
            try:
                request = self.http.build_request(method, path, headers=headers, **kw)
                self.bytes_sent += len(request.content or b"") + 200
                response = self.http.send(request)
            except httpx.TransportError as exc:
                raise SyncError(f"cannot reach the server at {self.base}: {exc}") from exc
            self.bytes_received += len(response.content) + 200
            if response.status_code == 401 and auth and attempt == 1 and self.refresh_token:
                self.refresh()  # the access token expired: refresh once and retry, outbox untouched
                kw["headers"] = headers
                continue
            return self._check(response)
        raise AssertionError("unreachable")

    @staticmethod
    def _detail(response: httpx.Response) -> str:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = None
        return str(detail or response.reason_phrase or response.status_code)

    def _check(self, response: httpx.Response) -> httpx.Response:
        code = response.status_code
        if code < 400:
            return response
        if code in (401, 403) and names_access_refusal(self._detail(response)):
            raise AccessEnded(f"the server refused: {self._detail(response)}")
        if code == 401:
            raise AuthError(f"sign in again: {self._detail(response)}")
        if code == 426:
            raise UpgradeRequired(f"this SayPro Desk is too old for the server; update it ({self._detail(response)})")
        if code == 409:
            try:
                body = response.json()
                if body.get("code") == "outbox_reused":
                    raise OutboxReused(self._detail(response))
                expected = int(body["expected_seq"])
            except (ValueError, KeyError, TypeError, AttributeError):
                raise ServerRefused(f"the server refused: {self._detail(response)}", code) from None
            raise GapError(expected, str(body.get("code") or "gap"))
        if code == 429:
            raise AuthError(f"too many attempts: {self._detail(response)}")
        if code < 500:
            raise ServerRefused(f"the server refused ({code}): {self._detail(response)}", code)
        raise SyncError(f"the server failed ({code}): {self._detail(response)}")

    # calls --------------------------------------------------------------------------------------------------
    def version(self) -> dict[str, Any]:
        return self._send("GET", "/version", auth=False).json()

    def login(self, username: str, password: str, device_name: str, device_key: str) -> Session:
        """``device_key``: the secret that proves this desktop is the device ``device_id`` names (kept outside
        the database file, see ``sync.identity``)."""
        data = self._send("POST", "/auth/login", auth=False, json={
            "username": username, "password": password, "device_id": self.device_id,
            "device_name": device_name, "device_key": device_key}).json()
        self.access_token, self.refresh_token = data["access_token"], data["refresh_token"]
        self.on_new_refresh_token(self.refresh_token)
        return Session(data["access_token"], data["refresh_token"], data["user"], data["server_epoch"])

    def refresh(self) -> None:
        if not self.refresh_token:
            raise AuthError("not signed in to the server; run 'saypro login'")
        data = self._send("POST", "/auth/refresh", auth=False, json={
            "refresh_token": self.refresh_token, "device_id": self.device_id}).json()
        self.access_token = data["access_token"]
        if data.get("refresh_token"):
            self.refresh_token = data["refresh_token"]
            self.on_new_refresh_token(self.refresh_token)

    def lease(self, month_key: str, count: int, request_id: str | None = None) -> dict[str, Any]:
        """``request_id``: sent again after a lost answer, the same id gets the same block."""
        body = {"month": month_key, "count": count, **({"request_id": request_id} if request_id else {})}
        return self._send("POST", "/ids/lease", json=body).json()

    def claim_ads(self, count: int, request_id: str) -> dict[str, Any]:
        """Reserve up to ``count`` pending ads for this moderator: ``{"ad_ids": [...], "expires_at": ...}``."""
        return self._send("POST", "/moderation/claim", json={"count": count, "request_id": request_id}).json()

    def claim(self, epoch: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
        return self._send("POST", "/ids/claim", json={"epoch": epoch, "blocks": blocks}).json()

    def push(self, mutations: list[dict[str, Any]], outbox_id: str, oldest_held: int) -> list[dict[str, Any]]:
        """``outbox_id``: the outbox the sequence numbers count in; ``oldest_held``: the lowest sequence this
        desktop still holds (a server with no record of the outbox asks for everything from there)."""
        body = json.dumps({"outbox_id": outbox_id, "oldest_held": oldest_held, "mutations": mutations},
                          separators=(",", ":"), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Accept-Encoding": "zstd"}
        if len(body) > COMPRESS_FROM:  # a batch of 200 is ~100 KB of JSON and about a tenth of it in zstd
            body, headers["Content-Encoding"] = zstandard.ZstdCompressor(level=3).compress(body), "zstd"
        return _body(self._send("POST", "/sync/push", content=body, headers=headers))["results"]

    def versions(self, table: str, ids: list[str]) -> dict[str, dict[str, str]]:
        """The server's field stamps of these rows; a row it does not have is absent (after a restore)."""
        return self._send("POST", "/sync/versions", json={"table": table, "ids": ids}).json()["versions"]

    def blob_status(self, sha256: str) -> dict[str, Any]:
        return self._send("GET", f"/blobs/{sha256}/status").json()

    def put_blob_chunk(self, sha256: str, data: bytes, first: int, total: int) -> dict[str, Any]:
        last = first + len(data) - 1
        return self._send("PUT", f"/blobs/{sha256}", content=data, headers={
            "Content-Type": "application/octet-stream", "Content-Range": f"bytes {first}-{last}/{total}"}).json()

    def get_blob_range(self, sha256: str, first: int, last: int) -> bytes:
        return self._send("GET", f"/blobs/{sha256}", headers={"Range": f"bytes={first}-{last}"}).content

    def conflicts(self, show: str = "open") -> list[dict[str, Any]]:
        return self._send("GET", "/conflicts", params={"show": show}).json()["conflicts"]

    def settle(self, conflict_id: Any, choice: str, text: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"choice": choice}
        if text is not None:
            body["text"] = text
        return self._send("POST", f"/conflicts/{conflict_id}/settle", json=body).json()

    def pull(self, cursor: dict[str, Any] | None, max_bytes: int = DEFAULT_PULL_BYTES,
             tables: list[str] | None = None) -> dict[str, Any]:
        return _body(self._send("POST", "/sync/pull", json={"cursor": cursor, "max_bytes": max_bytes,
                                                            **({"tables": tables} if tables else {})},
                                headers={"Accept-Encoding": "zstd"}))


def _body(response: httpx.Response) -> Any:
    """The JSON of an answer sent with ``Content-Encoding: zstd`` (httpx may have decoded it already)."""
    body = response.content
    if response.headers.get("Content-Encoding") == "zstd" and body[:4] == b"\x28\xb5\x2f\xfd":
        body = zstandard.ZstdDecompressor().decompress(body, max_output_size=64 * 1024 * 1024)
    return json.loads(body)
