"""A client for Janus's HTTP API (the meetings SFU): sessions, handles, plugin messages and the
long poll that brings asynchronous events back.

Only signalling passes through here — SDP offers and answers and room control; media flows
between the browsers and Janus. One `JanusSession` serves one meeting's room: every handle of
that room (one publisher per participant, one subscriber per participant and feed) hangs off it.

Janus answers a plugin request either at once ("success" with the plugin's data: room
creation, moderation) or with an "ack" and, later on the long poll, an "event" carrying the
same transaction (joins, configure, start — anything with SDP). `message()` hides the difference.
Events that answer nothing (webrtcup, hangup, a feed leaving) go to `on_event`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

log = logging.getLogger(__name__)

EventHandler = Callable[[int, dict[str, Any]], Awaitable[None]]


class JanusError(Exception):
    """Janus refused a request (the code and reason are Janus's own)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"janus error {code}: {reason}")
        self.code, self.reason = code, reason


class JanusUnavailable(Exception):
    """Janus could not be reached or answered nonsense; `reason` says which, for the admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _tx() -> str:
    return secrets.token_hex(8)


async def server_info(url: str, *, timeout: float = 3.0) -> dict[str, Any]:
    """Janus's `info` answer (version, plugins), or JanusUnavailable saying why not."""
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(f"{url.rstrip('/')}/info")
            response.raise_for_status()
            data: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise JanusUnavailable(f"{type(exc).__name__}: {exc or 'no answer'}") from None
    if data.get("janus") != "server_info":
        raise JanusUnavailable("the answer is not Janus's server_info")
    if "janus.plugin.videoroom" not in (data.get("plugins") or {}):
        raise JanusUnavailable("Janus runs without the VideoRoom plugin (janus.plugin.videoroom)")
    return data


class JanusSession:
    """One Janus session and its long poll; `open()` it, `close()` it when the room empties."""

    def __init__(self, url: str, on_event: EventHandler, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.on_event = on_event
        self.timeout = timeout
        self.id = 0
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, read=40.0))
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._poller: asyncio.Task[None] | None = None
        self.closed = False

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client.post(f"{self.url}{path}", json=body, timeout=self.timeout)
            response.raise_for_status()
            data: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise JanusUnavailable(f"{type(exc).__name__}: {exc or 'no answer'}") from None
        if data.get("janus") == "error":
            error = data.get("error") or {}
            raise JanusError(int(error.get("code") or 0), str(error.get("reason") or ""))
        return data

    async def open(self) -> None:
        data = await self._post("", {"janus": "create", "transaction": _tx()})
        self.id = int(data["data"]["id"])
        self._poller = asyncio.create_task(self._poll(), name=f"janus-poll-{self.id}")

    async def attach(self) -> int:
        data = await self._post(
            f"/{self.id}", {"janus": "attach", "plugin": "janus.plugin.videoroom", "transaction": _tx()}
        )
        return int(data["data"]["id"])

    async def detach(self, handle: int) -> None:
        with contextlib.suppress(JanusError, JanusUnavailable):
            await self._post(f"/{self.id}/{handle}", {"janus": "detach", "transaction": _tx()})

    async def message(
        self, handle: int, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Send a plugin request; (the plugin's data, Janus's JSEP if any) — raises JanusError
        when the plugin answers with an error code."""
        tx = _tx()
        request: dict[str, Any] = {"janus": "message", "transaction": tx, "body": body}
        if jsep is not None:
            request["jsep"] = jsep
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[tx] = waiter
        try:
            data = await self._post(f"/{self.id}/{handle}", request)
            if data.get("janus") == "ack":
                try:
                    data = await asyncio.wait_for(waiter, self.timeout)
                except TimeoutError:
                    raise JanusUnavailable("Janus acknowledged a request but never answered it") from None
        finally:
            self._pending.pop(tx, None)
        plugin = (data.get("plugindata") or {}).get("data") or {}
        if "error_code" in plugin:
            raise JanusError(int(plugin["error_code"]), str(plugin.get("error") or ""))
        return plugin, data.get("jsep")

    async def _poll(self) -> None:
        """The long poll: it also keeps the session alive (Janus reaps idle sessions)."""
        failures = 0
        while not self.closed:
            try:
                response = await self._client.get(f"{self.url}/{self.id}", params={"maxev": 10, "rid": _tx()})
                response.raise_for_status()
                batch = response.json()
                failures = 0
            except (httpx.HTTPError, ValueError) as exc:
                if self.closed:
                    return
                failures += 1
                log.warning("janus long poll failed (%s): %s", failures, exc)
                await asyncio.sleep(min(5.0, 0.5 * failures))
                continue
            for event in batch if isinstance(batch, list) else [batch]:
                await self._dispatch(event)

    async def _dispatch(self, event: dict[str, Any]) -> None:
        kind = event.get("janus")
        if kind == "keepalive":
            return
        waiter = self._pending.get(str(event.get("transaction") or ""))
        if kind == "event" and waiter is not None and not waiter.done():
            waiter.set_result(event)
            return
        try:
            await self.on_event(int(event.get("sender") or 0), event)
        except Exception:  # one bad handler must not stop the room's events
            log.exception("janus event handler failed for %s", kind)

    async def close(self) -> None:
        self.closed = True
        with contextlib.suppress(JanusError, JanusUnavailable):
            await self._post(f"/{self.id}", {"janus": "destroy", "transaction": _tx()})
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poller
        await self._client.aclose()
