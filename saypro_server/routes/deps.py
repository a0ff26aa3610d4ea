"""What every API request goes through: the protocol version check (426), the body's size and
encoding, and the caller (token, user, device)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

import zstandard
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from saypro_desktop.sync.protocol import PROTOCOL_VERSION

from .. import site
from ..auth import AuthError, Caller, authenticate
from ..config import ServerSettings
from ..store.db import Database

MIN_PROTOCOL = MAX_PROTOCOL = PROTOCOL_VERSION


class ApiError(Exception):
    """An answer other than success: ``{"detail": ..., **extra}`` with the status code."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers, self.extra = status, detail, headers, extra


@dataclass
class ServerState:
    db: Database
    settings: ServerSettings
    secret: str = ""


def state(request: Request) -> ServerState:
    return request.app.state.server


def check_protocol(
    x_saypro_protocol: Annotated[str | None, Header(description="the client's protocol version")] = None,
    x_saypro_schema: Annotated[str | None, Header(description="the desktop's schema revision")] = None,
    x_saypro_build: Annotated[str | None, Header(description="the app's version")] = None,
) -> None:
    try:
        version = int(x_saypro_protocol or "")
    except ValueError:
        version = None
    if version is None or not MIN_PROTOCOL <= version <= MAX_PROTOCOL:
        raise ApiError(426, f"this server speaks sync protocol {MIN_PROTOCOL} to {MAX_PROTOCOL}; "
                            "update SayPro Desk (your data and queued changes are kept)",
                       min_protocol=MIN_PROTOCOL, max_protocol=MAX_PROTOCOL)


_bearer = HTTPBearer(auto_error=False, description="the access token from /auth/login or /auth/refresh")


def current_caller(
    request: Request,
    _protocol: Annotated[None, Depends(check_protocol)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    x_saypro_device: Annotated[str | None, Header(description="this desktop's device id")] = None,
) -> Caller:
    s = state(request)
    try:
        return authenticate(s.db, s.settings, s.secret, credentials.credentials if credentials else None,
                            x_saypro_device)
    except AuthError as exc:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        raise ApiError(exc.status, exc.detail, headers) from exc


def current_site(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> site.Integration:
    """The classified site (or another integration), by its key; no protocol headers."""
    try:
        return site.authenticate(state(request).db, credentials.credentials if credentials else None)
    except site.SiteError as exc:
        raise ApiError(exc.status, exc.detail, {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None) from exc


def caller_or_site(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    x_saypro_protocol: Annotated[str | None, Header(description="the client's protocol version (desktops)")] = None,
    x_saypro_device: Annotated[str | None, Header(description="this desktop's device id (desktops)")] = None,
) -> Caller | site.Integration:
    """A desktop (access token, protocol headers) or an integration (its key: ``spk_...``)."""
    token = credentials.credentials if credentials else None
    if site.is_integration_key(token):
        return current_site(request, credentials)
    check_protocol(x_saypro_protocol)
    s = state(request)
    try:
        return authenticate(s.db, s.settings, s.secret, token, x_saypro_device)
    except AuthError as exc:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        raise ApiError(exc.status, exc.detail, headers) from exc


CallerDep = Annotated[Caller, Depends(current_caller)]
SiteDep = Annotated[site.Integration, Depends(current_site)]
CallerOrSiteDep = Annotated[Caller | site.Integration, Depends(caller_or_site)]
ProtocolDep = Annotated[None, Depends(check_protocol)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def accepts_zstd(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == "zstd" and params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            return True
    return False


class BodyGuard:
    """ASGI middleware: a body over the limit is a 413 before any handler runs; a body sent with
    ``Content-Encoding: zstd`` is decompressed (bounded by the same limit) so handlers see plain JSON."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await _problem(send, 413, f"the body is larger than {self.limit} bytes")
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await _problem(send, 413, f"the body is larger than {self.limit} bytes")
                return
        encoding = headers.get("content-encoding", "").strip().lower()
        if encoding == "zstd":
            try:
                plain = _unzstd(bytes(body), self.limit)
            except zstandard.ZstdError:
                await _problem(send, 400, "the body is not valid zstd")
                return
            if plain is None:
                await _problem(send, 413, f"the body is larger than {self.limit} bytes once decompressed")
                return
            body = bytearray(plain)
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"]
                                          if k.lower() not in (b"content-encoding", b"content-length")]
                     + [(b"content-length", str(len(body)).encode())]}
        elif encoding not in ("", "identity"):
            await _problem(send, 415, f"Content-Encoding {encoding!r} is not accepted; send zstd or nothing")
            return
        delivered = False

        async def replay() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


def _unzstd(data: bytes, limit: int) -> bytes | None:
    """The decompressed bytes, or None past ``limit`` (read in steps: a small body may inflate enormously)."""
    out = bytearray()
    with zstandard.ZstdDecompressor().stream_reader(data) as reader:
        while chunk := reader.read(64 * 1024):
            out += chunk
            if len(out) > limit:
                return None
    return bytes(out)


async def _problem(send: Any, status: int, detail: str) -> None:
    payload = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})
