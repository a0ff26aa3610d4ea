"""Attachments by SHA-256: HEAD (exists? size), PUT chunks with Content-Range, GET status, GET with Range."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from saypro_desktop.core.permissions import Permission, can

from .. import blobs
from .deps import ApiError, CallerDep, state
from .models import BlobStatus, Problem

router = APIRouter(prefix="/blobs", tags=["blobs"])
Sha = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the content, lower-case hex")]
_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": Problem}, 403: {"model": Problem},
                                            404: {"model": Problem}, 426: {"model": Problem}}


def _api(exc: blobs.BlobError) -> ApiError:
    headers = {"Content-Range": f"bytes */{exc.extra['size']}"} if exc.status == 416 else None
    return ApiError(exc.status, exc.detail, headers, **exc.extra)


@router.head("/{sha256}", responses=_ERRORS)
def head_blob(sha256: Sha, request: Request, _caller: CallerDep) -> Response:
    size = blobs.complete_size(state(request).db, sha256)
    if size is None:
        return Response(status_code=404)
    return Response(status_code=200, headers={"Content-Length": str(size), "Accept-Ranges": "bytes",
                                              "ETag": f'"{sha256}"'})


@router.get("/{sha256}/status", response_model=BlobStatus, responses=_ERRORS)
def blob_status(sha256: Sha, request: Request, _caller: CallerDep) -> dict[str, Any]:
    return blobs.status(state(request).db, sha256)


@router.put("/{sha256}", response_model=BlobStatus,
            responses={**_ERRORS, 409: {"model": Problem}, 413: {"model": Problem}, 422: {"model": Problem}},
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
async def put_blob(sha256: Sha, request: Request, caller: CallerDep,
                   content_range: Annotated[str | None, Header(description="bytes first-last/total")] = None,
                   ) -> dict[str, Any]:
    if not (can(caller.role, Permission.CREATE_INQUIRY) or can(caller.role, Permission.EDIT_INQUIRY)):
        raise ApiError(403, f"the {caller.role.value} role may not attach files")
    s = state(request)
    data = await request.body()
    try:
        return await run_in_threadpool(blobs.put_chunk, s.db, sha256, content_range, data, s.settings.clock(),
                                       s.settings.max_blob_bytes)
    except blobs.BlobError as exc:
        raise _api(exc) from exc


@router.get("/{sha256}", responses={**_ERRORS, 206: {"description": "the requested range"},
                                    416: {"model": Problem}},
            response_class=Response)
def get_blob(sha256: Sha, request: Request, _caller: CallerDep,
             range_: Annotated[str | None, Header(alias="Range", description="bytes=first-last")] = None,
             ) -> Response:
    db = state(request).db
    size = blobs.complete_size(db, sha256)
    if size is None:
        raise ApiError(404, "the server does not have this file (or its upload is not finished)")
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
