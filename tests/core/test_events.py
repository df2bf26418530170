"""The event stream: ordered, durable, resumable, refused to strangers."""

from __future__ import annotations

import asyncio
import json
from typing import Literal

import pytest
import websockets
from pydantic import BaseModel
from websockets.exceptions import InvalidStatus

from tests.factories import PASSWORD, Org
from tongban.core.db import Database
from tongban.core.events import publish
from tongban.core.events.service import prune


class Ping(BaseModel):
    type: Literal["test.ping"] = "test.ping"
    n: int


async def _cookie(client, person) -> str:
    r = await client.post("/api/auth/login", json={"login": person.username, "password": PASSWORD})
    assert r.status_code == 200
    return f"tongban_session={r.cookies['tongban_session']}"


async def _connect(
    live_server: str, cookie: str, last_event_id: int | None = None, origin: str | None = None
):
    url = f"ws://{live_server}/api/events"
    if last_event_id is not None:
        url += f"?last_event_id={last_event_id}"
    headers = {"Cookie": cookie}
    return await websockets.connect(url, additional_headers=headers, origin=origin or f"http://{live_server}")


async def _recv(ws, timeout: float = 5.0) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def _emit(db: Database, person_ids: list[int], *numbers: int) -> None:
    async with db.transaction() as session:
        for n in numbers:
            await publish(session, person_ids, Ping(n=n))


@pytest.fixture
async def people(org: Org):
    dept = await org.department("大数据中心")
    return await org.person("刘锋", dept, username="liufeng"), await org.person(
        "韩雪", dept, username="hanxue"
    )


async def test_live_delivery_in_order_and_per_person(people, client, db, live_server):
    liu, han = people
    ws_liu = await _connect(live_server, await _cookie(client, liu))
    ws_han = await _connect(live_server, await _cookie(client, han))
    assert (await _recv(ws_liu)) == {"type": "hello", "last_event_id": 0}
    assert (await _recv(ws_han))["type"] == "hello"
    await _emit(db, [liu.id], 1, 2, 3)
    await _emit(db, [liu.id, han.id], 4)
    got = [await _recv(ws_liu) for _ in range(4)]
    assert [m["id"] for m in got] == [1, 2, 3, 4]
    assert [m["event"]["n"] for m in got] == [1, 2, 3, 4]
    assert await _recv(ws_han) == {"type": "event", "id": 1, "event": {"type": "test.ping", "n": 4}}
    await ws_liu.close()
    await ws_han.close()


async def test_rolled_back_events_are_never_seen(people, client, db, live_server):
    liu, _ = people
    ws = await _connect(live_server, await _cookie(client, liu))
    await _recv(ws)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await publish(session, [liu.id], Ping(n=99))
            raise RuntimeError("abort")
    await _emit(db, [liu.id], 1)
    msg = await _recv(ws)
    assert msg["id"] == 1 and msg["event"]["n"] == 1
    await ws.close()


async def test_resume_gets_exactly_what_was_missed(people, client, db, live_server):
    liu, _ = people
    cookie = await _cookie(client, liu)
    ws = await _connect(live_server, cookie)
    await _recv(ws)
    await _emit(db, [liu.id], 1, 2)
    assert [(await _recv(ws))["id"] for _ in range(2)] == [1, 2]
    await ws.close()
    await _emit(db, [liu.id], 3, 4, 5)  # while disconnected
    ws = await _connect(live_server, cookie, last_event_id=2)
    assert await _recv(ws) == {"type": "hello", "last_event_id": 2}
    await _emit(db, [liu.id], 6)
    got = [await _recv(ws) for _ in range(4)]
    assert [m["id"] for m in got] == [3, 4, 5, 6]
    with pytest.raises(TimeoutError):
        await _recv(ws, timeout=0.3)  # no duplicates
    await ws.close()


async def test_slow_client_overflow_is_recovered_from_the_database(
    people, client, db, live_server, monkeypatch
):
    from tongban.core.events import hub

    monkeypatch.setattr(hub, "QUEUE_LIMIT", 3)
    liu, _ = people
    ws = await _connect(live_server, await _cookie(client, liu))
    await _recv(ws)
    await _emit(db, [liu.id], *range(1, 41))
    ids = [(await _recv(ws))["id"] for _ in range(40)]
    assert ids == list(range(1, 41))
    await ws.close()


async def test_resume_past_retention_asks_for_resync(people, client, db, live_server):
    from tongban.core.db import utcnow

    liu, _ = people
    cookie = await _cookie(client, liu)
    await _emit(db, [liu.id], 1, 2, 3)
    async with db.transaction() as session:
        assert await prune(session, utcnow()) == 3
    ws = await _connect(live_server, cookie, last_event_id=1)
    assert await _recv(ws) == {"type": "resync", "last_event_id": 3}
    await _emit(db, [liu.id], 4)
    assert (await _recv(ws))["id"] == 4
    await ws.close()


async def test_refused_without_session_or_from_foreign_origin(people, client, live_server):
    liu, _ = people
    with pytest.raises(InvalidStatus) as no_session:
        await _connect(live_server, "tongban_session=nope")
    assert no_session.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as foreign:
        await _connect(live_server, await _cookie(client, liu), origin="https://evil.example")
    assert foreign.value.response.status_code == 403


async def test_presence_follows_the_socket(people, client, live_server, as_person):
    liu, han = people
    viewer = await as_person(han)
    ws = await _connect(live_server, await _cookie(client, liu))
    await _recv(ws)
    assert (await viewer.get(f"/api/org/presence?ids={liu.id}")).json() == {str(liu.id): "online"}
    await ws.send(json.dumps({"type": "presence", "status": "idle"}))
    assert await _eventually(
        lambda: viewer.get(f"/api/org/people/{liu.id}"), lambda r: r.json()["presence"] == "away"
    )
    await ws.close()
    assert await _eventually(
        lambda: viewer.get(f"/api/org/presence?ids={liu.id}"), lambda r: r.json() == {str(liu.id): "offline"}
    )


async def _eventually(fetch, check, timeout: float = 5.0) -> bool:
    """Poll until `check(await fetch())` holds: the server handles the socket's frames on its own time."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        if check(await fetch()):
            return True
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)


async def test_a_stored_payload_reads_back_as_the_event(people, db):
    """Payloads are stored from JSON text made once per fan-out: the row must hold the object."""
    liu, han = people
    async with db.transaction() as session:
        await publish(session, [liu.id, han.id], Ping(n=7))
    async with db.transaction(write=False) as session:
        from tongban.core.events.service import fetch_since

        for person in (liu, han):
            (event,) = await fetch_since(session, person.id, 0)
            assert event.payload == {"type": "test.ping", "n": 7}
            assert isinstance(event.payload, dict)
