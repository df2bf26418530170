"""Scaled-out mode for real: two `tongban serve` processes sharing PostgreSQL and Redis.

A WebSocket on process A sees an event caused through process B; after A is killed, the client
resumes on B with its last id and gets exactly what it missed.
"""

from __future__ import annotations

import asyncio
import json
import signal

import pytest
import websockets

from tests.integration.conftest import sign_in

pytestmark = pytest.mark.integration


async def _recv(ws, timeout: float = 10.0) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def test_event_caused_on_b_reaches_a_then_resume_on_b_after_a_dies(cluster):
    procs, urls = cluster
    liu_a = await sign_in(urls["A"], "liufeng")
    admin_b = await sign_in(urls["B"], "admin")
    me = (await liu_a.get("/api/me")).json()
    cookie = f"tongban_session={liu_a.cookies['tongban_session']}"

    ws = await websockets.connect(f"ws://{urls['A']}/api/events", additional_headers={"Cookie": cookie})
    hello = await _recv(ws)
    assert hello["type"] == "hello"
    start = hello["last_event_id"]

    r = await admin_b.patch(f"/api/org/people/{me['id']}", json={"title": "首席架构师"})
    assert r.status_code == 200, r.text
    first = await _recv(ws)
    assert first["id"] == start + 1
    assert first["event"] == {"type": "org.changed", "person_ids": [me["id"]], "department_ids": []}

    procs["A"].send_signal(signal.SIGKILL)
    procs["A"].wait()
    with pytest.raises(websockets.ConnectionClosed):
        await _recv(ws)

    for title in ("架构师", "系统架构师"):
        r = await admin_b.patch(f"/api/org/people/{me['id']}", json={"title": title})
        assert r.status_code == 200, r.text

    ws_b = await websockets.connect(
        f"ws://{urls['B']}/api/events?last_event_id={first['id']}", additional_headers={"Cookie": cookie}
    )
    assert (await _recv(ws_b)) == {"type": "hello", "last_event_id": first["id"]}
    missed = [await _recv(ws_b), await _recv(ws_b)]
    assert [m["id"] for m in missed] == [start + 2, start + 3]
    with pytest.raises(TimeoutError):
        await _recv(ws_b, timeout=0.5)

    # Live again, through B's own Redis subscription.
    r = await admin_b.patch(f"/api/org/people/{me['id']}", json={"title": "刘工"})
    assert r.status_code == 200
    assert (await _recv(ws_b))["id"] == start + 4
    await ws_b.close()
    await liu_a.aclose()
    await admin_b.aclose()
