"""Two real `tongban serve` processes sharing a fresh PostgreSQL database and Redis, for each
capability's scaled-out tests: the module-scoped `cluster` is (processes, urls), both keyed by
"A" and "B"."""

from __future__ import annotations

import asyncio
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

from tests.conftest import free_port

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
        yield procs, urls
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


async def sign_in(url: str, login: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=f"http://{url}", timeout=10)
    r = await client.post("/api/auth/login", json={"login": login, "password": "tongban-demo"})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client
