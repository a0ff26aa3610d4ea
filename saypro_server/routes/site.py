"""The classified site's API (docs/SITE_API.md), with an integration key: POST /ads, POST /ads/reports,
GET /moderation/feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from .. import site, site_feed
from .deps import ApiError, SiteDep, state
from .models import PostAdsResponse, PostReportsResponse, Problem, SiteFeedResponse

router = APIRouter(tags=["site"])
_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": Problem}, 413: {"model": Problem}, 422: {"model": Problem}}


def _items(body: Any, key: str, limit: int, what: str) -> list[Any]:
    """A single item, or ``{key: [...]}``."""
    if not isinstance(body, dict):
        raise ApiError(422, f"send one {what} as a JSON object, or {{\"{key}\": [...]}}")
    if key not in body:
        return [body]
    items = body[key]
    if not isinstance(items, list) or len(body) != 1:
        raise ApiError(422, f"{{\"{key}\": [...]}} takes a list of {what}s and nothing else")
    if len(items) > limit:
        raise ApiError(413, f"at most {limit} {what}s in one request (this one has {len(items)}); send the rest "
                            "in further requests")
    return items


def _counts(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"results": results, **{k: sum(1 for r in results if r["status"] == k)
                                   for k in ("created", "duplicate", "refused")}}


@router.post("/ads", response_model=PostAdsResponse, response_model_exclude_none=True, responses=_ERRORS)
def post_ads(request: Request, source: SiteDep,
             body: Annotated[Any, Body(description="one ad, or {\"ads\": [up to 500 ads]}")]) -> dict[str, Any]:
    """Ads as the site submitted them; each is stored or refused alone (results in the order sent)."""
    s = state(request)
    items = _items(body, "ads", site.MAX_ADS, "ad")
    return _counts(site.post_ads(s.db, source, items, s.settings.clock(), s.settings.max_blob_bytes))


@router.post("/ads/reports", response_model=PostReportsResponse, response_model_exclude_none=True,
             responses=_ERRORS)
def post_reports(request: Request, source: SiteDep,
                 body: Annotated[Any, Body(description="one report, or {\"reports\": [up to 500]}")]
                 ) -> dict[str, Any]:
    """Users' reports of ads; each is stored or refused alone."""
    s = state(request)
    items = _items(body, "reports", site.MAX_REPORTS, "report")
    return _counts(site.post_reports(s.db, source, items, s.settings.clock()))


@router.get("/moderation/feed", response_model=SiteFeedResponse, responses={401: {"model": Problem}})
def moderation_feed(request: Request, _source: SiteDep,
                    after: Annotated[int, Query(ge=0, le=2**62, description="the last cursor read (0: from the start)")]
                    = 0,
                    limit: Annotated[int, Query(ge=1, le=site_feed.MAX_LIMIT)] = 100) -> dict[str, Any]:
    """What the office decided, in order: decisions that stand and withdrawn ones, sanctions and their lifting,
    renewal reminders of approved ads about to expire."""
    s = state(request)
    now = s.settings.clock()
    site_feed.add_reminders(s.db, now, timedelta(days=s.settings.reminder_days))
    with s.db.read() as conn:
        return site_feed.read(conn, after, limit)
