"""Minutes fixtures: the committed speech clip, uploading it, waiting for the job, and a network guard.

The clip (data/budget-en.ogg, 6.7 s, Opus) was made by the tests' author with Debian's espeak-ng
(`-v en-us -s 140`) saying SPOKEN, then encoded with PyAV; other formats are made from it here.
"""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest

from tests.factories import Org

DATA = Path(__file__).parent / "data"
CLIP = DATA / "budget-en.ogg"
SPOKEN = "The budget meeting starts at nine. We will review the approval process and the flood report."
CLIP_SECONDS = 6.7


class NetworkUsed(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Refuse (and record) any connection that leaves loopback, from any thread of this process.

    Transcription runs in the app's job threads inside this process, so a model download or any
    other call out would land here and fail the test.
    """
    attempts: list[Any] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def allowed(address: Any) -> bool:
        if isinstance(address, str):  # a Unix socket
            return True
        host = str(address[0])
        return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")

    def guarded(self: socket.socket, address: Any) -> Any:
        if not allowed(address):
            attempts.append(address)
            raise NetworkUsed(f"network connection attempted to {address!r}")
        return real_connect(self, address)

    def guarded_ex(self: socket.socket, address: Any) -> Any:
        if not allowed(address):
            attempts.append(address)
            raise NetworkUsed(f"network connection attempted to {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)
    yield attempts
    assert not attempts, f"the network was used: {attempts}"


@pytest.fixture(autouse=True)
async def _quiet_queue(request: pytest.FixtureRequest) -> Any:
    """After each test, stop any transcription still running before the tables are emptied.

    A job mid-write while the shared cleanup truncates the tables (PostgreSQL) would wait on
    the same rows and fail the next test's setup; cancelling makes it end at its next step.
    """
    yield
    if "app" not in request.fixturenames:
        return
    from sqlalchemy import update

    from tongban.minutes.models import MinutesRecord
    from tongban.minutes.transcribe import _SLOT

    database = request.getfixturevalue("app").state.db
    async with database.transaction() as session:
        await session.execute(
            update(MinutesRecord)
            .where(MinutesRecord.status.in_(("queued", "running")))
            .values(status="cancelled")
        )
    for _ in range(600):
        if _SLOT.acquire(blocking=False):
            _SLOT.release()
            return
        await asyncio.sleep(0.1)


def convert(fmt: str) -> tuple[str, bytes]:
    """The clip re-encoded with PyAV: (file name, bytes) for mp3, m4a, wav, ogg, opus, mp4, webm."""
    if fmt == "ogg":
        return "clip.ogg", CLIP.read_bytes()
    codec, container, rate, video = {
        "mp3": ("libmp3lame", "mp3", 16000, False),
        "m4a": ("aac", "ipod", 16000, False),
        "wav": ("pcm_s16le", "wav", 16000, False),
        "opus": ("libopus", "opus", 48000, False),
        "webm": ("libopus", "webm", 48000, False),
        "mp4": ("aac", "mp4", 16000, True),
    }[fmt]
    buffer = io.BytesIO()
    with av.open(str(CLIP)) as src, av.open(buffer, "w", format=container) as out:
        vstream = None
        if video:
            vstream = out.add_stream("mpeg4", rate=5)
            vstream.width, vstream.height, vstream.pix_fmt = 64, 48, "yuv420p"
        stream = out.add_stream(codec, rate=rate, layout="mono")
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        frame_size = stream.codec_context.frame_size or 1024
        fifo = av.AudioFifo()
        for frame in src.decode(audio=0):
            for piece in resampler.resample(frame):
                fifo.write(piece)
        for piece in resampler.resample(None):
            fifo.write(piece)
        while (chunk := fifo.read(frame_size)) is not None:
            for packet in stream.encode(chunk):
                out.mux(packet)
        if fifo.samples:
            for packet in stream.encode(fifo.read()):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
        if vstream is not None:
            import numpy as np

            for i in range(int(CLIP_SECONDS * 5)):
                image = av.VideoFrame.from_ndarray(
                    np.full((48, 64, 3), i * 7 % 255, dtype=np.uint8), format="rgb24"
                )
                image.pts = i
                for packet in vstream.encode(image.reformat(format="yuv420p")):
                    out.mux(packet)
            for packet in vstream.encode(None):
                out.mux(packet)
    return f"clip.{fmt}", buffer.getvalue()


async def upload(client: Any, name: str, data: bytes) -> str:
    r = await client.post("/api/files", files={"file": (name, data)})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def wait_for(
    client: Any, minutes_id: int, statuses: tuple[str, ...] = ("done", "failed"), timeout: float = 180
) -> dict[str, Any]:
    """Poll until the job reaches one of `statuses` (it runs in the app's job worker threads)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        r = await client.get(f"/api/minutes/{minutes_id}")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if body["status"] in statuses:
            return body
        assert loop.time() < deadline, f"minutes {minutes_id} still {body['status']}"
        await asyncio.sleep(0.2)


@pytest.fixture
async def people(org: Org) -> dict[str, Any]:
    root = await org.department("律师事务所")
    team = await org.department("诉讼部", root)
    other = await org.department("行政部", root)
    return {
        "root": root,
        "team": team,
        "other": other,
        "lawyer": await org.person("林律师", team, username="lin"),
        "colleague": await org.person("周律师", team, username="zhou"),
        "stranger": await org.person("路人", other, username="passer"),
    }
