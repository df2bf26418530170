"""Builds the ASGI app: resources in the lifespan, the capabilities' routers, the web app."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.routing import WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from tongban.approvals.api import router as approvals_router
from tongban.auth.api import router as auth_router
from tongban.calendar.api import router as calendar_router
from tongban.calendar.dav import router as caldav_router
from tongban.core import i18n
from tongban.core.config import Settings
from tongban.core.db import Database
from tongban.core.errors import install_error_handlers
from tongban.core.events.broker import InProcessBroker, RedisBroker
from tongban.core.events.hub import Hub
from tongban.core.events.presence import MemoryPresence, PresenceStore, RedisPresence
from tongban.core.jobs import start_jobs, stop_jobs
from tongban.core.metrics import MetricsMiddleware
from tongban.core.storage import blob_store_from_settings
from tongban.docs.api import router as docs_router
from tongban.docs.relay import PATH as DOCS_WS_PATH
from tongban.docs.relay import Relay as DocsRelay
from tongban.docs.relay import docs_endpoint
from tongban.files.api import router as files_router
from tongban.forms.api import router as forms_router
from tongban.im.api import router as im_router
from tongban.im.bots_api import router as im_bots_router
from tongban.im.ding_api import router as im_ding_router
from tongban.im.search_api import router as im_search_router
from tongban.meetings.api import router as meetings_router
from tongban.meetings.room import PATH as MEETINGS_ROOM_PATH
from tongban.meetings.room import room_endpoint as meetings_room_endpoint
from tongban.minutes.api import router as minutes_router
from tongban.notify.api import router as notify_router
from tongban.org.api import router as org_router
from tongban.stream.api import PATH as EVENTS_PATH
from tongban.stream.api import events_endpoint

WEB_DIST = Path(__file__).parent / "web_dist"


class LocaleMiddleware:
    """The caller's language from Accept-Language, until the signed-in person's choice refines it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            header = dict(scope.get("headers") or []).get(b"accept-language", b"").decode("latin-1")
            i18n.current_locale.set(i18n.parse_accept_language(header) or i18n.DEFAULT_LOCALE)
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        broker: InProcessBroker | RedisBroker
        presence: PresenceStore
        if settings.redis_url:
            broker = RedisBroker(settings.redis_url, settings.redis_prefix)
            presence = RedisPresence(settings.redis_url, settings.redis_prefix)
        else:
            broker, presence = InProcessBroker(), MemoryPresence()
        db = Database(settings.resolved_database_url, info={"broker": broker, "settings": settings})
        hub = Hub(db)
        broker.subscribe(hub.on_batch, hub.on_ephemeral)
        broker.on_reconnect = hub.on_reconnect
        await broker.start()
        app.state.settings, app.state.db, app.state.hub = settings, db, hub
        app.state.broker, app.state.presence = broker, presence
        # Background jobs: the queue for `enqueue`, and the embedded consumer (core/jobs/).
        app.state.jobs = await start_jobs(settings, db, broker)
        # Blob storage for uploaded files (core/storage.py): a local folder or S3.
        app.state.blobs = blob_store_from_settings(settings)
        # Documents' Yjs relay (docs/relay.py): rooms, group commit, Redis between processes.
        app.state.docs_relay = DocsRelay(db, settings, broker)
        await app.state.docs_relay.start()
        try:
            yield
        finally:
            await app.state.docs_relay.stop()
            await stop_jobs(app.state.jobs)
            await broker.stop()
            if isinstance(presence, RedisPresence):
                await presence.close()
            await db.dispose()
            await app.state.blobs.close()

    app = FastAPI(
        title="Tongban API",
        version="0.1.0",
        description="通办 Tongban: self-hosted collaborative office platform",
        lifespan=lifespan,
        # /docs is the documents page of the web app; the API reference moves beside the schema.
        docs_url="/api-docs",
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(LocaleMiddleware)

    for router in (
        auth_router,
        org_router,
        files_router,
        notify_router,
        im_router,
        im_search_router,
        im_ding_router,
        im_bots_router,
        forms_router,
        calendar_router,
        caldav_router,
        docs_router,
        approvals_router,
        minutes_router,
        meetings_router,
    ):
        app.include_router(router)
    app.router.routes.append(WebSocketRoute(EVENTS_PATH, events_endpoint))
    app.router.routes.append(WebSocketRoute(DOCS_WS_PATH, docs_endpoint))
    app.router.routes.append(WebSocketRoute(MEETINGS_ROOM_PATH, meetings_room_endpoint))

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    async def readyz(request: Request) -> JSONResponse:
        db: Database = request.app.state.db
        try:
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    _mount_web(app)
    return app


def _mount_web(app: FastAPI) -> None:
    """Serve the built web app; unknown non-API paths get index.html (client-side routes)."""

    @app.get("/{path:path}", include_in_schema=False)
    async def web(path: str) -> Response:
        if path.startswith("api/"):
            return JSONResponse({"code": "route_not_found", "message": i18n.t("route_not_found")}, 404)
        candidate = (WEB_DIST / path).resolve()
        if path and candidate.is_file() and WEB_DIST.resolve() in candidate.parents:
            headers = (
                {"Cache-Control": "public, max-age=31536000, immutable"} if path.startswith("assets/") else {}
            )
            return FileResponse(candidate, headers=headers)
        index = WEB_DIST / "index.html"
        if not index.is_file():
            return PlainTextResponse("web app not built: run `make web`", status_code=503)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
