"""GET /version: what the server takes (no sign-in, no protocol header needed)."""

from __future__ import annotations

from fastapi import APIRouter

from .. import __version__
from ..store.migrate import head_revision
from .deps import MAX_PROTOCOL, MIN_PROTOCOL
from .models import VersionResponse

router = APIRouter(tags=["meta"])


@router.get("/version", response_model=VersionResponse, response_model_by_alias=True)
def version() -> dict[str, object]:
    return {"protocol": {"min": MIN_PROTOCOL, "max": MAX_PROTOCOL}, "schema": head_revision(),
            "server_build": __version__}
