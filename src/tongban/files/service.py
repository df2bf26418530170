"""Files: storing uploads, who may read them, and cleaning up blobs nobody owns.

A file's bytes go to the blob store before its row goes to the database (the upload must be
complete before there is anything to record). The route deletes the blob again when the
transaction fails, so in normal operation the two stay in step. A crash between the two steps
— the process killed after the blob landed and before the commit — leaves an orphan blob
with no row; `sweep_orphans` removes those once they are old enough that no upload in flight
can still be about to record them.

Reading is owner-or-granted: the uploader reads their file, anyone else needs a grant, which
other capabilities add with `grant_read` when a file is shared into a chat, an approval...
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Select, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, NotFound
from tongban.core.permissions import Actor
from tongban.core.storage import BlobStore
from tongban.files.content_types import SNIFF_BYTES, sniff_content_type
from tongban.files.models import File, FileGrant
from tongban.files.thumbnails import THUMBNAIL_SUFFIX, make_thumbnail, thumbnail_key

log = logging.getLogger(__name__)

i18n.register(
    {
        "file_not_found": ("找不到该文件", "No such file"),
        "thumbnail_not_found": ("该文件没有缩略图", "This file has no thumbnail"),
        "range_not_satisfiable": ("请求的字节范围无效", "The requested byte range is not satisfiable"),
        "field.multipart_expected": (
            "应以 multipart/form-data 上传",
            "must be sent as multipart/form-data",
        ),
        "field.multipart_invalid": ("上传内容格式有误", "is not valid multipart data"),
    }
)

FILES_PREFIX = "files/"
# Older than this, a blob without a row cannot belong to an upload still in flight.
ORPHAN_AGE = dt.timedelta(hours=1)
_SWEEP_BATCH = 500


class PayloadTooLarge(AppError):
    status_code = 413

    def __init__(self, limit: int) -> None:
        super().__init__("payload_too_large", limit=human_size(limit))


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def new_file_id() -> str:
    return str(uuid.uuid4())


def storage_key_for(file_id: str) -> str:
    # Two-character shards keep any one folder of the local store small.
    return f"{FILES_PREFIX}{file_id[:2]}/{file_id}"


# ---- reading ------------------------------------------------------------------------------


def readable_files(actor: Actor) -> Select[File]:
    """The files `actor` may read: their own uploads and files granted to them. Every read starts here."""
    granted = select(FileGrant.file_id).where(FileGrant.person_id == actor.person_id)
    return select(File).where(or_(File.owner_id == actor.person_id, File.id.in_(granted)))


async def access_file(session: AsyncSession, actor: Actor, file_id: str) -> File:
    """The file, if `actor` may read it; a file they may not read looks like no file at all."""
    file = (await session.execute(readable_files(actor).where(File.id == file_id))).scalar_one_or_none()
    if file is None:
        raise NotFound("file_not_found")
    return file


# ---- writing ------------------------------------------------------------------------------


@dataclass
class StoredBlob:
    """What `store_upload` learnt about the bytes while they streamed past."""

    key: str
    size: int = 0
    sha256: str = ""
    content_type: str = ""
    has_thumbnail: bool = False
    head: bytearray = field(default_factory=bytearray, repr=False)


async def store_upload(
    store: BlobStore, key: str, chunks: AsyncIterable[bytes], *, filename: str, limit: int
) -> StoredBlob:
    """Stream `chunks` into the store under `key`, hashing and counting as they pass.

    Raises PayloadTooLarge as soon as more than `limit` bytes arrive; the store then keeps
    nothing under `key`. Makes the thumbnail for images.
    """
    blob = StoredBlob(key)
    digest = hashlib.sha256()

    async def measured() -> AsyncIterator[bytes]:
        async for chunk in chunks:
            blob.size += len(chunk)
            if blob.size > limit:
                raise PayloadTooLarge(limit)
            digest.update(chunk)
            if len(blob.head) < SNIFF_BYTES:
                blob.head += chunk[: SNIFF_BYTES - len(blob.head)]
            yield chunk

    await store.put(key, measured())
    blob.sha256 = digest.hexdigest()
    blob.content_type = sniff_content_type(bytes(blob.head), filename)
    blob.has_thumbnail = await make_thumbnail(store, key, blob.content_type, blob.size)
    return blob


async def discard_blobs(store: BlobStore, storage_key: str) -> None:
    """Remove a file's blobs (the upload's cleanup when its transaction did not commit)."""
    for key in (storage_key, thumbnail_key(storage_key)):
        try:
            await store.delete(key)
        except Exception:
            # sweep_orphans will find it later; the caller is already handling an error.
            log.exception("could not delete blob %s", key)


async def do_create_file(
    session: AsyncSession, actor: Actor, file_id: str, name: str, blob: StoredBlob
) -> File:
    """Record an uploaded file, owned by `actor`."""
    file = File(
        id=file_id,
        owner_id=actor.person_id,
        name=name,
        size=blob.size,
        content_type=blob.content_type,
        sha256=blob.sha256,
        storage_key=blob.key,
        has_thumbnail=blob.has_thumbnail,
        created_at=utcnow(),
    )
    session.add(file)
    await session.flush()
    return file


async def files_by_id(session: AsyncSession, file_ids: Iterable[str]) -> dict[str, File]:
    """File rows for ids another capability already holds (no access check: it checked when sharing)."""
    ids = set(file_ids)
    if not ids:
        return {}
    rows = await session.execute(select(File).where(File.id.in_(ids)))
    return {f.id: f for f in rows.scalars()}


async def grant_read(session: AsyncSession, file_id: str, person_ids: Iterable[int]) -> None:
    """Let these people read the file; granting twice is harmless.

    The caller decides whether sharing is allowed (typically: the sharer can read the file,
    checked with `access_file`, and the people are the chat's or approval's participants).
    """
    rows = [{"file_id": file_id, "person_id": pid, "created_at": utcnow()} for pid in sorted(set(person_ids))]
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(FileGrant).values(rows).on_conflict_do_nothing()
        await session.execute(pg)
    else:
        lite = sqlite.insert(FileGrant).values(rows).on_conflict_do_nothing()
        await session.execute(lite)


# ---- housekeeping -------------------------------------------------------------------------


async def sweep_orphans(
    session: AsyncSession,
    store: BlobStore,
    *,
    older_than: dt.timedelta = ORPHAN_AGE,
    now: dt.datetime | None = None,
) -> int:
    """Delete blobs under files/ that no row refers to and that are older than `older_than`.

    Also discards unfinished writes (temporary files, abandoned multipart uploads) of the same
    age. Returns how many blobs and unfinished writes were removed. Meant for a periodic job.
    """
    cutoff = (now or utcnow()) - older_than
    removed = await store.discard_incomplete(cutoff)
    batch: list[str] = []
    async for info in store.list_keys(FILES_PREFIX):
        if info.modified_at < cutoff:
            batch.append(info.key)
        if len(batch) >= _SWEEP_BATCH:
            removed += await _sweep_batch(session, store, batch)
            batch = []
    if batch:
        removed += await _sweep_batch(session, store, batch)
    return removed


async def _sweep_batch(session: AsyncSession, store: BlobStore, keys: list[str]) -> int:
    owners = {key.removesuffix(THUMBNAIL_SUFFIX) for key in keys}
    live = set(
        (await session.execute(select(File.storage_key).where(File.storage_key.in_(owners)))).scalars()
    )
    removed = 0
    for key in keys:
        if key.removesuffix(THUMBNAIL_SUFFIX) not in live:
            log.info("deleting orphan blob %s", key)
            await store.delete(key)
            removed += 1
    return removed
