"""POST /ids/lease, /ids/claim, /sync/push, /sync/pull."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import zstandard
from fastapi import APIRouter, Request, Response
from sqlalchemy import select, update

from saypro_desktop.core.permissions import Permission, can
from saypro_desktop.models import SYNCED_MODELS

from .. import feed, merge, numbers
from .. import push as batches
from ..rules import can_push, filter_for_role
from ..store.db import get_meta
from ..store.schema import SYNCED, device
from .deps import ApiError, CallerDep, accepts_zstd, state
from .models import (
    ClaimRequest,
    ClaimResponse,
    GapProblem,
    LeaseRequest,
    LeaseResponse,
    Problem,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    VersionsRequest,
    VersionsResponse,
)

router = APIRouter(tags=["sync"])
_AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": Problem}, 403: {"model": Problem},
                                                 426: {"model": Problem}}


@router.post("/ids/lease", response_model=LeaseResponse, responses={**_AUTH_ERRORS, 409: {"model": Problem}})
def lease(body: LeaseRequest, request: Request, caller: CallerDep) -> dict[str, Any]:
    if not can(caller.role, Permission.CREATE_INQUIRY):
        raise ApiError(403, f"the {caller.role.value} role does not log inquiries and needs no numbers")
    s = state(request)
    now = s.settings.clock()
    try:
        with s.db.write() as conn:
            block = numbers.take(conn, body.month, body.count, device_id=caller.device_id, user_id=caller.user_id,
                                 now=now, max_unused=numbers.MAX_UNUSED_PER_USER, request_id=body.request_id)
    except numbers.LeaseRefused as exc:
        raise ApiError(409, str(exc)) from exc
    return {"month": block.month, "first": block.first, "last": block.last}


@router.post("/ids/claim", response_model=ClaimResponse, responses={**_AUTH_ERRORS, 422: {"model": Problem}})
def claim(body: ClaimRequest, request: Request, caller: CallerDep) -> dict[str, Any]:
    """The blocks a desktop holds, reported at the start of every sync. Under the epoch it last pulled from
    nothing happens; after a restore (another epoch) the server takes them as this device's again."""
    s = state(request)
    with s.db.read() as conn:
        epoch = get_meta(conn, "epoch") or ""
    if body.epoch == epoch or not body.blocks:
        return {"epoch": epoch, "claimed": [], "refused": []}
    if not can(caller.role, Permission.CREATE_INQUIRY):
        raise ApiError(403, f"the {caller.role.value} role does not log inquiries and holds no numbers")
    blocks = [numbers.Block(b.month, b.first, b.last) for b in body.blocks]
    try:
        with s.db.write() as conn:
            result = numbers.claim(conn, blocks, device_id=caller.device_id, user_id=caller.user_id,
                                   now=s.settings.clock())
    except numbers.LeaseRefused as exc:
        raise ApiError(422, str(exc)) from exc
    return {"epoch": epoch,
            "claimed": [{"month": b.month, "first": b.first, "last": b.last} for b in result.claimed],
            "refused": [{"month": b.month, "first": b.first, "last": b.last, "reason": why}
                        for b, why in result.refused]}


@router.post("/sync/push", response_model=PushResponse, responses={
    **_AUTH_ERRORS, 409: {"model": GapProblem},
    200: {"description": "zstd-compressed when the request's Accept-Encoding names zstd"}})
def push(body: PushRequest, request: Request, caller: CallerDep) -> Response:
    if not can_push(caller.role):
        raise ApiError(403, f"the {caller.role.value} role may not write; nothing was applied and queued "
                            "changes stay on the desktop")
    seqs = [m.seq for m in body.mutations]
    if any(b <= a for a, b in pairwise(seqs)):
        raise ApiError(422, "mutations must be in increasing seq order without repeats")
    s = state(request)
    mutations = [merge.Mutation(m.seq, m.mutation_id, m.table, m.row_id, m.op, m.hlc, m.fields, m.base)
                 for m in body.mutations]
    pusher = merge.Pusher(caller.user_id, caller.role, caller.device_id)
    try:
        results, last_seq = batches.push(s.db, pusher, body.outbox_id, body.oldest_held, mutations, s.settings.clock())
    except batches.SequenceGap as exc:  # also Replay
        raise ApiError(409, str(exc), expected_seq=exc.expected, code=exc.code) from exc
    except batches.OutboxReused as exc:
        raise ApiError(409, str(exc), expected_seq=None, code=exc.code) from exc
    except batches.BatchHole as exc:
        raise ApiError(422, f"{exc}; nothing was applied") from exc
    _note_client(request, caller.device_id)
    answers = [{k: v for k, v in r.__dict__.items() if v is not None or k == "reason"} for r in results]
    return _json({"results": answers, "last_seq": last_seq}, request)


@router.post("/sync/versions", response_model=VersionsResponse, responses={**_AUTH_ERRORS, 422: {"model": Problem}})
def versions(body: VersionsRequest, request: Request, caller: CallerDep) -> dict[str, Any]:
    """The field stamps of these rows as the server holds them (absent: it has no such row). After a restore,
    a desktop sends again the rows and field values the server lost, which it can tell by these stamps."""
    if not can_push(caller.role):
        raise ApiError(403, f"the {caller.role.value} role does not write and has nothing to send again")
    if body.table not in SYNCED:
        raise ApiError(422, f"unknown table {body.table!r}; synced tables are {', '.join(sorted(SYNCED))}")
    table = SYNCED[body.table]
    with state(request).db.read() as conn:
        rows = conn.execute(select(table.c.id, table.c.field_versions).where(table.c.id.in_(body.ids))).all()
    # The same filter as a pull: a role that may not see an inquirer's details is not told when they changed.
    return {"versions": {row_id: filter_for_role(caller.role, body.table, {}, dict(stamps or {}))[1]
                         for row_id, stamps in rows}}


@router.post("/sync/pull", response_model=PullResponse, responses={
    **_AUTH_ERRORS, 200: {"description": "zstd-compressed when the request's Accept-Encoding names zstd"}})
def pull(body: PullRequest, request: Request, caller: CallerDep) -> Response:
    if body.tables is not None:
        unknown = sorted(set(body.tables) - set(SYNCED_MODELS))
        if unknown:
            raise ApiError(422, f"unknown tables {', '.join(unknown)}; synced tables are "
                                f"{', '.join(sorted(SYNCED_MODELS))}")
    s = state(request)
    cursor = (body.cursor.epoch, body.cursor.seq) if body.cursor else None
    with s.db.read() as conn:
        page = feed.read_page(conn, caller.role, cursor, body.max_bytes, body.tables)
    if not page.reset:
        _note_client(request, caller.device_id, pulled=cursor[1] if cursor else 0)
    return _json(page.as_json(), request)


def _json(body: dict[str, Any], request: Request) -> Response:
    """JSON, zstd-compressed for a client that accepts it (pages and push answers run to 100s of KB)."""
    payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {"Vary": "Accept-Encoding"}
    if accepts_zstd(request):
        payload = zstandard.ZstdCompressor(level=3).compress(payload)  # not thread-safe: one per call
        headers["Content-Encoding"] = "zstd"
    return Response(payload, media_type="application/json", headers=headers)


def _note_client(request: Request, device_id: str, pulled: int | None = None) -> None:
    """When the device was last seen, its app build and schema, and the cursor it holds (for later clean-up
    of tombstones once every active device has passed them)."""
    s = state(request)
    values: dict[str, Any] = {"last_seen": s.settings.clock(),
                              "schema": (request.headers.get("x-saypro-schema") or "")[:40] or None,
                              "build": (request.headers.get("x-saypro-build") or "")[:40] or None}
    if pulled is not None:
        values["pulled_seq"] = pulled
    with s.db.write(feed_lock=False) as conn:
        conn.execute(update(device).where(device.c.id == device_id).values(**values))
