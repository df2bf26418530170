from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.docs.yclient import YClient
from tests.factories import Org


@pytest.fixture
async def team(org: Org):
    """刘锋 owns documents; 韩雪 and 宋杰 are in his department; 陶海锋 is elsewhere."""
    root = await org.department("云溪县人民政府")
    bigdata = await org.department("大数据中心", root)
    farm = await org.department("农业农村局", root)
    return {
        "root": root,
        "bigdata": bigdata,
        "farm": farm,
        "liu": await org.person("刘锋", bigdata, username="liufeng"),
        "han": await org.person("韩雪", bigdata, username="hanxue"),
        "song": await org.person("宋杰", bigdata, username="songjie"),
        "tao": await org.person("陶海锋", farm, username="taohaifeng"),
    }


async def new_doc(client: httpx.AsyncClient, title: str = "周报", **extra: object) -> dict:
    r = await client.post("/api/docs", json={"title": title, **extra})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def share(client: httpx.AsyncClient, doc_id: int, role: str, **target: int) -> dict:
    r = await client.post(f"/api/docs/{doc_id}/access", json={"role": role, **target})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def ydoc(live_server: str, client: httpx.AsyncClient, doc_id: int) -> YClient:
    cookie = f"tongban_session={client.cookies['tongban_session']}"
    y = await YClient.connect(f"ws://{live_server}/api/docs/ws/{doc_id}", cookie, f"http://{live_server}")
    await asyncio.wait_for(y.synced.wait(), 5)
    return y


@pytest.fixture(autouse=True)
async def _fresh_rooms(request: pytest.FixtureRequest):
    """Tables are emptied after each test and SQLite hands the same ids out again: forget the
    relay's open rooms too, so a new document 1 is not served the last test's document 1."""
    yield
    if "app" in request.fixturenames:
        relay = request.getfixturevalue("app").state.docs_relay
        await asyncio.sleep(0.05)  # let closing sockets leave their rooms
        relay.rooms.clear()


@pytest.fixture
def install(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A migrated installation with the demo organisation, for tests that run `tongban serve`."""
    env = {
        **os.environ,
        "TONGBAN_DATA_DIR": str(tmp_path),
        "TONGBAN_DATABASE_URL": "",
        "TONGBAN_REDIS_URL": "",
        "TONGBAN_ARGON2_TIME_COST": "1",
        "TONGBAN_ARGON2_MEMORY_KIB": "1024",
        "TONGBAN_LOG_LEVEL": "WARNING",
    }
    cli = [sys.executable, "-m", "tongban.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
    yield env
