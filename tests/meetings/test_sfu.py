"""Meetings through the SFU: a real Janus on loopback, three aiortc participants, Tongban relaying
only the SDP over its room socket; and what happens when Janus is not there."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from tests.meetings.conftest import create
from tests.meetings.sfu_support import SfuPeer, janus_running, loopback_aiortc, tone_track, wait_for
from tests.meetings.test_room import join

pytestmark = pytest.mark.integration


@pytest.fixture
def janus(tmp_path, settings, monkeypatch):
    with janus_running(tmp_path) as url:
        monkeypatch.setattr(settings, "meetings_janus_url", url)
        yield url


async def test_three_peers_hear_each_other_through_janus_and_the_host_mutes_all(
    team, live_server, as_person, janus
) -> None:
    loopback_aiortc()
    liu = await as_person(team["liu"])
    meeting = await create(liu, kind="video", large=True, person_ids=[team["nie"].id, team["han"].id])
    assert meeting["large"] is True
    people = {"liu": liu, "nie": await as_person(team["nie"]), "han": await as_person(team["han"])}
    tones = {"liu": 440.0, "nie": 660.0, "han": 880.0}
    peers = {name: SfuPeer(name) for name in people}
    try:
        for name, client in people.items():
            await peers[name].join(
                live_server, dict(client.cookies.items()), meeting["id"], tone_track(tones[name])
            )
            await asyncio.wait_for(peers[name].published.wait(), 15)
        conns = {name: p.conn for name, p in peers.items()}

        def everyone_hears_everyone(minimum: int) -> bool:
            return all(peers[a].frames.get(conns[b], 0) >= minimum for a in peers for b in peers if a != b)

        # 50 frames = a second of each other's tone, decoded.
        await wait_for(lambda: everyone_hears_everyone(50), 30, "everyone to hear everyone")
        for a in peers:
            for b in peers:
                if a != b:
                    assert peers[a].loudness[conns[b]] > 1000, (a, b, peers[a].loudness)
        assert peers["nie"].welcome["recording"] is False

        # The host mutes all: the others are told, and Janus stops forwarding their audio.
        await peers["liu"].send({"type": "host", "action": "mute_all"})
        await peers["nie"].next_of("mute")
        await peers["han"].next_of("mute")
        await asyncio.sleep(1.0)  # what was in flight arrives
        before = {name: dict(p.frames) for name, p in peers.items()}
        await asyncio.sleep(2.0)
        assert peers["han"].frames[conns["nie"]] - before["han"][conns["nie"]] < 10
        assert peers["liu"].frames[conns["han"]] - before["liu"][conns["han"]] < 10
        # The host was not muted: everyone still hears them.
        assert peers["nie"].frames[conns["liu"]] - before["nie"][conns["liu"]] > 50
        # Unmuting themselves lifts the moderation.
        await peers["nie"].send({"type": "state", "muted": False})
        mark = peers["han"].frames[conns["nie"]]
        await wait_for(lambda: peers["han"].frames[conns["nie"]] > mark + 25, 10, "nie heard again")

        # Someone leaves: the others are told their feed is gone.
        await peers["han"].close()
        gone = await peers["liu"].next_of("sfu_gone")
        assert gone["from"] == conns["han"]
    finally:
        for peer in peers.values():
            await peer.close()


async def test_janus_unreachable_host_is_told_admin_sees_why_p2p_still_works(
    team, live_server, as_person, settings, monkeypatch
) -> None:
    from tests.conftest import free_port

    monkeypatch.setattr(settings, "meetings_janus_url", f"http://127.0.0.1:{free_port()}/janus")
    liu = await as_person(team["liu"])
    large = await create(liu, kind="video", large=True, person_ids=[team["nie"].id])
    small = await create(liu, kind="video", person_ids=[team["nie"].id])

    ws, refused = await join(live_server, liu, large["id"])
    assert refused["type"] == "refused" and refused["code"] == "meetings_media_unavailable_host"
    assert "媒体服务器不可用" in refused["message"] and "管理员" in refused["message"]
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await ws.recv()
    assert closed.value.rcvd.code == 4503
    nie = await as_person(team["nie"])
    ws, refused = await join(live_server, nie, large["id"])
    assert refused["code"] == "meetings_media_unavailable"
    await ws.close()

    admin = await as_person(team["admin"])
    status = (await admin.get("/api/meetings/media-server")).json()
    assert status["configured"] is True and status["reachable"] is False
    assert "无法连接媒体服务器" in status["reason"] and status["last_failure"]
    assert (await liu.get("/api/meetings/media-server")).status_code == 403

    # A small meeting runs peer to peer and never needs Janus.
    ws, welcome = await join(live_server, liu, small["id"])
    assert welcome["type"] == "welcome" and welcome["media"] == "p2p"
    await ws.close()


async def test_no_janus_configured_and_ice_servers_in_welcome(
    team, live_server, as_person, settings, monkeypatch
) -> None:
    ice = [{"urls": "turn:turn.example.cn:3478", "username": "u", "credential": "p"}]
    monkeypatch.setattr(settings, "meetings_janus_url", "")
    monkeypatch.setattr(settings, "meetings_ice_servers", ice)
    liu = await as_person(team["liu"])
    small = await create(liu, kind="video")
    ws, welcome = await join(live_server, liu, small["id"])
    assert welcome["ice_servers"] == ice
    await ws.close()
    admin = await as_person(team["admin"])
    status = (await admin.get("/api/meetings/media-server")).json()
    assert status["configured"] is False and status["reason"] == "未配置媒体服务器"
    # Above the size threshold a meeting needs the SFU, which is not configured here.
    monkeypatch.setattr(settings, "meetings_sfu_threshold", 1)
    ws, refused = await join(
        live_server, liu, (await create(liu, kind="video", person_ids=[team["nie"].id]))["id"]
    )
    assert refused["code"] == "meetings_media_unavailable_host"
    assert "未配置媒体服务器" in refused["message"], json.dumps(refused, ensure_ascii=False)
    await ws.close()
