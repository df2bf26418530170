"""`/api/events`: the one WebSocket per browser tab carrying the person's ordered event stream.

Protocol (JSON text frames):
  server → {"type": "hello", "last_event_id": N}      connected; events after N follow
  server → {"type": "event", "id": N, "event": {...}} the person's N-th event
  server → {"type": "resync", "last_event_id": N}     resume point too old: refetch state
  client → {"type": "presence", "status": "active" | "idle"}   every ~30 s
The client opens with `?last_event_id=N` (the last id it processed) to resume, or without it
to start from now.

The endpoint is a bare ASGI app rather than a FastAPI route: every open socket is held for
hours, and FastAPI's per-connection dependency machinery costs about 6 KiB each (measured with
bench/events.py), a fifth of the memory budget per idle connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Any

from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

from tongban.auth.deps import websocket_actor
from tongban.core.events.hub import Hub, Subscriber
from tongban.core.events.presence import PresenceStore, Status
from tongban.core.metrics import WS_CONNECTIONS

PATH = "/api/events"


def _last_event_id(scope: Scope) -> int | None:
    raw = HTTPConnection(scope).query_params.get("last_event_id")
    return int(raw) if raw and raw.isdigit() else None


async def _serve(scope: Scope, receive: Receive, send: Send) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    actor = await websocket_actor(HTTPConnection(scope))
    if actor is None:
        # Closing before accepting makes the server answer the handshake with 403.
        await send({"type": "websocket.close", "code": 1008})
        return
    last_event_id = _last_event_id(scope)
    app = scope["app"]
    hub: Hub = app.state.hub
    presence: PresenceStore = app.state.presence
    await send({"type": "websocket.accept"})
    connection_id = uuid.uuid4().hex[:12]

    async def send_json(message: dict[str, Any]) -> None:
        text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        await send({"type": "websocket.send", "text": text})

    async def send_text(text: str) -> None:
        await send({"type": "websocket.send", "text": text})

    subscriber = Subscriber(actor.person_id, send_json, send_text)
    writer = asyncio.create_task(subscriber.run(hub.db))
    WS_CONNECTIONS.inc()
    try:
        await presence.touch(actor.person_id, connection_id, "online")
        await hub.attach(subscriber, last_event_id)
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                break
            if writer.done():  # the socket broke while sending
                break
            await _on_client_message(message.get("text"), actor.person_id, connection_id, presence)
    finally:
        WS_CONNECTIONS.dec()
        hub.detach(subscriber)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer
        with contextlib.suppress(Exception):
            await presence.leave(actor.person_id, connection_id)


class EventsEndpoint:
    """The ASGI app for PATH (a class, so Starlette routes to it without a WebSocket wrapper)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _serve(scope, receive, send)


events_endpoint = EventsEndpoint()


async def _on_client_message(
    text: str | None, person_id: int, connection_id: str, presence: PresenceStore
) -> None:
    try:
        data = json.loads(text or "")
    except ValueError:
        return
    if isinstance(data, dict) and data.get("type") == "presence":
        status: Status = "away" if data.get("status") == "idle" else "online"
        await presence.touch(person_id, connection_id, status)
