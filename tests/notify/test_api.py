"""`/api/notify`: the caller's inbox, read marks, settings, and their 422s in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import Org
from tongban.core.db import Database
from tongban.core.events import EventRecord
from tongban.notify import service
from tongban.org.models import Person


async def send(db: Database, person: Person, count: int = 1, **fields: Any) -> list[int]:
    ids = []
    async with db.transaction() as session:
        for i in range(count):
            sent = await service.notify(
                session,
                [person.id],
                capability=fields.get("capability", "approvals"),
                title=fields.get("title", f"通知 {i + 1}"),
                body="请尽快处理",
                link=f"/approvals/{i + 1}",
            )
            ids.append(sent[0].id)
    return ids


async def stream_types(db: Database, person: Person) -> list[dict[str, Any]]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(EventRecord.payload).where(EventRecord.person_id == person.id).order_by(EventRecord.seq)
        )
        return list(rows.scalars())


@pytest.fixture
async def people(org: Org) -> tuple[Person, Person]:
    dept = await org.department("县政府办公室")
    return await org.person("王建国", dept), await org.person("刘锋", dept)


async def test_inbox_lists_newest_first_with_unread_count(
    db: Database, people: tuple[Person, Person], as_person: Any
) -> None:
    me, other = people
    ids = await send(db, me, 3)
    await send(db, other, 1)
    client = await as_person(me)
    page = (await client.get("/api/notify/notifications")).json()
    assert [n["id"] for n in page["items"]] == ids[::-1]
    assert page["next_cursor"] is None
    first = page["items"][0]
    assert set(first) == {"id", "capability", "title", "body", "link", "priority", "read_at", "created_at"}
    assert (first["title"], first["link"], first["priority"], first["read_at"]) == (
        "通知 3",
        "/approvals/3",
        "normal",
        None,
    )
    assert (await client.get("/api/notify/unread-count")).json() == {"count": 3}


async def test_cursor_pagination_walks_every_notification_once(
    db: Database, people: tuple[Person, Person], as_person: Any
) -> None:
    me, _ = people
    ids = await send(db, me, 5)
    client = await as_person(me)
    seen: list[int] = []
    cursor = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/notify/notifications", params=params)).json()
        seen += [n["id"] for n in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
    bad = await client.get("/api/notify/notifications", params={"cursor": "!!not-a-cursor"})
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "query.cursor"


async def test_mark_read_and_read_all_update_the_count_and_tell_other_tabs(
    db: Database, people: tuple[Person, Person], as_person: Any
) -> None:
    me, _ = people
    ids = await send(db, me, 3)
    client = await as_person(me)
    response = await client.post(f"/api/notify/notifications/{ids[0]}/read")
    assert response.status_code == 204
    assert (await client.post(f"/api/notify/notifications/{ids[0]}/read")).status_code == 204  # again: fine
    assert (await client.get("/api/notify/unread-count")).json() == {"count": 2}
    unread = (await client.get("/api/notify/notifications", params={"unread_only": "true"})).json()
    assert [n["id"] for n in unread["items"]] == [ids[2], ids[1]]
    assert (await client.post("/api/notify/read-all")).status_code == 204
    assert (await client.get("/api/notify/unread-count")).json() == {"count": 0}
    page = (await client.get("/api/notify/notifications")).json()
    assert all(n["read_at"] is not None for n in page["items"])
    read_events = [e for e in await stream_types(db, me) if e["type"] == "notification.read"]
    assert read_events == [
        {"type": "notification.read", "ids": [ids[0]], "all": False, "unread_count": 2},
        {"type": "notification.read", "ids": [], "all": True, "unread_count": 0},
    ]


async def test_someone_elses_notification_is_not_found(
    db: Database, people: tuple[Person, Person], as_person: Any
) -> None:
    me, other = people
    (theirs,) = await send(db, other, 1)
    client = await as_person(me)
    response = await client.post(f"/api/notify/notifications/{theirs}/read")
    assert response.status_code == 404
    assert response.json()["code"] == "notification_not_found"
    assert (await client.get("/api/notify/notifications")).json()["items"] == []
    assert (await client.post("/api/notify/read-all")).status_code == 204
    owner = await as_person(other)
    assert (await owner.get("/api/notify/unread-count")).json() == {"count": 1}


async def test_inbox_needs_a_signed_in_caller(client: Any) -> None:
    assert (await client.get("/api/notify/notifications")).status_code == 401
    assert (await client.get("/api/notify/unread-count")).status_code == 401


async def test_settings_round_trip_and_stream(
    db: Database, people: tuple[Person, Person], as_person: Any
) -> None:
    me, _ = people
    client = await as_person(me)
    assert (await client.get("/api/notify/settings")).json() == {
        "muted_capabilities": [],
        "quiet_hours_start": None,
        "quiet_hours_end": None,
    }
    body = {
        "muted_capabilities": ["forms", "okr", "forms"],
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "07:30",
    }
    response = await client.put("/api/notify/settings", json=body)
    assert response.status_code == 200, response.text
    expected = {
        "muted_capabilities": ["forms", "okr"],
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "07:30",
    }
    assert response.json() == expected
    assert (await client.get("/api/notify/settings")).json() == expected
    cleared = await client.put("/api/notify/settings", json={"muted_capabilities": []})
    assert cleared.json() == {"muted_capabilities": [], "quiet_hours_start": None, "quiet_hours_end": None}
    changes = [e for e in await stream_types(db, me) if e["type"] == "notification.settings_changed"]
    assert [c["settings"] for c in changes] == [expected, cleared.json()]


@pytest.mark.parametrize(
    ("language", "body", "field", "message"),
    [
        (
            "zh-CN",
            {"quiet_hours_start": "25:00", "quiet_hours_end": "07:00"},
            "body.quiet_hours_start",
            "应为 HH:MM 格式的时间，如 22:00",
        ),
        (
            "en-US",
            {"quiet_hours_start": "22:00", "quiet_hours_end": "7pm"},
            "body.quiet_hours_end",
            "must be a time as HH:MM, e.g. 22:00",
        ),
        (
            "zh-CN",
            {"quiet_hours_start": "22:00"},
            "body.quiet_hours_end",
            "免打扰的开始和结束时间需要同时设置",
        ),
        (
            "en-US",
            {"quiet_hours_end": "07:00"},
            "body.quiet_hours_start",
            "must be set together with the other end of quiet hours",
        ),
        (
            "en-US",
            {"quiet_hours_start": "22:00", "quiet_hours_end": "22:00"},
            "body.quiet_hours_end",
            "must differ from the start time",
        ),
        ("zh-CN", {"muted_capabilities": ["Not A Capability"]}, "body.muted_capabilities.0", "格式不正确"),
    ],
)
async def test_bad_settings_are_422_with_the_field_named_in_the_callers_language(
    people: tuple[Person, Person],
    as_person: Any,
    language: str,
    body: dict[str, Any],
    field: str,
    message: str,
) -> None:
    me, _ = people
    client = await as_person(me)
    response = await client.put("/api/notify/settings", json=body, headers={"Accept-Language": language})
    assert response.status_code == 422, response.text
    fields = response.json()["fields"]
    assert [(f["field"], f["message"]) for f in fields] == [(field, message)]
