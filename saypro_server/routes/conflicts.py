"""GET /conflicts (to settle), POST /conflicts/{id}/settle."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request

from .. import conflicts
from .deps import ApiError, CallerDep, state
from .models import UUID_PATTERN, ConflictList, ConflictOut, Problem, SettleRequest

router = APIRouter(prefix="/conflicts", tags=["conflicts"])
_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": Problem}, 403: {"model": Problem},
                                            404: {"model": Problem}, 409: {"model": Problem}, 426: {"model": Problem}}


@router.get("", response_model=ConflictList, responses=_ERRORS)
def list_conflicts(request: Request, _caller: CallerDep,
                   show: Annotated[Literal["open", "settled", "all"], Query()] = "open",
                   row_id: Annotated[str | None, Query(pattern=UUID_PATTERN)] = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
    settled = {"open": False, "settled": True, "all": None}[show]
    return {"conflicts": conflicts.list_conflicts(state(request).db, settled=settled, row_id=row_id, limit=limit)}


@router.post("/{conflict_id}/settle", response_model=ConflictOut, responses=_ERRORS)
def settle(conflict_id: Annotated[int, Path(ge=1, le=2**62)], body: SettleRequest, request: Request,
           caller: CallerDep) -> dict[str, Any]:
    s = state(request)
    try:
        return conflicts.settle(s.db, caller, conflict_id, body.choice, body.text, s.settings.clock())
    except conflicts.ConflictError as exc:
        raise ApiError(exc.status, exc.detail) from exc
