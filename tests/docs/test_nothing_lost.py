"""kill -9 while three people type: after restart the server holds every update any client had
received from another (so every acknowledged one), the clients reconnect and push what they typed
meanwhile, and all three converge to identical content."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import websockets
from pycrdt import Doc, Text

from tests.conftest import free_port
from tests.docs.yclient import YClient

PASSWORD = "tongban-demo"


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tongban.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.1)


class Typist:
    """One person's editor: a document that outlives its sockets, typing "<name><n>;" tokens."""

    def __init__(self, name: str, url: str, cookie: str, origin: str) -> None:
        self.name, self.url, self.cookie, self.origin = name, url, cookie, origin
        self.doc: Doc = Doc()
        self.text = self.doc.get("t", type=Text)
        self.client: YClient | None = None
        self.typed = 0
        self.may_connect = asyncio.Event()
        self.may_connect.set()

    async def connect(self) -> None:
        while True:
            await self.may_connect.wait()
            try:
                self.client = await YClient.connect(self.url, self.cookie, self.origin, doc=self.doc)
                return
            except (OSError, websockets.InvalidHandshake):
                await asyncio.sleep(0.1)

    async def type(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.text.insert(len(self.text), f"{self.name}{self.typed};")
            self.typed += 1
            await asyncio.sleep(0.005)

    async def keep_connected(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self.client is None or self.client.closed.done():
                await self.connect()
            await asyncio.sleep(0.02)

    def tokens(self) -> set[str]:
        return {t for t in str(self.text).split(";") if t}

    def received(self) -> set[str]:
        return {t for t in self.tokens() if not t.startswith(self.name)}


@pytest.mark.integration
async def test_kill_9_while_three_type_loses_nothing_acknowledged(install, tmp_path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    proc = serve(install, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        clients = {}
        for login in ("liufeng", "hanxue", "admin"):
            c = httpx.AsyncClient(base_url=base, timeout=10)
            r = await c.post("/api/auth/login", json={"login": login, "password": PASSWORD})
            assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            clients[login] = c
        doc = (await clients["liufeng"].post("/api/docs", json={"title": "三人同写"})).json()
        doc = doc  # the owner shares it with the other two as editors
        for login in ("hanxue", "admin"):
            me = (await clients[login].get("/api/me")).json()
            r = await clients["liufeng"].post(
                f"/api/docs/{doc['id']}/access", json={"role": "editor", "person_id": me["id"]}
            )
            assert r.status_code == 200, r.text
        url = f"ws://127.0.0.1:{port}/api/docs/ws/{doc['id']}"
        typists = [
            Typist(name, url, f"tongban_session={clients[login].cookies['tongban_session']}", base)
            for name, login in (("A", "liufeng"), ("B", "hanxue"), ("C", "admin"))
        ]
        for t in typists:
            await t.connect()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(t.type(stop)) for t in typists]
        tasks += [asyncio.create_task(t.keep_connected(stop)) for t in typists]
        await asyncio.sleep(1.5)

        for t in typists:  # nobody may reconnect until we have read what the server kept
            t.may_connect.clear()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        acknowledged = set().union(*(t.received() for t in typists))
        await asyncio.sleep(0.5)  # they keep typing offline
        assert acknowledged, "the clients should have relayed each other's typing before the kill"

        proc = serve(install, port, log)
        reader = httpx.AsyncClient(base_url=base, timeout=10, cookies=clients["liufeng"].cookies)
        state = (await reader.get(f"/api/docs/{doc['id']}/state")).content
        await reader.aclose()
        kept: Doc = Doc()
        kept.apply_update(state)
        kept_tokens = {t for t in str(kept.get("t", type=Text)).split(";") if t}
        missing = acknowledged - kept_tokens
        assert not missing, f"{len(missing)} acknowledged updates lost, e.g. {sorted(missing)[:5]}"

        for t in typists:
            t.may_connect.set()
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*tasks)
        typed = {f"{t.name}{i}" for t in typists for i in range(t.typed)}

        async def converged() -> None:
            while not all(t.tokens() == typed for t in typists):
                await asyncio.sleep(0.05)

        await asyncio.wait_for(converged(), 20)
        assert len({str(t.text) for t in typists}) == 1
        for t in typists:
            if t.client is not None:
                await t.client.close()
        for c in clients.values():
            await c.aclose()
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGKILL)
        proc.wait()
