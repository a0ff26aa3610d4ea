"""Attachments by SHA-256: HEAD (exists? size), PUT chunks with Content-Range, GET status, GET with Range.

Roles: sending a file needs one that logs or edits inquiries; reading its bytes one that sees inquirers'
personal details (attachments are the inquirer's material); HEAD and status either. Bytes are served only
while an attachment row that is not deleted names them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from saypro_desktop.core.permissions import Permission, Role, can

from .. import blobs
from ..auth import Caller
from .deps import ApiError, CallerDep, state
from .models import BlobStatus, Problem

router = APIRouter(prefix="/blobs", tags=["blobs"])
Sha = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the content, lower-case hex")]
_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": Problem}, 403: {"model": Problem},
                                            404: {"model": Problem}, 426: {"model": Problem}}


def may_send(role: Role) -> bool:
    return can(role, Permission.CREATE_INQUIRY) or can(role, Permission.EDIT_INQUIRY)


def may_read(role: Role) -> bool:
    return can(role, Permission.VIEW_PERSONAL_DETAILS)


def _require(caller: Caller, allowed: bool, what: str) -> None:
    if not allowed:
        raise ApiError(403, f"the {caller.role.value} role may not {what}")


def _api(exc: blobs.BlobError) -> ApiError:
    headers = {"Content-Range": f"bytes */{exc.extra['size']}"} if exc.status == 416 else None
    return ApiError(exc.status, exc.detail, headers, **exc.extra)


@router.head("/{sha256}", responses=_ERRORS)
def head_blob(sha256: Sha, request: Request, caller: CallerDep) -> Response:
    _require(caller, may_send(caller.role) or may_read(caller.role), "look up attachments")
    size = blobs.complete_size(state(request).db, sha256)
    if size is None:
        return Response(status_code=404)
    return Response(status_code=200, headers={"Content-Length": str(size), "Accept-Ranges": "bytes",
                                              "ETag": f'"{sha256}"'})


@router.get("/{sha256}/status", response_model=BlobStatus, responses=_ERRORS)
def blob_status(sha256: Sha, request: Request, caller: CallerDep) -> dict[str, Any]:
    _require(caller, may_send(caller.role) or may_read(caller.role), "look up attachments")
    return blobs.status(state(request).db, sha256)


@router.put("/{sha256}", response_model=BlobStatus,
            responses={**_ERRORS, 409: {"model": Problem}, 413: {"model": Problem}, 422: {"model": Problem}},
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
async def put_blob(sha256: Sha, request: Request, caller: CallerDep,
                   content_range: Annotated[str | None, Header(description="bytes first-last/total")] = None,
                   ) -> dict[str, Any]:
    _require(caller, may_send(caller.role), "attach files")
    s = state(request)
    limits = blobs.UploadLimits(max_size=s.settings.max_blob_bytes, quota=s.settings.upload_quota_bytes,
                                idle=timedelta(seconds=s.settings.upload_idle_s))
    data = await request.body()
    try:
        return await run_in_threadpool(blobs.put_chunk, s.db, sha256, content_range, data, s.settings.clock(),
                                       limits, caller.user_id)
    except blobs.BlobError as exc:
        raise _api(exc) from exc


@router.get("/{sha256}", responses={**_ERRORS, 206: {"description": "the requested range"},
                                    416: {"model": Problem}},
            response_class=Response)
def get_blob(sha256: Sha, request: Request, caller: CallerDep,
             range_: Annotated[str | None, Header(alias="Range", description="bytes=first-last")] = None,
             ) -> Response:
    _require(caller, may_read(caller.role), "open attachments (they hold inquirers' personal details)")
    db = state(request).db
    size = blobs.servable_size(db, sha256)
    if size is None:
        raise ApiError(404, "the server has no attachment with this file (not uploaded, not finished, or no "
                            "attachment that is not deleted names it)")
    try:
        wanted = blobs.parse_request_range(range_, size)
    except blobs.BlobError as exc:
        raise _api(exc) from exc
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{sha256}"'}
    if wanted is None:
        first, last, code = 0, size - 1, 200
    else:
        (first, last), code = wanted, 206
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    headers["Content-Length"] = str(max(0, last - first + 1))
    return StreamingResponse(blobs.iter_bytes(db, sha256, first, last), status_code=code, headers=headers,
                             media_type="application/octet-stream")
