"""A real Janus on loopback and aiortc peers that join a Tongban room through it.

Janus runs with the config folder the project ships (src/tongban/meetings/janus), its HTTP port
changed to a free one, and with the loopback shim (compiled here with the machine's cc) in
LD_PRELOAD: Janus 1.1.2 skips loopback interfaces when gathering ICE candidates, and every
peer of these tests is on 127.0.0.1. aiortc is told to offer 127.0.0.1 too (it leaves loopback
out by default) and to use no STUN.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
import math
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.conftest import free_port

CONFIG = Path(__file__).resolve().parents[2] / "src" / "tongban" / "meetings" / "janus"


def start_janus(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    if shutil.which("janus") is None or shutil.which("cc") is None:
        pytest.skip("Janus (apt-get install janus janus-tools) or a C compiler is missing")
    folder = tmp / "janus"
    folder.mkdir(parents=True, exist_ok=True)
    for jcfg in CONFIG.glob("*.jcfg"):
        shutil.copy(jcfg, folder / jcfg.name)
    port = free_port()
    http = folder / "janus.transport.http.jcfg"
    http.write_text(http.read_text().replace("port = 8088", f"port = {port}"))
    shim = folder / "loopback_shim.so"
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(shim), str(CONFIG / "loopback_shim.c"), "-ldl"], check=True
    )
    env = {**os.environ, "LD_PRELOAD": str(shim)}
    log = open(folder / "janus.log", "wb")  # noqa: SIM115 - held for the process's life
    process = subprocess.Popen(
        ["janus", "-F", str(folder), "-C", str(folder / "janus.jcfg"), "-N", "-L", str(folder / "janus.log")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/janus"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/info", timeout=1).status_code == 200:
                return process, url
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"Janus did not start: {(folder / 'janus.log').read_text()[-2000:]}")


@contextlib.contextmanager
def janus_running(tmp: Path) -> Iterator[str]:
    process, url = start_janus(tmp)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()


def loopback_aiortc() -> None:
    """aiortc offers only 127.0.0.1 (these tests have nothing else to reach Janus on)."""
    import aioice.ice

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]  # type: ignore[assignment]


def tone_track(frequency: float) -> Any:
    """An audio track playing a sine tone, so a receiver can tell real audio from silence."""
    import av
    import numpy as np
    from aiortc.mediastreams import MediaStreamTrack

    class Tone(MediaStreamTrack):
        kind = "audio"

        def __init__(self) -> None:
            super().__init__()
            self.pts = 0
            self.start = 0.0

        async def recv(self) -> av.AudioFrame:
            samples = 960  # 20 ms at 48 kHz
            if self.start == 0.0:
                self.start = time.monotonic()
            wait = self.start + self.pts / 48000 - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            t = (np.arange(samples) + self.pts) / 48000
            data = (np.sin(2 * math.pi * frequency * t) * 8000).astype(np.int16).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(data, format="s16", layout="mono")
            frame.sample_rate = 48000
            frame.pts = self.pts
            frame.time_base = fractions.Fraction(1, 48000)
            self.pts += samples
            return frame

    return Tone()


class SfuPeer:
    """A participant: publishes `track` to Janus through Tongban's room socket and counts the
    audio frames it receives from each other participant (by their conn)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.ws: Any = None
        self.welcome: dict[str, Any] = {}
        self.pcs: list[Any] = []
        self.frames: dict[str, int] = {}
        self.loudness: dict[str, float] = {}
        self.messages: list[dict[str, Any]] = []
        self.published = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def conn(self) -> str:
        return str(self.welcome["you"])

    async def join(self, live_server: str, cookies: dict[str, str], meeting_id: int, track: Any) -> None:
        from aiortc import RTCConfiguration, RTCPeerConnection

        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Origin": f"http://{live_server}",
        }
        self.ws = await websockets.connect(
            f"ws://{live_server}/api/meetings/{meeting_id}/room", additional_headers=headers
        )
        self.welcome = json.loads(await self.ws.recv())
        assert self.welcome["type"] == "welcome", self.welcome
        assert self.welcome["media"] == "sfu"
        self._tasks.append(asyncio.create_task(self._read()))
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pcs.append(pc)
        pc.addTransceiver(track, direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        await self.send({"type": "sfu_publish", "sdp": {"type": "offer", "sdp": pc.localDescription.sdp}})
        self.publisher = pc

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def _read(self) -> None:
        from aiortc import RTCSessionDescription

        with contextlib.suppress(websockets.ConnectionClosed):
            async for text in self.ws:
                m = json.loads(text)
                self.messages.append(m)
                if m["type"] == "sfu_answer":
                    await self.publisher.setRemoteDescription(RTCSessionDescription(**m["sdp"]))
                    self.published.set()
                elif m["type"] == "sfu_offer":
                    await self._receive(m)

    async def _receive(self, m: dict[str, Any]) -> None:
        from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pcs.append(pc)
        source = str(m["from"])

        @pc.on("track")
        def on_track(track: Any) -> None:
            if track.kind == "audio":
                self._tasks.append(asyncio.create_task(self._count(source, track)))

        await pc.setRemoteDescription(RTCSessionDescription(**m["sdp"]))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.send(
            {"type": "sfu_start", "sub": m["sub"], "sdp": {"type": "answer", "sdp": pc.localDescription.sdp}}
        )

    async def _count(self, source: str, track: Any) -> None:
        import numpy as np

        with contextlib.suppress(Exception):
            while True:
                frame = await track.recv()
                self.frames[source] = self.frames.get(source, 0) + 1
                samples = frame.to_ndarray().astype(np.float64)
                self.loudness[source] = float(np.sqrt(np.mean(samples**2)))

    async def next_of(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for m in self.messages[seen:]:
                if m["type"] == kind:
                    return m
            seen = len(self.messages)
            await asyncio.sleep(0.05)
        raise AssertionError(f"{self.name} got no {kind}: {[m['type'] for m in self.messages]}")

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for pc in self.pcs:
            await pc.close()
        if self.ws is not None:
            await self.ws.close()


async def wait_for(predicate: Any, timeout: float = 20, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
