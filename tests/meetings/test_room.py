"""The video room's signalling socket: who may enter, relaying offers, chat, host controls,
and the attendance it leaves behind."""

from __future__ import annotations

import json

import pytest
import websockets

from tests.meetings.conftest import create


def cookie_header(client) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items())}


async def join(live_server, client, meeting_id, origin=None):
    headers = {**cookie_header(client), "Origin": origin or f"http://{live_server}"}
    ws = await websockets.connect(
        f"ws://{live_server}/api/meetings/{meeting_id}/room", additional_headers=headers
    )
    return ws, json.loads(await ws.recv())


async def next_of(ws, kind):
    while True:
        frame = json.loads(await ws.recv())
        if frame["type"] == kind:
            return frame


async def test_two_peers_signal_chat_and_host_controls(team, live_server, as_person) -> None:
    liu = await as_person(team["liu"])
    meeting = await create(liu, kind="video", person_ids=[team["nie"].id, team["han"].id])
    found = await liu.get(f"/api/meetings/by-number/{meeting['number']}")
    assert found.status_code == 200 and found.json()["id"] == meeting["id"]
    nie = await as_person(team["nie"])

    host_ws, welcome = await join(live_server, liu, meeting["id"])
    assert welcome["type"] == "welcome" and welcome["host"] and welcome["peers"] == []
    assert {i["name"] for i in welcome["invitees"]} == {"刘锋", "聂荣成", "韩雪"}
    nie_ws, hello = await join(live_server, nie, meeting["id"])
    assert [p["name"] for p in hello["peers"]] == ["刘锋"] and not hello["host"]
    joined = await next_of(host_ws, "joined")
    assert joined["peer"]["name"] == "聂荣成"

    await nie_ws.send(json.dumps({"type": "signal", "to": welcome["you"], "data": {"sdp": "offer"}}))
    relayed = await next_of(host_ws, "signal")
    assert relayed == {"type": "signal", "from": hello["you"], "data": {"sdp": "offer"}}
    await nie_ws.send(json.dumps({"type": "state", "hand": True}))
    assert (await next_of(host_ws, "state"))["peer"]["hand"] is True
    await nie_ws.send(json.dumps({"type": "chat", "body": "能听到吗"}))
    assert (await next_of(host_ws, "chat"))["message"]["body"] == "能听到吗"
    # A non-host's host command is ignored; the host's mute-all reaches everyone else.
    await nie_ws.send(json.dumps({"type": "host", "action": "lock"}))
    await host_ws.send(json.dumps({"type": "host", "action": "mute_all"}))
    assert (await next_of(nie_ws, "mute")) == {"type": "mute"}

    await host_ws.send(json.dumps({"type": "host", "action": "lock"}))
    assert (await next_of(nie_ws, "locked"))["locked"] is True
    han = await as_person(team["han"])
    han_ws, refused = await join(live_server, han, meeting["id"])
    assert refused["type"] == "refused" and refused["code"] == "meetings_room_locked"
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await han_ws.recv()
    assert closed.value.rcvd.code == 4409

    await host_ws.send(json.dumps({"type": "host", "action": "remove", "target": hello["you"]}))
    assert (await next_of(nie_ws, "removed")) == {"type": "removed"}
    await host_ws.send(json.dumps({"type": "host", "action": "end"}))
    await host_ws.close()
    await nie_ws.close()
    again_ws, ended = await join(live_server, nie, meeting["id"])
    assert ended["code"] == "meetings_room_ended" and ended["message"] == "会议已结束"
    await again_ws.close()

    att = (await liu.get(f"/api/meetings/{meeting['id']}/attendance")).json()
    # Who came into the room (not counting the organiser) and who never did.
    town_b = next(g for g in att["by_department"] if g["department"] == "柏杨坝镇")
    assert [p["name"] for p in town_b["missing"]] == ["韩雪"]
    assert any(a["name"] == "聂荣成" for a in att["attendees"])


async def test_strangers_and_bad_origins_are_refused(team, live_server, as_person) -> None:
    liu = await as_person(team["liu"])
    meeting = await create(liu, kind="video", invite_only=True, person_ids=[team["nie"].id])
    tao = await as_person(team["tao"])
    ws, refused = await join(live_server, tao, meeting["id"])
    assert refused["code"] == "meetings_room_invite_only"
    await ws.close()
    nie = await as_person(team["nie"])
    with pytest.raises(websockets.InvalidStatus):
        await join(live_server, nie, meeting["id"], origin="http://evil.example")
