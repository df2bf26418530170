"""Turning a request into an Actor: session cookie (with CSRF) or bearer token."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from tongban.auth import service
from tongban.core import i18n
from tongban.core.config import Settings
from tongban.core.db import Database, utcnow
from tongban.core.deps import SAFE_METHODS, DbSession
from tongban.core.errors import AppError, NotAuthenticated
from tongban.core.permissions import Actor

TOUCH_AFTER = dt.timedelta(hours=12)


def origin_allowed(origin: str | None, host: str | None, settings: Settings) -> bool:
    """Same-origin (by the Host the client used) or explicitly configured origins only."""
    if origin is None:
        return True  # non-browser clients send none; browsers always send it on these requests
    if origin in settings.allowed_origins:
        return True
    parts = urlsplit(origin)
    return bool(host) and parts.netloc == host and parts.scheme in ("http", "https")


def request_locale(request: HTTPConnection) -> i18n.Locale | None:
    return i18n.parse_accept_language(request.headers.get("accept-language"))


async def get_actor(request: Request, session: DbSession) -> Actor:
    settings: Settings = request.app.state.settings
    locale = request_locale(request)
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        actor = await service.actor_from_bearer(session, authorization[7:].strip(), locale)
        if actor is None:
            raise NotAuthenticated()
        i18n.current_locale.set(actor.locale)
        return actor
    token = request.cookies.get(service.SESSION_COOKIE)
    if not token:
        raise NotAuthenticated()
    row = await service.session_by_token(session, token)
    if row is None:
        raise NotAuthenticated()
    actor = await service.actor_from_session(session, row, locale)
    if actor is None:
        raise NotAuthenticated()
    i18n.current_locale.set(actor.locale)
    if request.method not in SAFE_METHODS:
        if not origin_allowed(request.headers.get("origin"), request.headers.get("host"), settings):
            raise AppError("origin_refused", status_code=403)
        header = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(header.encode(), row.csrf_token.encode()):
            raise AppError("csrf_failed", status_code=403)
    if utcnow() - row.last_seen_at > TOUCH_AFTER:
        if request.method in SAFE_METHODS:
            # A read request has no write transaction to piggyback on: refresh in a short one.
            db: Database = request.app.state.db
            async with db.transaction() as touch:
                await service.touch_session(touch, settings, row.id)
        else:
            # A write request already holds SQLite's write lock; a second writer would wait on it.
            await service.touch_session(session, settings, row.id)
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


async def websocket_actor(websocket: HTTPConnection) -> Actor | None:
    """The actor behind a WebSocket handshake, or None to refuse it (bad Origin or no session)."""
    settings: Settings = websocket.app.state.settings
    origin = websocket.headers.get("origin")
    if not origin_allowed(origin, websocket.headers.get("host"), settings):
        return None
    token = websocket.cookies.get(service.SESSION_COOKIE)
    db: Database = websocket.app.state.db
    async with db.transaction(write=False) as session:
        if token:
            row = await service.session_by_token(session, token)
            if row is not None:
                return await service.actor_from_session(session, row, request_locale(websocket))
        authorization = websocket.headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            return await service.actor_from_bearer(
                session, authorization[7:].strip(), request_locale(websocket)
            )
    return None
