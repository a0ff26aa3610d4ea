"""The FastAPI application. Stateless between requests: several processes may serve one database.

``create_app(database_url)`` builds it and loads the token secret (``SAYPRO_SERVER_SECRET``, else the
``token-secret`` file in the data folder; see ``secret``); at start-up it checks the schema
(``saypro-server init-db`` migrates).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from .config import DATABASE_ENV, ServerSettings, database_url, normalise_url
from .routes import auth as auth_routes
from .routes import blobs as blob_routes
from .routes import conflicts as conflict_routes
from .routes import meta as meta_routes
from .routes import moderation as moderation_routes
from .routes import site as site_routes
from .routes import sync as sync_routes
from .routes.deps import ApiError, BodyGuard, ServerState
from .secret import load_secret
from .store.db import Database
from .store.migrate import check_schema

log = logging.getLogger("saypro_server")
API_PREFIX = "/api/v1"


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is not valid"


def create_app(database_url: str, *, settings: ServerSettings | None = None) -> FastAPI:
    """The app; raises ``SecretError`` (saying what to do) when there is no usable token secret."""
    settings = settings or ServerSettings()
    secret = load_secret(settings)
    server = ServerState(Database(normalise_url(database_url)), settings, secret)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        check_schema(server.db)
        yield
        server.db.dispose()

    app = FastAPI(title="SayPro Desk sync server", version=__version__, lifespan=lifespan,
                  description="The sync API of SayPro Desk (docs/SYNC_PROTOCOL.md) and the classified site's API "
                              "(docs/SITE_API.md). Every path is under /api/v1.")
    app.state.server = server

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail, **exc.extra}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_detail(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return JSONResponse({"detail": "the server failed to handle this request; it was logged"}, status_code=500)

    for module in (meta_routes, auth_routes, sync_routes, blob_routes, conflict_routes, moderation_routes,
                   site_routes):
        app.include_router(module.router, prefix=API_PREFIX)
    app.add_middleware(BodyGuard, limit=settings.max_body_bytes)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI documents 422 with its list-shaped detail; this server answers every error as a Problem."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "422" in operation.get("responses", {}):
                    operation["responses"]["422"]["content"] = problem
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("Problem", {"properties": {"detail": {"type": "string", "title": "Detail"}},
                                          "type": "object", "required": ["detail"], "title": "Problem"})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
    return app.openapi_schema


def app_from_env() -> Any:
    """Factory for ``uvicorn --factory`` (used by ``saypro-server serve --workers N``)."""
    return create_app(database_url(os.environ.get(DATABASE_ENV)))
