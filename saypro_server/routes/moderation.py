"""POST /moderation/claim: a moderator leases pending ads to review, so two never review the same ad."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request

from saypro_desktop.core.permissions import Permission, can

from .. import moderation
from .deps import ApiError, CallerDep, state
from .models import ClaimAdsRequest, ClaimAdsResponse, Problem

router = APIRouter(prefix="/moderation", tags=["moderation"])


@router.post("/claim", response_model=ClaimAdsResponse,
             responses={401: {"model": Problem}, 403: {"model": Problem}, 426: {"model": Problem}})
def claim(body: ClaimAdsRequest, request: Request, caller: CallerDep) -> dict[str, Any]:
    if not can(caller.role, Permission.MODERATE_ADS):
        raise ApiError(403, f"the {caller.role.value} role does not moderate ads and claims none")
    s = state(request)
    try:
        out = moderation.claim(s.db, caller.user_id, caller.device_id, body.count, body.request_id,
                               timedelta(seconds=s.settings.claim_ttl_s), s.settings.clock())
    except moderation.ClaimRefused as exc:
        raise ApiError(422, str(exc)) from exc
    return {"ad_ids": out["ad_ids"], "expires_at": out["expires_at"].isoformat()}
