"""Messaging on the event stream: what each member's socket sees, live, as the chat changes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from tests.im.conftest import send


class Socket:
    """One member's open `/api/events`, checking that event ids run on without a gap."""

    def __init__(self, ws: websockets.ClientConnection, last_id: int) -> None:
        self.ws = ws
        self.last_id = last_id

    async def frame(self, timeout: float = 5.0) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        if frame["type"] == "event":
            assert frame["id"] == self.last_id + 1, (frame["id"], self.last_id)
            self.last_id = frame["id"]
        return frame

    async def event(self, timeout: float = 5.0) -> dict[str, Any]:
        frame = await self.frame(timeout)
        assert frame["type"] == "event", frame
        return frame["event"]  # type: ignore[no-any-return]

    async def silent(self, seconds: float = 0.3) -> None:
        with pytest.raises(TimeoutError):
            frame = await self.frame(seconds)
            pytest.fail(f"unexpected frame {frame}")


async def open_socket(live_server: str, client: httpx.AsyncClient) -> Socket:
    """The stream of the person `client` is signed in as, from now on."""
    cookie = f"tongban_session={client.cookies['tongban_session']}"
    ws = await websockets.connect(
        f"ws://{live_server}/api/events",
        additional_headers={"Cookie": cookie},
        origin=f"http://{live_server}",
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert hello["type"] == "hello"
    return Socket(ws, hello["last_event_id"])


@pytest.fixture
async def group_chat(team, as_person, live_server):
    """项目组 (刘锋 owner, 韩雪, 宋杰) with everyone's socket open; 陶海锋 is connected too, outside."""
    clients = {k: await as_person(team[k]) for k in ("liu", "han", "song", "tao")}
    group = (
        await clients["liu"].post(
            "/api/im/conversations",
            json={"kind": "group", "name": "项目组", "member_ids": [team["han"].id, team["song"].id]},
        )
    ).json()
    sockets = {k: await open_socket(live_server, c) for k, c in clients.items()}
    yield group, clients, sockets
    for s in sockets.values():
        await s.ws.close()


async def test_a_message_reaches_every_member_and_no_one_else(team, group_chat):
    group, clients, sockets = group_chat
    sent = await send(clients["liu"], group["id"], "周五下午三点开会")
    for k in ("liu", "han", "song"):
        event = await sockets[k].event()
        assert event["type"] == "im.message"
        assert event["message"]["id"] == sent["id"]
        assert event["message"]["body"] == "周五下午三点开会"
        assert event["message"]["sender"] == {"id": team["liu"].id, "name": "刘锋"}
        # Computed for the sender, the only one whose client shows "2 unread".
        assert event["message"]["unread_count"] == 2
    await sockets["tao"].silent()


async def test_reading_tells_the_sender_live(team, group_chat):
    group, clients, sockets = group_chat
    sent = await send(clients["liu"], group["id"], "收到请回复")
    for k in ("liu", "han", "song"):
        await sockets[k].event()
    r = await clients["han"].post(f"/api/im/conversations/{group['id']}/read", json={"seq": sent["seq"]})
    assert r.status_code == 200
    expected = {
        "type": "im.read",
        "conversation_id": group["id"],
        "person_id": team["han"].id,
        "read_seq": sent["seq"],
    }
    assert await sockets["liu"].event() == expected
    assert await sockets["han"].event() == expected  # the reader's other tabs clear their badge
    await sockets["song"].silent()
    # Reading the same again moves nothing and tells no one.
    await clients["han"].post(f"/api/im/conversations/{group['id']}/read", json={"seq": sent["seq"]})
    await sockets["liu"].silent()


async def test_edit_reaction_and_recall_arrive_as_updates(team, group_chat):
    group, clients, sockets = group_chat
    members = ("liu", "han", "song")
    sent = await send(clients["liu"], group["id"], "初稿")
    for k in members:
        await sockets[k].event()

    async def updates() -> list[dict[str, Any]]:
        events = [await sockets[k].event() for k in members]
        assert {e["type"] for e in events} == {"im.message_updated"}
        assert all(e["message"]["id"] == sent["id"] for e in events)
        return [e["message"] for e in events]

    r = await clients["liu"].patch(f"/api/im/messages/{sent['id']}", json={"body": "定稿"})
    assert r.status_code == 200, r.text
    for m in await updates():
        assert m["body"] == "定稿" and m["edited_at"] is not None

    r = await clients["han"].post(f"/api/im/messages/{sent['id']}/reactions", json={"emoji": "👍"})
    assert r.status_code == 200, r.text
    for m in await updates():
        assert [(x["emoji"], x["count"], x["person_ids"]) for x in m["reactions"]] == [
            ("👍", 1, [team["han"].id])
        ]

    r = await clients["liu"].post(f"/api/im/messages/{sent['id']}/recall")
    assert r.status_code == 200, r.text
    for m in await updates():
        assert m["recalled"] is True and m["body"] == ""
        assert m["recalled_by_name"] == "刘锋"
    await sockets["tao"].silent()


async def test_typing_is_ephemeral_and_takes_no_event_id(team, group_chat, live_server):
    group, clients, sockets = group_chat
    before = {k: s.last_id for k, s in sockets.items()}
    r = await clients["han"].post(f"/api/im/conversations/{group['id']}/typing")
    assert r.status_code == 204, r.text
    typing = {
        "type": "ephemeral",
        "event": {
            "type": "im.typing",
            "conversation_id": group["id"],
            "person_id": team["han"].id,
            "name": "韩雪",
        },
    }
    for k in ("liu", "song"):
        assert await sockets[k].frame() == typing
    await sockets["han"].silent()  # not to the typist
    await sockets["tao"].silent()

    await send(clients["han"], group["id"], "好的")
    for k in ("liu", "han", "song"):
        frame = await sockets[k].frame()
        assert frame["type"] == "event" and frame["event"]["type"] == "im.message"
        assert frame["id"] == before[k] + 1  # the typing frame consumed no number

    # Nor is it replayed: a client resuming from before it gets only the message.
    cookie = f"tongban_session={clients['liu'].cookies['tongban_session']}"
    async with websockets.connect(
        f"ws://{live_server}/api/events?last_event_id={before['liu']}", additional_headers={"Cookie": cookie}
    ) as ws:
        resumed = Socket(ws, before["liu"])
        assert (await resumed.frame())["type"] == "hello"
        assert (await resumed.event())["type"] == "im.message"
        await resumed.silent()
