"""Habit 4: a client that applies the events it receives to its stale state ends up with what a
fresh fetch returns. This is what keeps every open tab's bell right."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from tests.factories import PASSWORD, Org
from tongban.notify.service import notify


def apply(state: dict[str, Any], event: dict[str, Any]) -> None:
    """What the web app does with each notification event (web/src/features/notify)."""
    if event["type"] == "notification.created":
        item = event["notification"]
        state["items"] = [item, *[i for i in state["items"] if i["id"] != item["id"]]]
        if item["read_at"] is None:
            state["unread"] += 1
    elif event["type"] == "notification.read":
        for item in state["items"]:
            if item["read_at"] is None and (event["all"] or item["id"] in event["ids"]):
                item["read_at"] = "read"
        state["unread"] = event["unread_count"]


async def fetch(client) -> dict[str, Any]:
    items = (await client.get("/api/notify/notifications")).json()["items"]
    unread = (await client.get("/api/notify/unread-count")).json()["count"]
    for item in items:  # compare read-or-not, not the exact timestamp
        item["read_at"] = "read" if item["read_at"] else None
    return {"items": items, "unread": unread}


async def test_replayed_events_equal_a_fresh_fetch(org: Org, db, client, as_person, live_server):
    dept = await org.department("大数据中心")
    liu = await org.person("刘锋", dept, username="liufeng")
    tab = await as_person(liu)
    async with db.transaction() as session:
        await notify(session, [liu.id], capability="approvals", title="旧通知")
    stale = await fetch(tab)

    login = await client.post("/api/auth/login", json={"login": "liufeng", "password": PASSWORD})
    ws = await websockets.connect(
        f"ws://{live_server}/api/events",
        additional_headers={"Cookie": f"tongban_session={login.cookies['tongban_session']}"},
    )
    hello = json.loads(await ws.recv())
    assert hello["type"] == "hello"

    created = []
    for title in ("请审批出差申请", "会议提醒", "灾情统计催报"):
        async with db.transaction() as session:
            created += await notify(session, [liu.id], capability="approvals", title=title)
    assert (await tab.post(f"/api/notify/notifications/{created[1].id}/read")).status_code == 204
    async with db.transaction() as session:
        await notify(session, [liu.id], capability="forms", title="新表单", priority="urgent")
    assert (await tab.post("/api/notify/read-all")).status_code == 204
    async with db.transaction() as session:
        await notify(session, [liu.id], capability="im", title="最后一条")

    state = json.loads(json.dumps(stale))
    while True:
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
        except TimeoutError:
            break
        if message["type"] == "event":
            apply(state, message["event"])
    await ws.close()
    fresh = await fetch(tab)
    assert state == fresh
    assert fresh["unread"] == 1
