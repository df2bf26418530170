"""Messaging scaled out: two `tongban serve` processes sharing PostgreSQL and Redis.

刘锋 is connected to process A, 韩雪 to process B, in the same 1:1 chat. Messages sent through
either process reach both sockets, in the same order, and both processes serve the same history.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
import websockets

from tests.integration.conftest import sign_in

pytestmark = pytest.mark.integration

EACH = 25


async def _socket(url: str, client: httpx.AsyncClient) -> websockets.ClientConnection:
    cookie = f"tongban_session={client.cookies['tongban_session']}"
    ws = await websockets.connect(f"ws://{url}/api/events", additional_headers={"Cookie": cookie})
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
    return ws


async def _messages(ws: websockets.ClientConnection, count: int) -> list[dict[str, Any]]:
    """The next `count` messages on the stream, checking event ids run on without a gap."""
    got: list[dict[str, Any]] = []
    last_id: int | None = None
    while len(got) < count:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 15))
        if frame["type"] != "event":
            continue
        assert last_id is None or frame["id"] == last_id + 1
        last_id = frame["id"]
        if frame["event"]["type"] == "im.message":
            got.append(frame["event"]["message"])
    return got


async def test_messages_through_both_processes_reach_both_sockets_in_one_order(cluster):
    _, urls = cluster
    liu = await sign_in(urls["A"], "liufeng")
    han = await sign_in(urls["B"], "hanxue")
    han_id = (await han.get("/api/me")).json()["id"]
    chat = (await liu.post("/api/im/conversations", json={"kind": "direct", "person_id": han_id})).json()
    ws_liu = await _socket(urls["A"], liu)
    ws_han = await _socket(urls["B"], han)
    path = f"/api/im/conversations/{chat['id']}/messages"

    async def talk(client: httpx.AsyncClient, who: str) -> list[int]:
        ids = []
        for i in range(EACH):
            body = {"client_msg_id": f"{who}-{uuid.uuid4().hex}", "body": f"{who} {i}"}
            r = await client.post(path, json=body)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        return ids

    # Both at once, so sends through A and B interleave and race for the next number.
    sent_a, sent_b = await asyncio.gather(talk(liu, "A"), talk(han, "B"))
    on_a, on_b = await asyncio.gather(_messages(ws_liu, 2 * EACH), _messages(ws_han, 2 * EACH))

    order_a = [(m["seq"], m["id"]) for m in on_a]
    order_b = [(m["seq"], m["id"]) for m in on_b]
    assert order_a == order_b
    assert [seq for seq, _ in order_a] == sorted(seq for seq, _ in order_a)
    assert {mid for _, mid in order_a} == set(sent_a) | set(sent_b)
    assert {m["sender"]["name"] for m in on_a} == {"刘锋", "韩雪"}

    history_a = (await liu.get(path, params={"limit": 200})).json()["items"]
    history_b = (await han.get(path, params={"limit": 200})).json()["items"]
    assert [(m["seq"], m["id"], m["body"]) for m in history_a] == [
        (m["seq"], m["id"], m["body"]) for m in history_b
    ]
    assert [(m["seq"], m["id"]) for m in history_a][-2 * EACH :] == order_a
    for ws in (ws_liu, ws_han):
        await ws.close()
    await liu.aclose()
    await han.aclose()
