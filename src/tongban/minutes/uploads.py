"""Resumable uploads of recordings (up to `minutes_upload_max_bytes`, 2 GB by default).

The general files API takes one multipart body up to its own, smaller limit; an hour of video
needs more, and a dropped connection must not mean starting over. So a recording is sent in
numbered chunks of at most CHUNK_BYTES: the client declares the size first (413 before any byte
is sent when it is over the limit), PUTs chunks in any order, asks which chunks the server
already has after a drop, and completes. Completing streams the chunks, in order, into one blob
through files' own `store_upload` and records it as a normal file of the uploader, then hands it
to `create_minutes_from_file`.

The upload's state lives beside its chunks in the blob store (a small JSON manifest), so any
server process can take the next chunk. Chunks of uploads never completed are left for the
files capability's sweep of unknown blobs (they sit under their own prefix).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.errors import Conflict, Invalid, NotFound
from tongban.core.permissions import Actor
from tongban.core.storage import BlobNotFound, BlobStore, read_all
from tongban.files import service as files
from tongban.files.models import File
from tongban.files.service import PayloadTooLarge
from tongban.files.upload import clean_filename

i18n.register(
    {
        "minutes_upload_not_found": ("找不到该上传", "No such upload"),
        "minutes_upload_incomplete": (
            "还有 {count} 个分片未上传",
            "{count} chunk(s) have not been uploaded yet",
        ),
        "field.minutes_chunk_size": ("分片大小不正确", "has the wrong size for this chunk"),
        "field.minutes_chunk_index": ("分片序号超出范围", "is not a chunk of this upload"),
    }
)

PREFIX = "minutes-uploads/"
CHUNK_BYTES = 8 * 1024 * 1024


def _manifest_key(upload_id: str) -> str:
    return f"{PREFIX}{upload_id}/manifest.json"


def _chunk_key(upload_id: str, index: int) -> str:
    return f"{PREFIX}{upload_id}/{index:06d}"


def chunk_count(size: int) -> int:
    return max(1, -(-size // CHUNK_BYTES))


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def begin(store: BlobStore, actor: Actor, name: str, size: int, limit: int) -> dict[str, object]:
    if size > limit:
        raise PayloadTooLarge(limit)
    if size <= 0:
        raise Invalid("body.size", "field.minutes_chunk_size")
    upload_id = str(uuid.uuid4())
    manifest = {"owner_id": actor.person_id, "name": clean_filename(name) or "recording", "size": size}
    await store.put(_manifest_key(upload_id), _one(json.dumps(manifest).encode()))
    return {"upload_id": upload_id, "chunk_bytes": CHUNK_BYTES, "chunks": chunk_count(size), "received": []}


async def _manifest(store: BlobStore, actor: Actor, upload_id: str) -> dict[str, object]:
    try:
        uuid.UUID(upload_id)
        data = json.loads(await read_all(store, _manifest_key(upload_id), limit=4096))
    except (ValueError, BlobNotFound):
        raise NotFound("minutes_upload_not_found") from None
    if data.get("owner_id") != actor.person_id:  # someone else's upload looks like none
        raise NotFound("minutes_upload_not_found")
    return dict(data)


async def received(store: BlobStore, actor: Actor, upload_id: str) -> dict[str, object]:
    manifest = await _manifest(store, actor, upload_id)
    size = int(str(manifest["size"]))
    have = [i for i in range(chunk_count(size)) if await store.exists(_chunk_key(upload_id, i))]
    return {"upload_id": upload_id, "chunk_bytes": CHUNK_BYTES, "chunks": chunk_count(size), "received": have}


def _expected_size(size: int, index: int) -> int:
    last = chunk_count(size) - 1
    return size - CHUNK_BYTES * last if index == last else CHUNK_BYTES


async def put_chunk(
    store: BlobStore, actor: Actor, upload_id: str, index: int, chunks: AsyncIterator[bytes]
) -> None:
    manifest = await _manifest(store, actor, upload_id)
    size = int(str(manifest["size"]))
    if not 0 <= index < chunk_count(size):
        raise Invalid("path.index", "field.minutes_chunk_index")
    expected = _expected_size(size, index)
    data = bytearray()
    async for piece in chunks:
        data += piece
        if len(data) > expected:
            raise Invalid("body", "field.minutes_chunk_size")
    if len(data) != expected:
        raise Invalid("body", "field.minutes_chunk_size")
    # Written whole or not at all (the store writes to a temporary key, then renames).
    await store.put(_chunk_key(upload_id, index), _one(bytes(data)))


async def complete(session: AsyncSession, store: BlobStore, actor: Actor, upload_id: str, limit: int) -> File:
    """Join the chunks into one file of the uploader's; the chunks and manifest then go."""
    manifest = await _manifest(store, actor, upload_id)
    size = int(str(manifest["size"]))
    count = chunk_count(size)
    missing = [i for i in range(count) if not await store.exists(_chunk_key(upload_id, i))]
    if missing:
        raise Conflict("minutes_upload_incomplete", count=len(missing))

    async def joined() -> AsyncIterator[bytes]:
        for i in range(count):
            async for piece in store.open_range(_chunk_key(upload_id, i)):
                yield piece

    file_id = files.new_file_id()
    key = files.storage_key_for(file_id)
    name = str(manifest["name"])
    try:
        blob = await files.store_upload(store, key, joined(), filename=name, limit=limit)
        file = await files.do_create_file(session, actor, file_id, name, blob)
    except BaseException:
        await files.discard_blobs(store, key)
        raise
    return file


async def discard(store: BlobStore, upload_id: str) -> None:
    """After commit: the chunks are in the joined file now."""
    keys = [info.key async for info in store.list_keys(f"{PREFIX}{upload_id}/")]
    for key in keys:
        with contextlib.suppress(BlobNotFound):
            await store.delete(key)
