"""Fan-out between server processes: in-process when embedded, Redis pub/sub when scaled out.

The broker carries whole events so the common case needs no database read; a process that
misses a message (Redis hiccup, a slow socket) notices the gap in the person's sequence and
reads what it missed from `event_log`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tongban.core.events.service import StreamEvent

log = logging.getLogger(__name__)

Handler = Callable[[list[StreamEvent]], Awaitable[None]]
# Ephemeral events (typing indicators) are not stored or numbered: delivered live or never.
EphemeralHandler = Callable[[list[int], dict[str, Any]], Awaitable[None]]


class InProcessBroker:
    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        self._ephemeral: list[EphemeralHandler] = []
        self.on_reconnect: Callable[[], Awaitable[None]] | None = None

    def subscribe(self, handler: Handler, ephemeral: EphemeralHandler | None = None) -> None:
        self._handlers.append(handler)
        if ephemeral is not None:
            self._ephemeral.append(ephemeral)

    async def publish_ephemeral(self, person_ids: list[int], payload: dict[str, Any]) -> None:
        for handler in self._ephemeral:
            await handler(person_ids, payload)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, batch: list[StreamEvent]) -> None:
        for handler in self._handlers:
            await handler(batch)


class RedisBroker:
    def __init__(self, url: str, prefix: str = "tongban") -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._channel = f"{prefix}:events"
        self._handlers: list[Handler] = []
        self._ephemeral: list[EphemeralHandler] = []
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        # Called after a re-subscription so hubs re-read what they may have missed.
        self.on_reconnect: Callable[[], Awaitable[None]] | None = None

    def subscribe(self, handler: Handler, ephemeral: EphemeralHandler | None = None) -> None:
        self._handlers.append(handler)
        if ephemeral is not None:
            self._ephemeral.append(ephemeral)

    async def publish_ephemeral(self, person_ids: list[int], payload: dict[str, Any]) -> None:
        message = {"ephemeral": {"person_ids": person_ids, "payload": payload}}
        await self._redis.publish(self._channel, json.dumps(message, separators=(",", ":")))

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="redis-broker")
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._redis.aclose()

    async def publish(self, batch: list[StreamEvent]) -> None:
        await self._redis.publish(self._channel, json.dumps([e.wire() for e in batch], separators=(",", ":")))

    async def _listen(self) -> None:
        first = True
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(self._channel)
                self._ready.set()
                if not first and self.on_reconnect is not None:
                    await self.on_reconnect()
                first = False
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    data = json.loads(message["data"])
                    if isinstance(data, dict):
                        ephemeral = data["ephemeral"]
                        for eph in self._ephemeral:
                            await eph(list(ephemeral["person_ids"]), dict(ephemeral["payload"]))
                        continue
                    batch = [StreamEvent.from_wire(d) for d in data]
                    for handler in self._handlers:
                        await handler(batch)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis pub/sub failed; resubscribing")
                await asyncio.sleep(1)
