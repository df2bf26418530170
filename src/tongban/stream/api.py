"""`/api/events`: the one WebSocket per browser tab carrying the person's ordered event stream.

Protocol (JSON text frames):
  server → {"type": "hello", "last_event_id": N}      connected; events after N follow
  server → {"type": "event", "id": N, "event": {...}} the person's N-th event
  server → {"type": "resync", "last_event_id": N}     resume point too old: refetch state
  client → {"type": "presence", "status": "active" | "idle"}   every ~30 s
The client opens with `?last_event_id=N` (the last id it processed) to resume, or without it
to start from now.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from tongban.auth.deps import websocket_actor
from tongban.core.events.hub import Hub, Subscriber
from tongban.core.events.presence import PresenceStore
from tongban.core.metrics import WS_CONNECTIONS

router = APIRouter(tags=["events"])


@router.websocket("/api/events")
async def events(websocket: WebSocket) -> None:
    actor = await websocket_actor(websocket)
    if actor is None:
        # 4401 is not a standard code; browsers see it as a close with that code after a
        # refused handshake (403), which is all a refused client needs.
        await websocket.close(code=4401)
        return
    raw = websocket.query_params.get("last_event_id")
    last_event_id = int(raw) if raw and raw.isdigit() else None
    await websocket.accept()
    hub: Hub = websocket.app.state.hub
    presence: PresenceStore = websocket.app.state.presence
    connection_id = uuid.uuid4().hex[:12]

    async def send(message: dict[str, Any]) -> None:
        await websocket.send_text(json.dumps(message, ensure_ascii=False, separators=(",", ":")))

    subscriber = Subscriber(actor.person_id, send)
    writer = asyncio.create_task(subscriber.run(hub.db))
    WS_CONNECTIONS.inc()
    try:
        await presence.touch(actor.person_id, connection_id, "online")
        await hub.attach(subscriber, last_event_id)
        while True:
            message = await websocket.receive_text()
            try:
                data = json.loads(message)
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("type") == "presence":
                status = "away" if data.get("status") == "idle" else "online"
                await presence.touch(actor.person_id, connection_id, status)
            if writer.done():
                break
    except WebSocketDisconnect:
        pass
    finally:
        WS_CONNECTIONS.dec()
        hub.detach(subscriber)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer
        with contextlib.suppress(Exception):
            await presence.leave(actor.person_id, connection_id)
