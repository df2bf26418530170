"""Documents across two server processes (PostgreSQL + Redis): editors whose sockets land on
different processes see each other's edits and cursors; a late joiner on either sees everything."""

from __future__ import annotations

import asyncio

import pytest

from tests.docs.yclient import YClient, awareness_frame
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.integration


async def _open(url: str, client, doc_id: int) -> YClient:
    cookie = f"tongban_session={client.cookies['tongban_session']}"
    y = await YClient.connect(f"ws://{url}/api/docs/ws/{doc_id}", cookie, f"http://{url}")
    await asyncio.wait_for(y.synced.wait(), 10)
    return y


async def test_editors_on_two_processes_converge(cluster) -> None:
    _procs, urls = cluster
    liu = await sign_in(urls["A"], "liufeng")
    han = await sign_in(urls["B"], "hanxue")
    try:
        doc = (await liu.post("/api/docs", json={"title": "跨进程"})).json()
        me = (await han.get("/api/me")).json()
        r = await liu.post(f"/api/docs/{doc['id']}/access", json={"role": "editor", "person_id": me["id"]})
        assert r.status_code == 200, r.text
        a = await _open(urls["A"], liu, doc["id"])
        b = await _open(urls["B"], han, doc["id"])
        await a.send_raw(awareness_frame(9001, 1, {"user": {"name": "刘锋"}}))
        await b.wait(lambda: (b.awareness.get(9001) or {}).get("user", {}).get("name") == "刘锋")
        a.text += "A进程;"
        await b.wait(lambda: "A进程;" in str(b.text))
        for i in range(40):
            (a if i % 2 else b).text.insert(0, f"{i},")
        await a.wait(lambda: str(a.text).count(",") == 40)
        await b.wait(lambda: str(b.text) == str(a.text))
        # A late joiner on B gets all of it, and the cursor announced on A.
        c = await _open(urls["B"], liu, doc["id"])
        assert str(c.text) == str(a.text)
        await c.wait(lambda: 9001 in c.awareness)
        # Revoking on A closes the socket on B.
        grants = (await liu.get(f"/api/docs/{doc['id']}/access")).json()
        await liu.delete(f"/api/docs/{doc['id']}/access/{grants[0]['id']}")
        code, _ = await asyncio.wait_for(b.closed, 10)
        assert code == 4403
        for y in (a, c):
            await y.close()
    finally:
        await liu.aclose()
        await han.aclose()
