"""Nothing is lost, nothing repeats: a burst of messages against dropped sockets and a killed server."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.conftest import free_port

MESSAGES = 1000
SENDERS = 4
MEMBERS = 20


class Reader:
    """A member's client: keeps the messages it has processed and resumes from its last event id."""

    def __init__(self, url: str, cookie: str) -> None:
        self.url = f"ws://{url}/api/events"
        self.origin = f"http://{url}"
        self.cookie = cookie
        self.last_id: int | None = None
        self.messages: list[tuple[int, int]] = []  # (seq, message id) in arrival order
        self.ws: websockets.ClientConnection | None = None
        self.reconnects = 0
        self.done = asyncio.Event()

    async def connect(self) -> None:
        url = self.url if self.last_id is None else f"{self.url}?last_event_id={self.last_id}"
        self.ws = await websockets.connect(
            url, additional_headers={"Cookie": self.cookie}, origin=self.origin
        )
        hello = json.loads(await self.ws.recv())
        assert hello["type"] == "hello", hello  # never "resync": the server still has everything
        if self.last_id is None:
            self.last_id = hello["last_event_id"]
        assert hello["last_event_id"] == self.last_id

    async def run(self, expected: int) -> None:
        while True:
            assert self.ws is not None
            try:
                async for raw in self.ws:
                    frame = json.loads(raw)
                    if frame["type"] != "event":
                        continue
                    assert frame["id"] == self.last_id + 1, (frame["id"], self.last_id)
                    event = frame["event"]
                    if event["type"] == "im.message":
                        self.messages.append((event["message"]["seq"], event["message"]["id"]))
                    self.last_id = frame["id"]
                    if len(self.messages) >= expected:
                        self.done.set()
                        return
            except websockets.ConnectionClosed:
                pass
            if self.done.is_set():
                return
            self.reconnects += 1
            while True:
                try:
                    await self.connect()
                    break
                except websockets.ConnectionClosed:
                    continue  # dropped again before the hello arrived

    async def drop(self) -> None:
        """Close from the client side mid-stream, as a flaky network or a sleeping laptop does."""
        if self.ws is not None:
            await self.ws.close()


# ---- a real server process on SQLite -------------------------------------------------------


@pytest.fixture
def install(tmp_path: Path) -> Iterator[dict[str, str]]:
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


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tongban.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    url = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://{url}/readyz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"server did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)


async def _sign_in(url: str, login: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=f"http://{url}", timeout=10)
    r = await client.post("/api/auth/login", json={"login": login, "password": "tongban-demo"})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


async def _history(client: httpx.AsyncClient, conversation_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        r = await client.get(
            f"/api/im/conversations/{conversation_id}/messages", params={"after_seq": after, "limit": 200}
        )
        assert r.status_code == 200, r.text
        page = r.json()
        items += page["items"]
        if not page["has_more_after"]:
            return items
        after = items[-1]["seq"]


@pytest.mark.integration
async def test_a_burst_reaches_every_client_exactly_once_in_order_across_reconnects(install, tmp_path):
    # The server runs in its own process (as deployed) so it and the 20 clients share two cores.
    proc, url = _serve(install, tmp_path / "serve.log")
    with sqlite3.connect(Path(install["TONGBAN_DATA_DIR"]) / "tongban.db") as conn:
        rows = conn.execute("SELECT username FROM people ORDER BY id LIMIT ?", (MEMBERS,))
        logins = [row[0] for row in rows]
    clients = [await _sign_in(url, login) for login in logins]
    readers: list[Reader] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        ids = [(await c.get("/api/me")).json()["id"] for c in clients]
        group = (
            await clients[0].post(
                "/api/im/conversations", json={"kind": "group", "name": "压力测试", "member_ids": ids[1:]}
            )
        ).json()
        readers = [Reader(url, f"tongban_session={c.cookies['tongban_session']}") for c in clients]
        for r in readers:
            await r.connect()
        tasks = [asyncio.create_task(r.run(MESSAGES)) for r in readers]
        rng = random.Random(20)
        acknowledged: dict[str, int] = {}

        async def sender(n: int) -> None:
            client = clients[n]
            for i in range(MESSAGES // SENDERS):
                client_msg_id = f"burst-{n}-{i:04d}"
                r = await client.post(
                    f"/api/im/conversations/{group['id']}/messages",
                    json={"client_msg_id": client_msg_id, "body": f"第 {i} 条，来自 {n}"},
                )
                assert r.status_code == 201, r.text
                acknowledged[client_msg_id] = r.json()["id"]

        async def chaos() -> None:
            while len(acknowledged) < MESSAGES:
                await asyncio.sleep(rng.uniform(0.05, 0.3))
                for r in rng.sample(readers, 4):
                    await r.drop()

        started = time.monotonic()
        chaos_task = asyncio.create_task(chaos())
        await asyncio.gather(*(sender(n) for n in range(SENDERS)))
        await chaos_task
        # Raises the first reader's failed check (a gap or a repeat) as soon as it happens.
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
        except TimeoutError:
            counts = [(len(r.messages), r.last_id, r.reconnects) for r in readers]
            raise AssertionError(f"readers stalled (messages, last id, reconnects): {counts}") from None
        elapsed = time.monotonic() - started
    finally:
        for t in tasks:
            t.cancel()
        for r in readers:
            await r.drop()
        for c in clients:
            await c.aclose()
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    message_ids = set(acknowledged.values())
    assert len(message_ids) == MESSAGES
    assert sum(r.reconnects for r in readers) >= 10, "the test should have dropped sockets mid-burst"
    for r in readers:
        seqs = [seq for seq, _ in r.messages]
        assert len(r.messages) == MESSAGES  # no duplicates, none missing
        assert {mid for _, mid in r.messages} == message_ids
        assert seqs == sorted(seqs) and len(set(seqs)) == MESSAGES  # the server's order
    assert elapsed < 60


@pytest.mark.integration
async def test_kill_9_loses_no_acknowledged_message_and_retries_do_not_duplicate(install, tmp_path):
    log = tmp_path / "serve.log"
    proc, url = _serve(install, log)
    try:
        liu = await _sign_in(url, "liufeng")
        han = await _sign_in(url, "hanxue")
        han_id = (await han.get("/api/me")).json()["id"]
        chat = (await liu.post("/api/im/conversations", json={"kind": "direct", "person_id": han_id})).json()
        path = f"/api/im/conversations/{chat['id']}/messages"
        run = uuid.uuid4().hex[:8]
        attempted: list[str] = []
        acknowledged: dict[str, int] = {}
        failed: list[str] = []

        async def sender(n: int) -> None:
            for i in range(10_000):
                client_msg_id = f"kill-{run}-{n}-{i:05d}"
                attempted.append(client_msg_id)
                try:
                    r = await liu.post(path, json={"client_msg_id": client_msg_id, "body": f"{n}/{i}"})
                except httpx.HTTPError:
                    failed.append(client_msg_id)
                    return
                if r.is_success:
                    acknowledged[client_msg_id] = r.json()["id"]
                else:
                    failed.append(client_msg_id)

        senders = [asyncio.create_task(sender(n)) for n in range(4)]
        while len(acknowledged) < 150:
            await asyncio.sleep(0.01)
        proc.send_signal(signal.SIGKILL)  # mid-burst: requests are in flight
        proc.wait()
        await asyncio.wait_for(asyncio.gather(*senders), timeout=30)
        await liu.aclose()
        await han.aclose()
        assert failed, "the kill should have cut off some requests"

        proc, url = _serve(install, log)
        liu = await _sign_in(url, "liufeng")
        for client_msg_id in failed:  # the client retries what it never heard back about
            r = await liu.post(path, json={"client_msg_id": client_msg_id, "body": "retry"})
            assert r.status_code in (200, 201), r.text
            acknowledged[client_msg_id] = r.json()["id"]

        history = await _history(liu, chat["id"])
        await liu.aclose()
        ours = [m for m in history if (m["client_msg_id"] or "").startswith(f"kill-{run}-")]
        by_client_id = {m["client_msg_id"]: m["id"] for m in ours}
        assert len(ours) == len(by_client_id) == len(attempted)  # one message per client id
        assert by_client_id == acknowledged  # every acknowledged message survived, same id
        seqs = [m["seq"] for m in history]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # no holes in the numbering
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
