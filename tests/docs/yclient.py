"""A small y-websocket client over pycrdt, for the relay's tests and bench/docs.py.

It speaks the protocol as the `y-websocket` browser provider does: on connect it sends its
state vector (sync step 1), answers the server's step 1 with what the server lacks (step 2),
applies whatever arrives, and sends each local change as an update.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import websockets
from pycrdt import Doc, Text, write_var_uint

from tongban.docs.relay import read_var_bytes, read_var_uint, sync_frame


def awareness_frame(client_id: int, clock: int, state: dict[str, Any] | None) -> bytes:
    body = json.dumps(state).encode() if state is not None else b"null"
    payload = (
        write_var_uint(1)
        + write_var_uint(client_id)
        + write_var_uint(clock)
        + write_var_uint(len(body))
        + body
    )
    return bytes((1,)) + write_var_uint(len(payload)) + payload


class YClient:
    def __init__(self, ws: websockets.ClientConnection, doc: Doc | None = None) -> None:
        self.ws = ws
        self.doc: Doc = doc or Doc()
        self.text = self.doc.get("t", type=Text)
        self.awareness: dict[int, Any] = {}
        self.synced = asyncio.Event()
        self.closed: asyncio.Future[tuple[int | None, str]] = asyncio.get_running_loop().create_future()
        self._remote = False
        self._sub = self.doc.observe(self._on_local)
        self._task = asyncio.create_task(self._run())
        self.received = 0

    @classmethod
    async def connect(cls, url: str, cookie: str, origin: str, doc: Doc | None = None, **kw: Any) -> YClient:
        ws = await websockets.connect(
            url, additional_headers={"Cookie": cookie}, origin=origin, compression=None, max_size=None, **kw
        )
        client = cls(ws, doc)
        await client.ws.send(sync_frame(0, client.doc.get_state()))
        return client

    def _on_local(self, event: Any) -> None:
        if self._remote or self.closed.done():
            return
        asyncio.get_running_loop().create_task(self._send(sync_frame(2, event.update)))

    async def _send(self, frame: bytes) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.ws.send(frame)

    async def send_raw(self, frame: bytes) -> None:
        await self.ws.send(frame)

    async def _run(self) -> None:
        try:
            async for message in self.ws:
                assert isinstance(message, bytes)
                self.received += 1
                if message[0] == 0:
                    payload, _ = read_var_bytes(message, 2)
                    if message[1] == 0:
                        await self._send(sync_frame(1, self.doc.get_update(payload)))
                    else:
                        self._remote = True
                        try:
                            self.doc.apply_update(payload)
                        finally:
                            self._remote = False
                        if message[1] == 1:
                            self.synced.set()
                elif message[0] == 1:
                    payload, _ = read_var_bytes(message, 1)
                    count, pos = read_var_uint(payload, 0)
                    for _ in range(count):
                        cid, pos = read_var_uint(payload, pos)
                        _clock, pos = read_var_uint(payload, pos)
                        state, pos = read_var_bytes(payload, pos)
                        self.awareness[cid] = json.loads(state)
        except websockets.ConnectionClosed:
            pass
        finally:
            if not self.closed.done():
                self.closed.set_result((self.ws.close_code, self.ws.close_reason or ""))

    async def wait(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        async def poll() -> None:
            while not predicate():
                await asyncio.sleep(0.01)

        await asyncio.wait_for(poll(), timeout)

    async def close(self) -> None:
        await self.ws.close()
        with contextlib.suppress(Exception):
            await self._task
