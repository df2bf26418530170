"""Messaging scaled out: two `tongban serve` processes sharing PostgreSQL and Redis.

刘锋 is connected to process A, 韩雪 to process B, in the same 1:1 chat. Messages sent through
either process reach both sockets, in the same order, and both processes serve the same history.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import websockets

from tests.conftest import free_port

pytestmark = pytest.mark.integration

PG = os.environ.get("TONGBAN_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("TONGBAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
EACH = 25


def _reachable() -> bool:
    async def check() -> None:
        conn = await asyncpg.connect(PG, timeout=3)
        await conn.close()
        import redis.asyncio as redis

        client = redis.from_url(REDIS)
        await client.ping()
        await client.aclose()

    try:
        asyncio.run(check())
    except Exception:
        return False
    return True


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    if not _reachable():
        pytest.skip("PostgreSQL and Redis are not reachable on 127.0.0.1")
    name = f"tongban_im_scaled_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        conn = await asyncpg.connect(PG)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    asyncio.run(create())
    env = {
        **os.environ,
        "TONGBAN_DATABASE_URL": PG.rsplit("/", 1)[0] + f"/{name}",
        "TONGBAN_REDIS_URL": REDIS,
        "TONGBAN_REDIS_PREFIX": name,
        "TONGBAN_EMBEDDED_WORKER": "false",
        "TONGBAN_ARGON2_TIME_COST": "1",
        "TONGBAN_ARGON2_MEMORY_KIB": "1024",
        "TONGBAN_DATA_DIR": str(tmp_path_factory.mktemp("im_scaled")),
    }
    cli = [sys.executable, "-m", "tongban.cli"]
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
        urls: dict[str, str] = {}
        logs = Path(env["TONGBAN_DATA_DIR"])
        for label in ("A", "B"):
            port = free_port()
            procs[label] = subprocess.Popen(
                [*cli, "serve", "--port", str(port)],
                env=env,
                stdout=(logs / f"{label}.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            urls[label] = f"127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        for label, url in urls.items():
            while True:
                try:
                    if httpx.get(f"http://{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    tail = (logs / f"{label}.log").read_text()[-2000:]
                    pytest.fail(f"server {label} did not start: {tail}")
                time.sleep(0.2)
        yield urls
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait()

        async def drop() -> None:
            conn = await asyncpg.connect(PG)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()

        asyncio.run(drop())


async def _sign_in(url: str, login: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=f"http://{url}", timeout=10)
    r = await client.post("/api/auth/login", json={"login": login, "password": "tongban-demo"})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


async def _socket(url: str, client: httpx.AsyncClient) -> websockets.ClientConnection:
    cookie = f"tongban_session={client.cookies['tongban_session']}"
    ws = await websockets.connect(f"ws://{url}/api/events", additional_headers={"Cookie": cookie})
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
    return ws


async def _messages(ws: websockets.ClientConnection, count: int) -> list[dict[str, Any]]:
    """The next `count` messages on the stream, checking event ids run on without a gap."""
    got: list[dict[str, Any]] = []
    last_id: int | None = None
    while len(got) < count:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 15))
        if frame["type"] != "event":
            continue
        assert last_id is None or frame["id"] == last_id + 1
        last_id = frame["id"]
        if frame["event"]["type"] == "im.message":
            got.append(frame["event"]["message"])
    return got


async def test_messages_through_both_processes_reach_both_sockets_in_one_order(cluster):
    urls = cluster
    liu = await _sign_in(urls["A"], "liufeng")
    han = await _sign_in(urls["B"], "hanxue")
    han_id = (await han.get("/api/me")).json()["id"]
    chat = (await liu.post("/api/im/conversations", json={"kind": "direct", "person_id": han_id})).json()
    ws_liu = await _socket(urls["A"], liu)
    ws_han = await _socket(urls["B"], han)
    path = f"/api/im/conversations/{chat['id']}/messages"

    async def talk(client: httpx.AsyncClient, who: str) -> list[int]:
        ids = []
        for i in range(EACH):
            body = {"client_msg_id": f"{who}-{uuid.uuid4().hex}", "body": f"{who} {i}"}
            r = await client.post(path, json=body)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        return ids

    # Both at once, so sends through A and B interleave and race for the next number.
    sent_a, sent_b = await asyncio.gather(talk(liu, "A"), talk(han, "B"))
    on_a, on_b = await asyncio.gather(_messages(ws_liu, 2 * EACH), _messages(ws_han, 2 * EACH))

    order_a = [(m["seq"], m["id"]) for m in on_a]
    order_b = [(m["seq"], m["id"]) for m in on_b]
    assert order_a == order_b
    assert [seq for seq, _ in order_a] == sorted(seq for seq, _ in order_a)
    assert {mid for _, mid in order_a} == set(sent_a) | set(sent_b)
    assert {m["sender"]["name"] for m in on_a} == {"刘锋", "韩雪"}

    history_a = (await liu.get(path, params={"limit": 200})).json()["items"]
    history_b = (await han.get(path, params={"limit": 200})).json()["items"]
    assert [(m["seq"], m["id"], m["body"]) for m in history_a] == [
        (m["seq"], m["id"], m["body"]) for m in history_b
    ]
    assert [(m["seq"], m["id"]) for m in history_a][-2 * EACH :] == order_a
    for ws in (ws_liu, ws_han):
        await ws.close()
    await liu.aclose()
    await han.aclose()
