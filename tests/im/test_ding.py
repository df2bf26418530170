"""DING (钉一下): urgent notifications, repeats until acknowledged, and who may DING whom."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.factories import Org
from tongban.core.config import Settings
from tongban.core.db import Database
from tongban.core.events import EventRecord
from tongban.im import ding
from tongban.notify.models import Notification


@pytest.fixture(autouse=True)
def _slow_repeats(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # Repeats queued by these tests must not fire during later tests (ids restart per test).
    monkeypatch.setattr(settings, "im_ding_repeat_minutes", 10_000)


async def _world(org: Org, as_person: Any) -> dict[str, Any]:
    dept = await org.department("县政府办公室")
    people = {n: await org.person(n, dept) for n in ("王建国", "刘锋", "陈静", "赵敏")}
    clients = {n: await as_person(p) for n, p in people.items()}
    sender = clients["王建国"]
    members = [people["刘锋"].id, people["陈静"].id]
    group = await sender.post(
        "/api/im/conversations", json={"kind": "group", "name": "办公室", "member_ids": members}
    )
    assert group.status_code == 200, group.text
    cid = group.json()["id"]
    sent = await sender.post(
        f"/api/im/conversations/{cid}/messages", json={"body": "明早九点开会，请准时到场"}
    )
    assert sent.status_code == 201, sent.text
    return {"people": people, "clients": clients, "cid": cid, "message": sent.json()}


async def _notifications(db: Database, person_id: int) -> list[Notification]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(Notification).where(Notification.person_id == person_id).order_by(Notification.id)
        )
        return list(rows.scalars())


async def _events(db: Database, person_id: int, kind: str) -> list[dict[str, Any]]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(EventRecord.payload)
            .where(EventRecord.person_id == person_id, EventRecord.type == kind)
            .order_by(EventRecord.seq)
        )
        return list(rows.scalars())


async def _ding(w: dict[str, Any], *names: str) -> httpx.Response:
    ids = [w["people"][n].id for n in names]
    return await w["clients"]["王建国"].post(
        f"/api/im/messages/{w['message']['id']}/ding", json={"person_ids": ids}
    )


async def eventually(check: Callable[[], Any], within: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


async def test_ding_notifies_recipients_urgently_and_tells_everyone(
    db: Database, org: Org, as_person: Any
) -> None:
    w = await _world(org, as_person)
    response = await _ding(w, "刘锋", "陈静")
    assert response.status_code == 201, response.text
    read = response.json()
    assert read["sender"]["name"] == "王建国"
    assert read["excerpt"] == "明早九点开会，请准时到场"
    assert read["conversation_id"] == w["cid"] and read["message_id"] == w["message"]["id"]
    assert [(r["name"], r["acknowledged_at"]) for r in read["recipients"]] == [("刘锋", None), ("陈静", None)]
    for name in ("刘锋", "陈静"):
        (n,) = await _notifications(db, w["people"][name].id)
        assert (n.priority, n.capability, n.body) == ("urgent", "im", "明早九点开会，请准时到场")
        assert n.link == f"/im/{w['cid']}?seq={w['message']['seq']}"
        (event,) = await _events(db, w["people"][name].id, "im.ding")
        assert event["ding"]["id"] == read["id"]
    assert await _notifications(db, w["people"]["王建国"].id) == []
    assert len(await _events(db, w["people"]["王建国"].id, "im.ding")) == 1


async def test_repeat_renotifies_only_those_who_have_not_acknowledged(
    db: Database, org: Org, as_person: Any
) -> None:
    w = await _world(org, as_person)
    ding_id = (await _ding(w, "刘锋", "陈静")).json()["id"]
    assert (await w["clients"]["刘锋"].post(f"/api/im/dings/{ding_id}/ack")).status_code == 200

    async with db.transaction() as session:
        assert await ding.repeat(session, ding_id, 1, 10_000) is True
    async with db.transaction() as session:  # the same run delivered twice does nothing
        assert await ding.repeat(session, ding_id, 1, 10_000) is False
    assert len(await _notifications(db, w["people"]["刘锋"].id)) == 1
    chen = await _notifications(db, w["people"]["陈静"].id)
    assert [n.priority for n in chen] == ["urgent", "urgent"]

    assert (await w["clients"]["陈静"].post(f"/api/im/dings/{ding_id}/ack")).status_code == 200
    async with db.transaction() as session:
        assert await ding.repeat(session, ding_id, 2, 10_000) is False
    assert len(await _notifications(db, w["people"]["陈静"].id)) == 2


async def test_repeats_stop_after_twelve(db: Database, org: Org, as_person: Any) -> None:
    w = await _world(org, as_person)
    ding_id = (await _ding(w, "陈静")).json()["id"]
    for number in range(1, ding.MAX_REPEATS + 1):
        async with db.transaction() as session:
            queued = await ding.repeat(session, ding_id, number, 10_000)
        assert queued is (number < ding.MAX_REPEATS)
    async with db.transaction() as session:
        assert await ding.repeat(session, ding_id, ding.MAX_REPEATS + 1, 10_000) is False
    assert len(await _notifications(db, w["people"]["陈静"].id)) == 1 + ding.MAX_REPEATS
    # and the last queued run is a no-op: ack so nothing lingers
    await w["clients"]["陈静"].post(f"/api/im/dings/{ding_id}/ack")


async def test_the_worker_repeats_until_acknowledged(
    db: Database, org: Org, as_person: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "im_ding_repeat_minutes", 0.005)  # 0.3 s
    w = await _world(org, as_person)
    ding_id = (await _ding(w, "刘锋", "陈静")).json()["id"]
    await w["clients"]["刘锋"].post(f"/api/im/dings/{ding_id}/ack")
    chen, liu = w["people"]["陈静"].id, w["people"]["刘锋"].id

    async def repeated() -> bool:
        return len(await _notifications(db, chen)) >= 3

    await eventually(repeated)
    assert len(await _notifications(db, liu)) == 1
    assert (await w["clients"]["陈静"].post(f"/api/im/dings/{ding_id}/ack")).status_code == 200
    await asyncio.sleep(0.5)  # a run that began before the ack may still finish
    settled = len(await _notifications(db, chen))
    await asyncio.sleep(1.2)
    assert len(await _notifications(db, chen)) == settled


async def test_sender_sees_who_acknowledged(db: Database, org: Org, as_person: Any) -> None:
    w = await _world(org, as_person)
    ding_id = (await _ding(w, "刘锋", "陈静")).json()["id"]
    liu, chen, sender = (w["clients"][n] for n in ("刘锋", "陈静", "王建国"))
    assert [d["id"] for d in (await chen.get("/api/im/dings?pending=true")).json()] == [ding_id]

    acked = await liu.post(f"/api/im/dings/{ding_id}/ack")
    assert acked.status_code == 200
    again = await liu.post(f"/api/im/dings/{ding_id}/ack")  # acknowledging twice is fine
    assert again.json() == acked.json()

    state = (await sender.get(f"/api/im/dings/{ding_id}")).json()
    by_name = {r["name"]: r["acknowledged_at"] for r in state["recipients"]}
    assert by_name["刘锋"] is not None and by_name["陈静"] is None
    events = await _events(db, w["people"]["王建国"].id, "im.ding")
    assert len(events) == 2 and events[-1]["ding"] == state

    assert (await liu.get("/api/im/dings?pending=true")).json() == []
    assert [d["id"] for d in (await liu.get("/api/im/dings")).json()] == [ding_id]
    assert [d["id"] for d in (await chen.get("/api/im/dings?pending=true")).json()] == [ding_id]
    assert (await sender.post(f"/api/im/dings/{ding_id}/ack")).status_code == 404  # not a recipient
    zhao = w["clients"]["赵敏"]
    assert (await zhao.get(f"/api/im/dings/{ding_id}")).status_code == 404
    assert (await zhao.post(f"/api/im/dings/{ding_id}/ack")).status_code == 404


async def test_only_members_ding_and_only_members_are_dinged(db: Database, org: Org, as_person: Any) -> None:
    w = await _world(org, as_person)
    outsider = w["clients"]["赵敏"]
    url = f"/api/im/messages/{w['message']['id']}/ding"
    refused = await outsider.post(url, json={"person_ids": [w["people"]["刘锋"].id]})
    assert refused.status_code == 403 and refused.json()["code"] == "im_not_member"

    stranger = await _ding(w, "赵敏")
    assert stranger.status_code == 422
    assert [f["field"] for f in stranger.json()["fields"]] == ["body.person_ids"]
    myself = await _ding(w, "王建国")
    assert myself.status_code == 422
    assert [f["field"] for f in myself.json()["fields"]] == ["body.person_ids"]
    empty = await w["clients"]["王建国"].post(url, json={"person_ids": []})
    assert empty.status_code == 422
    async with db.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Notification)) == 0
