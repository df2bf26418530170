"""Online / away / offline per person, kept per open connection.

A person is online while any of their tabs is connected and active, away while connected but
idle, offline when no connection has reported within the time-to-live. Embedded mode keeps it in
memory; scaled out, a Redis hash per person holds one field per connection, so a tab on another
server process counts too.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal, Protocol

Status = Literal["online", "away", "offline"]
TTL_SECONDS = 90


def _fold(states: Sequence[str]) -> Status:
    if "online" in states:
        return "online"
    if "away" in states:
        return "away"
    return "offline"


class PresenceStore(Protocol):
    async def touch(self, person_id: int, connection_id: str, status: Status) -> None: ...
    async def leave(self, person_id: int, connection_id: str) -> None: ...
    async def get(self, person_ids: list[int]) -> dict[int, Status]: ...


class MemoryPresence:
    def __init__(self) -> None:
        self._seen: dict[int, dict[str, tuple[Status, float]]] = {}

    async def touch(self, person_id: int, connection_id: str, status: Status) -> None:
        self._seen.setdefault(person_id, {})[connection_id] = (status, time.monotonic())

    async def leave(self, person_id: int, connection_id: str) -> None:
        conns = self._seen.get(person_id)
        if conns is not None:
            conns.pop(connection_id, None)
            if not conns:
                del self._seen[person_id]

    async def get(self, person_ids: list[int]) -> dict[int, Status]:
        horizon = time.monotonic() - TTL_SECONDS
        result: dict[int, Status] = {}
        for pid in person_ids:
            states = [s for s, at in self._seen.get(pid, {}).values() if at >= horizon]
            result[pid] = _fold(states)
        return result


class RedisPresence:
    def __init__(self, url: str, prefix: str = "tongban") -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url, decode_responses=True)
        self._prefix = f"{prefix}:presence"

    async def close(self) -> None:
        await self._redis.aclose()

    async def touch(self, person_id: int, connection_id: str, status: Status) -> None:
        key = f"{self._prefix}:{person_id}"
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hset(key, connection_id, f"{status}:{time.time():.0f}")
            pipe.expire(key, TTL_SECONDS)
            await pipe.execute()

    async def leave(self, person_id: int, connection_id: str) -> None:
        await self._redis.hdel(f"{self._prefix}:{person_id}", connection_id)

    async def get(self, person_ids: list[int]) -> dict[int, Status]:
        horizon = time.time() - TTL_SECONDS
        async with self._redis.pipeline(transaction=False) as pipe:
            for pid in person_ids:
                pipe.hgetall(f"{self._prefix}:{pid}")
            rows = await pipe.execute()
        result: dict[int, Status] = {}
        for pid, fields in zip(person_ids, rows, strict=True):
            states = []
            for value in (fields or {}).values():
                status, _, at = str(value).partition(":")
                if at and float(at) >= horizon:
                    states.append(status)
            result[pid] = _fold(states)
        return result
