"""POST /auth/login, /auth/refresh, /auth/logout."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from .. import auth
from .deps import ApiError, CallerDep, ProtocolDep, client_ip, state
from .models import LoginRequest, Problem, RefreshRequest, TokenResponse

router = APIRouter(prefix="/auth", tags=["auth"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem}, 403: {"model": Problem}, 426: {"model": Problem}, 429: {"model": Problem}}


def _api(exc: auth.AuthError) -> ApiError:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    if exc.status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return ApiError(exc.status, exc.detail, headers)


@router.post("/login", response_model=TokenResponse, responses=_ERRORS)
def login(body: LoginRequest, request: Request, _p: ProtocolDep) -> dict[str, Any]:
    s = state(request)
    try:
        return auth.login(s.db, s.settings, s.secret, body.username, body.password, body.device_id,
                          body.device_name or "desktop", body.device_key, client_ip(request))
    except auth.AuthError as exc:
        raise _api(exc) from exc


@router.post("/refresh", response_model=TokenResponse, responses=_ERRORS)
def refresh(body: RefreshRequest, request: Request, _p: ProtocolDep) -> dict[str, Any]:
    s = state(request)
    try:
        return auth.refresh(s.db, s.settings, s.secret, body.refresh_token, body.device_id, client_ip(request))
    except auth.AuthError as exc:
        raise _api(exc) from exc


@router.post("/logout", status_code=204, response_class=Response, responses=_ERRORS)
def logout(request: Request, caller: CallerDep) -> Response:
    s = state(request)
    auth.logout(s.db, s.settings, caller, client_ip(request))
    return Response(status_code=204)
