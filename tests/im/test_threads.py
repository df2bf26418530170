"""Threads keep their own unread state: replies by others since one last had the thread open."""

from __future__ import annotations

from tests.im.conftest import send


async def test_thread_unread_counts_others_replies_until_opened(team, as_person):
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    group = (
        await liu.post(
            "/api/im/conversations",
            json={"kind": "group", "name": "讨论组", "member_ids": [team["han"].id, team["song"].id]},
        )
    ).json()
    url = f"/api/im/conversations/{group['id']}/messages"
    root = await send(liu, group["id"], "方案讨论")
    assert root["thread_unread"] is None  # no thread yet

    async def unread(client) -> int | None:
        items = (await client.get(url)).json()["items"]
        return next(m for m in items if m["id"] == root["id"])["thread_unread"]

    await send(han, group["id"], "我觉得可以", thread_root_id=root["id"])
    reply = await send(han, group["id"], "补充一点", thread_root_id=root["id"])
    assert await unread(liu) == 2
    assert await unread(han) == 0  # her own replies are not news to her

    # 刘锋 opens the thread: nothing unread; he answers, which is not news to him either.
    thread = (await liu.get(f"/api/im/messages/{root['id']}/thread")).json()
    assert [m["id"] for m in thread["items"]][-1] == reply["id"]
    r = await liu.post(f"/api/im/messages/{root['id']}/thread/read", json={"seq": reply["seq"]})
    assert r.status_code == 204
    assert await unread(liu) == 0
    await send(liu, group["id"], "好的", thread_root_id=root["id"])
    assert await unread(liu) == 0
    assert await unread(han) == 1

    # Another member who never opened it sees every reply as new.
    song = await as_person(team["song"])
    assert await unread(song) == 3
