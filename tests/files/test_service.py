"""Service-level rules of files: the orphan sweep, grants, and the HTTP helpers' edge cases."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from tests.factories import Org
from tongban.core.db import Database, utcnow
from tongban.core.errors import AppError
from tongban.core.permissions import Actor
from tongban.core.storage import LocalBlobStore
from tongban.files import service
from tongban.files.content_types import sniff_content_type
from tongban.files.downloads import content_disposition, parse_range
from tongban.files.models import FileGrant
from tongban.files.thumbnails import thumbnail_key
from tongban.files.upload import clean_filename


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "navy").save(out, "PNG")
    return out.getvalue()


async def test_sweep_removes_only_old_blobs_without_a_row(db: Database, org: Org, tmp_path: Path) -> None:
    person = await org.person("赵敏", await org.department("档案室"))
    actor = Actor(person_id=person.id, name=person.name, locale="zh-CN")
    store = LocalBlobStore(tmp_path)

    file_id = service.new_file_id()
    key = service.storage_key_for(file_id)
    blob = await service.store_upload(store, key, _chunks(_png()), filename="a.png", limit=10**6)
    assert blob.has_thumbnail
    async with db.transaction() as session:
        await service.do_create_file(session, actor, file_id, "a.png", blob)

    orphan = service.storage_key_for(service.new_file_id())
    await store.put(orphan, _chunks(b"left by a crash"))
    await store.put(thumbnail_key(orphan), _chunks(b"its thumbnail"))
    await store.put("avatars/elsewhere", _chunks(b"not ours to judge"))
    crashed_write = tmp_path / "files" / ".tmp-crashed"
    crashed_write.write_bytes(b"half")
    old = time.time() - 3 * 3600
    os.utime(crashed_write, (old, old))

    # Everything is younger than an hour except the temporary file.
    async with db.transaction(write=False) as session:
        assert await service.sweep_orphans(session, store) == 1
    assert await store.exists(orphan)

    async with db.transaction(write=False) as session:
        removed = await service.sweep_orphans(session, store, now=utcnow() + dt.timedelta(hours=2))
    assert removed == 2
    assert not await store.exists(orphan) and not await store.exists(thumbnail_key(orphan))
    assert await store.exists(key) and await store.exists(thumbnail_key(key))
    assert await store.exists("avatars/elsewhere")
    assert not crashed_write.exists()


async def test_grant_read_is_idempotent(db: Database, org: Org, tmp_path: Path) -> None:
    dept = await org.department("人事科")
    owner, first, second = [await org.person(n, dept) for n in ("甲", "乙", "丙")]
    store = LocalBlobStore(tmp_path)
    file_id = service.new_file_id()
    blob = await service.store_upload(
        store, service.storage_key_for(file_id), _chunks(b"x"), filename="x.txt", limit=10
    )
    async with db.transaction() as session:
        actor = Actor(person_id=owner.id, name=owner.name, locale="zh-CN")
        await service.do_create_file(session, actor, file_id, "x.txt", blob)
        await service.grant_read(session, file_id, [first.id])
        await service.grant_read(session, file_id, [first.id, second.id, second.id])
        await service.grant_read(session, file_id, [])
    async with db.transaction(write=False) as session:
        granted = (
            await session.execute(select(FileGrant.person_id).where(FileGrant.file_id == file_id))
        ).scalars()
        assert sorted(granted) == sorted([first.id, second.id])
        for person in (owner, first, second):
            reader = Actor(person_id=person.id, name=person.name, locale="zh-CN")
            assert (await service.access_file(session, reader, file_id)).id == file_id


async def test_store_upload_stops_at_the_limit(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    with pytest.raises(AppError) as refused:
        await service.store_upload(store, "files/aa/x", _chunks(b"a" * 6, b"b" * 6), filename="x", limit=10)
    assert refused.value.status_code == 413
    assert [info async for info in store.list_keys()] == []
    assert await store.discard_incomplete(utcnow() + dt.timedelta(days=1)) == 0  # no temporary file left


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 10, None),
        ("bytes=0-0", 10, (0, 1)),
        ("bytes=2-", 10, (2, 10)),
        ("bytes=-3", 10, (7, 10)),
        ("bytes=-30", 10, (0, 10)),
        ("bytes=8-100", 10, (8, 10)),
        (" bytes = 1 - 2 ", 10, (1, 3)),
        ("bytes=0-1, 3-4", 10, None),
        ("lines=1-2", 10, None),
    ],
)
def test_parse_range(header: str | None, size: int, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=3-1", "bytes=x-1", "bytes=1", "bytes=-0", "bytes=0-"])
def test_parse_range_refuses(header: str) -> None:
    size = 0 if header == "bytes=0-" else 10
    with pytest.raises(AppError) as refused:
        parse_range(header, size)
    assert refused.value.status_code == 416


def test_content_disposition() -> None:
    assert content_disposition("inline", "report.pdf") == 'inline; filename="report.pdf"'
    assert content_disposition("attachment", '财务 "报表".xlsx') == (
        'attachment; filename="__ ____.xlsx"; '
        "filename*=UTF-8''%E8%B4%A2%E5%8A%A1%20%22%E6%8A%A5%E8%A1%A8%22.xlsx"
    )
    assert content_disposition("inline", None) == "inline"


def test_clean_filename() -> None:
    assert clean_filename("C:\\Users\\王\\Desktop\\通知.docx") == "通知.docx"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("bad\r\nname.txt") == "badname.txt"
    assert clean_filename("   ") == "file"
    assert len(clean_filename("长" * 400)) == 255


def test_sniffing() -> None:
    assert sniff_content_type(_png(), "x.exe") == "image/png"
    assert sniff_content_type(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") == "application/pdf"
    assert sniff_content_type("半个汉字".encode()[:-1]) == "text/plain"  # cut inside a character
    assert sniff_content_type(b"\x00\x01\x02binary") == "application/octet-stream"
    assert sniff_content_type(b"") == "application/octet-stream"


def test_human_size() -> None:
    assert service.human_size(1000) == "1000 B"
    assert service.human_size(100 * 1024 * 1024) == "100 MB"
    assert service.human_size(1536) == "1.5 KB"
