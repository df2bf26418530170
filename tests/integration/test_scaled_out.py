"""Scaled-out mode for real: two `tongban serve` processes sharing PostgreSQL and Redis.

A WebSocket on process A sees an event caused through process B; after A is killed, the client
resumes on B with its last id and gets exactly what it missed.
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

import asyncpg
import httpx
import pytest
import websockets

from tests.conftest import free_port

pytestmark = pytest.mark.integration

PG = os.environ.get("TONGBAN_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("TONGBAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


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
    name = f"tongban_scaled_{uuid.uuid4().hex[:8]}"

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
        "TONGBAN_DATA_DIR": str(tmp_path_factory.mktemp("scaled")),
    }
    cli = [sys.executable, "-m", "tongban.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
    procs: dict[str, subprocess.Popen[bytes]] = {}
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
                pytest.fail(f"server {label} did not start: {(logs / f'{label}.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield procs, urls
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
    client = httpx.AsyncClient(base_url=f"http://{url}")
    r = await client.post("/api/auth/login", json={"login": login, "password": "tongban-demo"})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


async def _recv(ws, timeout: float = 10.0) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def test_event_caused_on_b_reaches_a_then_resume_on_b_after_a_dies(cluster):
    procs, urls = cluster
    liu_a = await _sign_in(urls["A"], "liufeng")
    admin_b = await _sign_in(urls["B"], "admin")
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
