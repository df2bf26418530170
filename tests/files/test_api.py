"""The files API through the real app: upload, download with ranges, sniffing, limits, access."""

from __future__ import annotations

import hashlib
import io
import os
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import func, select

from tests.factories import Org
from tongban.core.db import Database
from tongban.files import service
from tongban.files.models import File
from tongban.org.models import Person

AsPerson = Callable[[Person], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def alice(org: Org) -> Person:
    return await org.person("李娜", await org.department("综合办"))


@pytest.fixture
async def bob(org: Org) -> Person:
    return await org.person("张伟", await org.department("财务科"))


def blob_files(app: FastAPI) -> set[Path]:
    root: Path = app.state.settings.blob_dir
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def file_count(db: Database) -> int:
    async with db.transaction(write=False) as session:
        return int((await session.execute(select(func.count()).select_from(File))).scalar_one())


async def upload(
    client: httpx.AsyncClient, name: str, data: bytes, client_type: str = "text/plain"
) -> httpx.Response:
    return await client.post("/api/files", files={"file": (name, data, client_type)})


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 200, 128)[: len(mode)]).save(out, "PNG")
    return out.getvalue()


async def test_upload_metadata_and_download(as_person: AsPerson, alice: Person) -> None:
    client = await as_person(alice)
    data = b"\x00\x01TONGBAN" + random.Random(7).randbytes(
        300_000
    )  # fixed: random bytes may look like a format
    response = await upload(client, "会议纪要 2026.bin", data, "application/x-fake")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == "会议纪要 2026.bin"
    assert body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["content_type"] == "application/octet-stream"  # the client's claim is ignored
    assert body["has_thumbnail"] is False
    assert set(body) == {"id", "name", "size", "content_type", "sha256", "has_thumbnail", "created_at"}

    meta = await client.get(f"/api/files/{body['id']}")
    assert meta.status_code == 200 and meta.json() == body

    download = await client.get(f"/api/files/{body['id']}/content")
    assert download.status_code == 200
    assert download.content == data
    assert hashlib.sha256(download.content).hexdigest() == body["sha256"]
    assert download.headers["accept-ranges"] == "bytes"
    assert download.headers["etag"] == f'"{body["sha256"]}"'
    assert download.headers["content-length"] == str(len(data))
    assert download.headers["x-content-type-options"] == "nosniff"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote('会议纪要 2026.bin', safe='')}" in disposition

    again = await client.get(
        f"/api/files/{body['id']}/content", headers={"If-None-Match": download.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""


async def test_range_requests(as_person: AsPerson, alice: Person) -> None:
    client = await as_person(alice)
    data = bytes(range(256)) * 40  # 10 240 bytes
    file_id = (await upload(client, "data.bin", data)).json()["id"]
    url = f"/api/files/{file_id}/content"

    async def get(range_header: str, **headers: str) -> httpx.Response:
        return await client.get(url, headers={"Range": range_header, **headers})

    first = await get("bytes=0-99")
    assert first.status_code == 206
    assert first.content == data[:100]
    assert first.headers["content-range"] == "bytes 0-99/10240"
    assert first.headers["content-length"] == "100"

    suffix = await get("bytes=-100")
    assert suffix.status_code == 206 and suffix.content == data[-100:]
    assert suffix.headers["content-range"] == "bytes 10140-10239/10240"

    open_ended = await get("bytes=10000-")
    assert open_ended.status_code == 206 and open_ended.content == data[10000:]
    assert open_ended.headers["content-range"] == "bytes 10000-10239/10240"

    past_end = await get("bytes=10200-99999")
    assert past_end.status_code == 206 and past_end.content == data[10200:]

    bigger_suffix = await get("bytes=-99999")
    assert bigger_suffix.status_code == 206 and bigger_suffix.content == data

    for bad in ("bytes=10240-", "bytes=20000-20010", "bytes=abc", "bytes=5-2", "bytes=-0", "bytes=-"):
        refused = await get(bad)
        assert refused.status_code == 416, bad
        assert refused.headers["content-range"] == "bytes */10240"
        assert refused.json()["code"] == "range_not_satisfiable"

    # Ignored, as RFC 9110 allows: several ranges, another unit, a stale If-Range.
    assert (await get("bytes=0-1,5-6")).status_code == 200
    assert (await get("items=0-1")).status_code == 200
    stale = await get("bytes=0-1", **{"If-Range": '"not-the-etag"'})
    assert stale.status_code == 200 and stale.content == data
    fresh = await get("bytes=0-1", **{"If-Range": f'"{hashlib.sha256(data).hexdigest()}"'})
    assert fresh.status_code == 206 and fresh.content == data[:2]


async def test_type_is_sniffed_from_the_bytes(as_person: AsPerson, alice: Person) -> None:
    client = await as_person(alice)

    image = (await upload(client, "not-really.txt", png(20, 10), "text/plain")).json()
    assert image["content_type"] == "image/png"
    shown = await client.get(f"/api/files/{image['id']}/content")
    assert shown.headers["content-type"] == "image/png"
    assert shown.headers["content-disposition"].startswith("inline")

    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    page = (await upload(client, "photo.png", html, "image/png")).json()
    assert page["content_type"] == "text/html"
    served = await client.get(f"/api/files/{page['id']}/content")
    assert served.headers["content-disposition"] == 'attachment; filename="photo.png"'
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"] == "sandbox"

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    drawing = (await upload(client, "logo.svg", svg)).json()
    assert drawing["content_type"] == "image/svg+xml"
    served = await client.get(f"/api/files/{drawing['id']}/content")
    assert served.headers["content-disposition"].startswith("attachment")

    text = (await upload(client, "说明.txt", "第一行\n第二行\n".encode(), "application/octet-stream")).json()
    assert text["content_type"] == "text/plain"
    served = await client.get(f"/api/files/{text['id']}/content")
    assert served.headers["content-type"] == "text/plain; charset=utf-8"
    assert served.headers["content-disposition"].startswith("inline")


async def test_over_limit_upload_leaves_nothing(
    app: FastAPI, db: Database, as_person: AsPerson, alice: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await as_person(alice)
    monkeypatch.setattr(app.state.settings, "upload_max_bytes", 1000)
    before = blob_files(app)

    # Caught while streaming (the declared length is within the multipart allowance).
    response = await upload(client, "big.bin", os.urandom(5000))
    assert response.status_code == 413
    assert response.json() == {"code": "payload_too_large", "message": "文件超过大小上限 1000 B"}

    # Refused up front from Content-Length, in the caller's language.
    client.headers["Accept-Language"] = "en-US"
    response = await upload(client, "bigger.bin", os.urandom(200_000))
    assert response.status_code == 413
    assert response.json()["message"] == "The file exceeds the size limit of 1000 B"

    # Chunked, no Content-Length: counted as it streams.
    boundary = "tongbanboundary"

    async def chunked() -> AsyncIterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        for _ in range(10):
            yield os.urandom(500)
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await client.post(
        "/api/files", content=chunked(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413

    assert blob_files(app) == before
    assert await file_count(db) == 0

    # Exactly at the limit is fine.
    assert (await upload(client, "fits.bin", os.urandom(1000))).status_code == 201


async def test_chunked_upload_within_limit(as_person: AsPerson, alice: Person) -> None:
    client = await as_person(alice)
    boundary = "b0undary"
    data = os.urandom(200_000)

    async def chunked() -> AsyncIterator[bytes]:
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'.encode()
        disposition = 'Content-Disposition: form-data; name="file"; filename="流.bin"'
        yield f"--{boundary}\r\n{disposition}\r\n\r\n".encode()
        for i in range(0, len(data), 7_000):
            yield data[i : i + 7_000]
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await client.post(
        "/api/files", content=chunked(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "流.bin"
    assert response.json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert (await client.get(f"/api/files/{response.json()['id']}/content")).content == data


async def test_bad_requests(as_person: AsPerson, alice: Person) -> None:
    client = await as_person(alice)
    missing = await client.post("/api/files", files={"other": ("a.txt", b"x", "text/plain")})
    assert missing.status_code == 422
    assert missing.json()["fields"][0]["field"] == "body.file"
    not_multipart = await client.post("/api/files", json={"file": "x"})
    assert not_multipart.status_code == 422
    assert not_multipart.json()["fields"][0]["code"] == "field.multipart_expected"
    assert (await client.get("/api/files/00000000-0000-0000-0000-000000000000")).status_code == 404


async def test_thumbnails(as_person: AsPerson, alice: Person) -> None:
    client = await as_person(alice)

    photo = (await upload(client, "photo.png", png(800, 600))).json()
    assert photo["has_thumbnail"] is True
    thumb = await client.get(f"/api/files/{photo['id']}/thumbnail")
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(thumb.content))
    assert image.format == "JPEG" and image.size == (256, 192)

    transparent = (await upload(client, "icon.png", png(100, 300, "RGBA"))).json()
    thumb = await client.get(f"/api/files/{transparent['id']}/thumbnail")
    assert thumb.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(thumb.content)).size == (85, 256)

    small = (await upload(client, "small.png", png(40, 30))).json()
    assert Image.open(io.BytesIO((await client.get(f"/api/files/{small['id']}/thumbnail")).content)).size == (
        40,
        30,
    )

    text = (await upload(client, "a.txt", b"plain words")).json()
    assert text["has_thumbnail"] is False
    none = await client.get(f"/api/files/{text['id']}/thumbnail")
    assert none.status_code == 404 and none.json()["code"] == "thumbnail_not_found"

    broken = (await upload(client, "broken.png", png(50, 50)[:60])).json()  # PNG signature, no image
    assert broken["content_type"] == "image/png" and broken["has_thumbnail"] is False


async def test_access_needs_ownership_or_a_grant(
    db: Database, as_person: AsPerson, alice: Person, bob: Person
) -> None:
    owner = await as_person(alice)
    other = await as_person(bob)
    file_id = (await upload(owner, "photo.png", png(300, 300))).json()["id"]

    for suffix in ("", "/content", "/thumbnail"):
        response = await other.get(f"/api/files/{file_id}{suffix}")
        assert response.status_code == 404, suffix
        assert response.json()["code"] == "file_not_found"

    async with db.transaction() as session:
        await service.grant_read(session, file_id, [bob.id, bob.id])
    async with db.transaction() as session:
        await service.grant_read(session, file_id, [bob.id])  # granting again is harmless

    for suffix in ("", "/content", "/thumbnail"):
        assert (await other.get(f"/api/files/{file_id}{suffix}")).status_code == 200, suffix


async def test_anonymous_is_refused(client: httpx.AsyncClient, as_person: AsPerson, alice: Person) -> None:
    file_id = (await upload(await as_person(alice), "a.txt", b"secret")).json()["id"]
    assert (await upload(client, "a.txt", b"x")).status_code == 401
    for suffix in ("", "/content", "/thumbnail"):
        response = await client.get(f"/api/files/{file_id}{suffix}")
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


async def test_upload_needs_the_csrf_token(as_person: AsPerson, alice: Person) -> None:
    client = await as_person(alice)
    del client.headers["X-CSRF-Token"]
    assert (await upload(client, "a.txt", b"x")).status_code == 403


async def test_failed_transaction_deletes_the_blobs(
    app: FastAPI, db: Database, as_person: AsPerson, alice: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await as_person(alice)
    before = blob_files(app)

    async def refuse(*args: object, **kwargs: object) -> File:
        raise RuntimeError("database said no")

    monkeypatch.setattr(service, "do_create_file", refuse)
    # The ASGI test transport re-raises what the server turned into a 500.
    with pytest.raises(RuntimeError, match="database said no"):
        await upload(client, "photo.png", png(400, 400))
    assert blob_files(app) == before  # neither the file nor its thumbnail stayed
    assert await file_count(db) == 0
