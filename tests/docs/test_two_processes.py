"""Scale-out: two `tongban serve` processes over one database and Redis. Editors of one document
whose sockets land on different processes see each other's edits and cursors (the relay forwards
each stored batch and each coalesced awareness message through Redis pub/sub), and the content
both processes read back is the same."""

from __future__ import annotations

import uuid

import httpx
import pytest
from pycrdt import Doc, Text

from tests.conftest import free_port
from tests.docs.test_nothing_lost import PASSWORD, serve
from tests.docs.yclient import YClient, awareness_frame


@pytest.fixture
def two_servers(install, tmp_path):
    env = {
        **install,
        "TONGBAN_REDIS_URL": "redis://127.0.0.1:6379/0",
        "TONGBAN_REDIS_PREFIX": f"t{uuid.uuid4().hex[:8]}",
    }
    procs, ports = [], [free_port(), free_port()]
    try:
        for i, port in enumerate(ports):
            procs.append(serve(env, port, tmp_path / f"serve{i}.log"))
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


async def _login(base: str, login: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=10)
    r = await client.post("/api/auth/login", json={"login": login, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


@pytest.mark.integration
async def test_editors_on_two_processes_see_each_other(two_servers) -> None:
    first, second = two_servers
    liu = await _login(first, "liufeng")
    han = await _login(second, "hanxue")
    doc = (await liu.post("/api/docs", json={"title": "跨进程"})).json()
    me = (await han.get("/api/me")).json()
    r = await liu.post(f"/api/docs/{doc['id']}/access", json={"role": "editor", "person_id": me["id"]})
    assert r.status_code == 200, r.text

    def socket(base: str, client: httpx.AsyncClient) -> tuple[str, str]:
        url = base.replace("http://", "ws://") + f"/api/docs/ws/{doc['id']}"
        return url, f"tongban_session={client.cookies['tongban_session']}"

    a_doc, b_doc = Doc(), Doc()
    a = await YClient.connect(*socket(first, liu), first, doc=a_doc)
    b = await YClient.connect(*socket(second, han), second, doc=b_doc)
    a_text, b_text = a_doc.get("t", type=Text), b_doc.get("t", type=Text)
    a_text += "刘锋在一号进程写。"
    await b.wait(lambda: "刘锋在一号进程写。" in str(b_text))
    b_text += "韩雪在二号进程写。"
    await a.wait(lambda: "韩雪在二号进程写。" in str(a_text))
    # Cursors cross too.
    await a.send_raw(awareness_frame(4242, 1, {"user": {"name": "刘锋", "color": "#1677ff"}}))
    await b.wait(lambda: b.awareness.get(4242, {}).get("user", {}).get("name") == "刘锋")
    assert str(a_text) == str(b_text)
    await a.close()
    await b.close()

    # Both processes serve the same stored content to a newcomer.
    states = []
    for base, client in ((first, liu), (second, han)):
        r = await client.get(f"/api/docs/{doc['id']}/state")
        fresh = Doc()
        fresh.apply_update(r.content)
        states.append(str(fresh.get("t", type=Text)))
    assert states[0] == states[1] == str(a_text)
    await liu.aclose()
    await han.aclose()
