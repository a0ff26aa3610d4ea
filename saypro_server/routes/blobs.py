"""Attachments by SHA-256: HEAD (exists? size), PUT chunks with Content-Range, GET status, GET with Range.

Roles: sending a file needs one that logs or edits inquiries; reading its bytes one that sees inquirers'
personal details (attachments are the inquirer's material), or, for the images of ads, one that sees ads;
HEAD and status either. Bytes are served only while an attachment row that is not deleted names them, or an
ad's image entry. The classified site (an integration key) may ask about files and upload the images of the
ads it posted; it reads none.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from saypro_desktop.core.permissions import Permission, Role, can

from .. import blobs, site
from ..auth import Caller
from .deps import ApiError, CallerOrSiteDep, state
from .models import BlobStatus, Problem

router = APIRouter(prefix="/blobs", tags=["blobs"])
Sha = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the content, lower-case hex")]
_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": Problem}, 403: {"model": Problem},
                                            404: {"model": Problem}, 426: {"model": Problem}}


def may_send(role: Role) -> bool:
    return can(role, Permission.CREATE_INQUIRY) or can(role, Permission.EDIT_INQUIRY)


def may_read(role: Role) -> bool:
    return can(role, Permission.VIEW_PERSONAL_DETAILS)


def _require(caller: Caller | site.Integration, allowed: bool, what: str) -> None:
    if isinstance(caller, site.Integration):
        return  # an integration may ask about files and send (its ads') images
    if not allowed:
        raise ApiError(403, f"the {caller.role.value} role may not {what}")


def _may_ask(caller: Caller | site.Integration) -> bool:
    return isinstance(caller, site.Integration) or may_send(caller.role) or may_read(caller.role)


def _api(exc: blobs.BlobError) -> ApiError:
    headers = {"Content-Range": f"bytes */{exc.extra['size']}"} if exc.status == 416 else None
    return ApiError(exc.status, exc.detail, headers, **exc.extra)


@router.head("/{sha256}", responses=_ERRORS)
def head_blob(sha256: Sha, request: Request, caller: CallerOrSiteDep) -> Response:
    _require(caller, _may_ask(caller), "look up attachments")
    size = blobs.complete_size(state(request).db, sha256)
    if size is None:
        return Response(status_code=404)
    return Response(status_code=200, headers={"Content-Length": str(size), "Accept-Ranges": "bytes",
                                              "ETag": f'"{sha256}"'})


@router.get("/{sha256}/status", response_model=BlobStatus, responses=_ERRORS)
def blob_status(sha256: Sha, request: Request, caller: CallerOrSiteDep) -> dict[str, Any]:
    _require(caller, _may_ask(caller), "look up attachments")
    return blobs.status(state(request).db, sha256)


@router.put("/{sha256}", response_model=BlobStatus,
            responses={**_ERRORS, 409: {"model": Problem}, 413: {"model": Problem}, 422: {"model": Problem}},
            openapi_extra={"requestBody": {"required": True, "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
async def put_blob(sha256: Sha, request: Request, caller: CallerOrSiteDep,
                   content_range: Annotated[str | None, Header(description="bytes first-last/total")] = None,
                   ) -> dict[str, Any]:
    s = state(request)
    if isinstance(caller, site.Integration):
        if not await run_in_threadpool(blobs.names_image, s.db, sha256, caller.name):
            raise ApiError(403, "an integration key uploads only the images named by the ads it posted; post the "
                                "ad first, then its images")
        uploader = caller.uploader
    else:
        _require(caller, may_send(caller.role), "attach files")
        uploader = caller.user_id
    limits = blobs.UploadLimits(max_size=s.settings.max_blob_bytes, quota=s.settings.upload_quota_bytes,
                                idle=timedelta(seconds=s.settings.upload_idle_s))
    data = await request.body()
    try:
        return await run_in_threadpool(blobs.put_chunk, s.db, sha256, content_range, data, s.settings.clock(),
                                       limits, uploader)
    except blobs.BlobError as exc:
        raise _api(exc) from exc


@router.get("/{sha256}", responses={**_ERRORS, 206: {"description": "the requested range"},
                                    416: {"model": Problem}},
            response_class=Response)
def get_blob(sha256: Sha, request: Request, caller: CallerOrSiteDep,
             range_: Annotated[str | None, Header(alias="Range", description="bytes=first-last")] = None,
             ) -> Response:
    if isinstance(caller, site.Integration):
        raise ApiError(403, "an integration key sends files; it reads none")
    refusal = "open attachments (they hold inquirers' personal details)"
    sees_ads = can(caller.role, Permission.VIEW_ADS)
    _require(caller, may_read(caller.role) or sees_ads, refusal)
    db = state(request).db
    size = blobs.servable_size(db, sha256, attachments=may_read(caller.role), ad_images=sees_ads)
    if size is None and not may_read(caller.role):
        _require(caller, False, refusal)  # not an ad's image: as if it were an attachment (nothing is told)
    if size is None:
        raise ApiError(404, "the server has no attachment with this file (not uploaded, not finished, or no "
                            "attachment that is not deleted, nor any ad, names it)")
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
