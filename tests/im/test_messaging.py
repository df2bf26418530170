"""Conversations and messages through the API: the rules users rely on."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from tests.im.conftest import cid, send
from tongban.core.db import utcnow
from tongban.im.models import Message


async def test_direct_chat_is_one_per_pair_and_private(team, as_person):
    liu, han, tao = await as_person(team["liu"]), await as_person(team["han"]), await as_person(team["tao"])
    first = (
        await liu.post("/api/im/conversations", json={"kind": "direct", "person_id": team["han"].id})
    ).json()
    again = (
        await han.post("/api/im/conversations", json={"kind": "direct", "person_id": team["liu"].id})
    ).json()
    assert first["id"] == again["id"]
    assert first["name"] == "韩雪" and again["name"] == "刘锋"
    await send(liu, first["id"], "你好")
    # An outsider learns nothing: same 403 for this conversation and for one that does not exist.
    for conversation_id in (first["id"], 999999):
        for r in (
            await tao.get(f"/api/im/conversations/{conversation_id}/messages"),
            await tao.post(f"/api/im/conversations/{conversation_id}/messages", json={"body": "x"}),
            await tao.get(f"/api/im/conversations/{conversation_id}"),
        ):
            assert r.status_code == 403
            assert r.json()["code"] == "im_not_member"
    assert (await tao.get("/api/im/conversations")).json() == []


async def test_send_list_unread_and_read_receipts_in_a_group(team, as_person):
    liu, han, song = [await as_person(team[k]) for k in ("liu", "han", "song")]
    group = (
        await liu.post(
            "/api/im/conversations",
            json={"kind": "group", "name": "项目组", "member_ids": [team["han"].id, team["song"].id]},
        )
    ).json()
    assert group["my_role"] == "owner" and group["member_count"] == 3
    m1 = await send(liu, group["id"], "**周五** 开会")
    m2 = await send(liu, group["id"], f"请 <@{team['han'].id}> 准备材料")
    assert m2["mentions"] == [team["han"].id]
    assert m1["unread_count"] == 2  # nobody else has read it yet

    listing = {c["id"]: c for c in (await han.get("/api/im/conversations")).json()}
    assert listing[group["id"]]["unread_count"] == 2
    assert listing[group["id"]]["mention_count"] == 1
    assert listing[group["id"]]["last_message"]["body"].startswith("请")

    # 韩雪 reads up to m1 only: m1 has one unread (宋杰), m2 two.
    state = (await han.post(f"/api/im/conversations/{group['id']}/read", json={"seq": m1["seq"]})).json()
    assert state == {"read_seq": m1["seq"], "unread_count": 1}
    page = (await liu.get(f"/api/im/conversations/{group['id']}/messages")).json()
    assert [(m["seq"], m["unread_count"]) for m in page["items"]] == [(m1["seq"], 1), (m2["seq"], 2)]
    receipts = (await liu.get(f"/api/im/messages/{m1['id']}/receipts")).json()
    assert [p["name"] for p in receipts["read"]] == ["韩雪"]
    assert [p["name"] for p in receipts["unread"]] == ["宋杰"]
    # Read markers never move back.
    assert (await han.post(f"/api/im/conversations/{group['id']}/read", json={"seq": 0})).json()[
        "read_seq"
    ] == m1["seq"]
    # Others see unread_count only on their own messages.
    assert all(
        m["unread_count"] is None
        for m in (await song.get(f"/api/im/conversations/{group['id']}/messages")).json()["items"]
    )


async def test_same_client_message_id_gives_one_message(team, as_person):
    liu = await as_person(team["liu"])
    chat = (
        await liu.post("/api/im/conversations", json={"kind": "direct", "person_id": team["han"].id})
    ).json()
    body = {"client_msg_id": cid(), "body": "只发一次"}
    first = await liu.post(f"/api/im/conversations/{chat['id']}/messages", json=body)
    second = await liu.post(f"/api/im/conversations/{chat['id']}/messages", json=body)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert len((await liu.get(f"/api/im/conversations/{chat['id']}/messages")).json()["items"]) == 1


async def test_bad_messages_get_clear_errors(team, as_person):
    liu = await as_person(team["liu"])
    chat = (
        await liu.post("/api/im/conversations", json={"kind": "direct", "person_id": team["han"].id})
    ).json()
    url = f"/api/im/conversations/{chat['id']}/messages"
    empty = await liu.post(url, json={"body": "   "}, headers={"Accept-Language": "en-US"})
    assert empty.status_code == 422
    assert empty.json()["fields"] == [
        {"field": "body.body", "code": "field.im_empty_message", "message": "must not be empty"}
    ]
    too_long = await liu.post(url, json={"body": "字" * 10_001})
    assert too_long.status_code == 422 and too_long.json()["fields"][0]["field"] == "body.body"
    assert (await liu.post(url, json={"body": "字" * 10_000})).status_code == 201


async def test_html_is_stored_as_text(team, as_person):
    liu = await as_person(team["liu"])
    chat = (
        await liu.post("/api/im/conversations", json={"kind": "direct", "person_id": team["han"].id})
    ).json()
    payload = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    sent = await send(liu, chat["id"], payload)
    assert sent["body"] == payload  # kept verbatim; the client renders it as text


async def test_edit_recall_window_and_admin_recall(team, as_person, db):
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    group = (
        await liu.post(
            "/api/im/conversations", json={"kind": "group", "name": "组", "member_ids": [team["han"].id]}
        )
    ).json()
    mine = await send(han, group["id"], "原文")
    edited = (await han.patch(f"/api/im/messages/{mine['id']}", json={"body": "改过"})).json()
    assert edited["body"] == "改过" and edited["edited_at"]
    assert (await liu.patch(f"/api/im/messages/{mine['id']}", json={"body": "x"})).status_code == 403

    old = await send(han, group["id"], "三分钟前")
    async with db.transaction() as session:
        await session.execute(
            update(Message)
            .where(Message.id == old["id"])
            .values(created_at=utcnow() - dt.timedelta(minutes=3))
        )
    late = await han.post(f"/api/im/messages/{old['id']}/recall", headers={"Accept-Language": "en-US"})
    assert late.status_code == 422
    assert late.json() == {
        "code": "im_recall_window_passed",
        "message": "Messages older than 2 minutes cannot be recalled",
    }
    # The group owner may recall others' messages at any time; it is gone for everyone.
    recalled = (await liu.post(f"/api/im/messages/{old['id']}/recall")).json()
    assert recalled["recalled"] and recalled["body"] == "" and recalled["recalled_by_name"] == "刘锋"
    seen_by_han = (await han.get(f"/api/im/conversations/{group['id']}/messages")).json()["items"]
    assert [m["body"] for m in seen_by_han if m["id"] == old["id"]] == [""]
    fresh = await send(han, group["id"], "刚发的")
    assert (await han.post(f"/api/im/messages/{fresh['id']}/recall")).json()["recalled"]


async def test_reactions_pins_replies_threads_forward(team, as_person):
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    group = (
        await liu.post(
            "/api/im/conversations", json={"kind": "group", "name": "组", "member_ids": [team["han"].id]}
        )
    ).json()
    root = await send(liu, group["id"], "方案讨论")
    reacted = (await han.post(f"/api/im/messages/{root['id']}/reactions", json={"emoji": "👍"})).json()
    assert reacted["reactions"] == [{"emoji": "👍", "count": 1, "mine": True, "person_ids": [team["han"].id]}]
    again = (await han.post(f"/api/im/messages/{root['id']}/reactions", json={"emoji": "👍"})).json()
    assert again["reactions"] == []
    assert (await han.post(f"/api/im/messages/{root['id']}/pin")).json()["pinned"]
    assert [m["id"] for m in (await liu.get(f"/api/im/conversations/{group['id']}/pins")).json()] == [
        root["id"]
    ]

    reply = await send(han, group["id"], "同意", reply_to_id=root["id"])
    assert reply["reply_to"]["excerpt"] == "方案讨论"
    in_thread = await send(han, group["id"], "细节在这里", thread_root_id=root["id"])
    timeline = (await liu.get(f"/api/im/conversations/{group['id']}/messages")).json()["items"]
    assert in_thread["id"] not in [m["id"] for m in timeline]  # thread replies stay in the thread
    assert next(m for m in timeline if m["id"] == root["id"])["thread_reply_count"] == 1
    thread = (await liu.get(f"/api/im/messages/{root['id']}/thread")).json()
    assert [m["body"] for m in thread["items"]] == ["细节在这里"]

    other = (
        await liu.post("/api/im/conversations", json={"kind": "direct", "person_id": team["song"].id})
    ).json()
    forwarded = (
        await liu.post(f"/api/im/messages/{root['id']}/forward", json={"conversation_ids": [other["id"]]})
    ).json()
    assert forwarded[0]["body"] == "方案讨论" and forwarded[0]["conversation_id"] == other["id"]
    # Forwarding into a conversation one is not in is refused.
    tao_chat = (
        await han.post("/api/im/conversations", json={"kind": "direct", "person_id": team["tao"].id})
    ).json()
    assert (
        await liu.post(f"/api/im/messages/{root['id']}/forward", json={"conversation_ids": [tao_chat["id"]]})
    ).status_code == 403


async def test_at_all_only_for_admins_in_big_groups(team, org, as_person):
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    many = [await org.person(f"成员{i}", team["bigdata"]) for i in range(50)]
    group = (
        await liu.post(
            "/api/im/conversations",
            json={"kind": "group", "name": "大群", "member_ids": [team["han"].id, *(p.id for p in many)]},
        )
    ).json()
    assert group["member_count"] == 52
    refused = await han.post(f"/api/im/conversations/{group['id']}/messages", json={"body": "<@all> 开会"})
    assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "body.body"
    ok = await send(liu, group["id"], "<@all> 开会")
    assert ok["mentions_all"]
    assert {c["id"]: c for c in (await han.get("/api/im/conversations")).json()}[group["id"]][
        "mention_count"
    ] == 1


async def test_department_group_follows_the_org_chart(team, org, as_person):
    song, admin_client = (
        await as_person(team["song"]),
        await as_person(await org.person("管理员", team["root"], role="org_admin")),
    )
    group = (
        await song.post("/api/im/conversations/department", json={"department_id": team["bigdata"].id})
    ).json()
    assert group["kind"] == "department" and group["name"] == "大数据中心" and group["member_count"] == 3
    # A member of 大数据中心 cannot make a group of 农业农村局.
    assert (
        await song.post("/api/im/conversations/department", json={"department_id": team["farm"].id})
    ).status_code == 403
    newcomer = await admin_client.post(
        "/api/org/people",
        json={"name": "新同事", "username": "newbie", "department_ids": [team["bigdata"].id]},
    )
    assert newcomer.status_code == 201
    assert (await song.get(f"/api/im/conversations/{group['id']}")).json()["member_count"] == 4
    moved = await admin_client.patch(
        f"/api/org/people/{team['han'].id}", json={"department_ids": [team["farm"].id]}
    )
    assert moved.status_code == 200
    members = (await song.get(f"/api/im/conversations/{group['id']}/members")).json()
    assert sorted(m["name"] for m in members) == sorted(["刘锋", "宋杰", "新同事"])
    han = await as_person(team["han"])
    assert (await han.get(f"/api/im/conversations/{group['id']}/messages")).status_code == 403


async def test_late_joiner_sees_only_new_messages(team, as_person):
    liu, song = await as_person(team["liu"]), await as_person(team["song"])
    group = (
        await liu.post(
            "/api/im/conversations", json={"kind": "group", "name": "组", "member_ids": [team["han"].id]}
        )
    ).json()
    await send(liu, group["id"], "加入前")
    assert (
        await liu.post(f"/api/im/conversations/{group['id']}/members", json={"person_ids": [team["song"].id]})
    ).status_code == 204
    await send(liu, group["id"], "加入后")
    assert [
        m["body"] for m in (await song.get(f"/api/im/conversations/{group['id']}/messages")).json()["items"]
    ] == ["加入后"]


async def test_history_pages_back_without_gaps(team, as_person):
    liu = await as_person(team["liu"])
    chat = (
        await liu.post("/api/im/conversations", json={"kind": "direct", "person_id": team["han"].id})
    ).json()
    for i in range(25):
        await send(liu, chat["id"], f"消息 {i}")
    seen, before = [], None
    while True:
        params = {"limit": 10} | ({"before_seq": before} if before else {})
        page = (await liu.get(f"/api/im/conversations/{chat['id']}/messages", params=params)).json()
        seen = [m["body"] for m in page["items"]] + seen
        if not page["has_more_before"]:
            break
        before = page["items"][0]["seq"]
    assert seen == [f"消息 {i}" for i in range(25)]
    around = (
        await liu.get(f"/api/im/conversations/{chat['id']}/messages", params={"around_seq": 12, "limit": 6})
    ).json()
    assert [m["seq"] for m in around["items"]] == [10, 11, 12, 13, 14, 15]
