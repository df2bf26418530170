"""Images in documents: uploaded through the files capability, seen by whoever may read a
document that holds them.

The bytes go through `tongban.files.service` (streamed, size-limited, hashed, type sniffed from
the bytes: the browser's Content-Type is never believed), so an HTML page sent as
`image/png` is refused here with 415 and its blob is removed again. The file row belongs to the
uploader; `DocImage` ties it to the document, and reading it is a question about the
documents it is in — not a file grant, since a document's readers change with its sharing and
its link role. A copy of a document carries its images along (service.do_copy).

The editor stores `src="/api/docs/images/<file id>"`, a same-origin path the browser fetches
with the session cookie; exports read the same bytes straight from the blob store.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, FieldError, NotFound
from tongban.core.i18n import t
from tongban.core.permissions import Actor
from tongban.core.storage import BlobNotFound, BlobStore, read_all
from tongban.docs import content
from tongban.docs.access import role_of
from tongban.docs.models import DocImage, Document
from tongban.files import service as files
from tongban.files.models import File

i18n.register(
    {
        "field.docs_image_type": (
            "只能插入 PNG、JPEG、GIF 或 WebP 图片（按文件内容判断，当前为 {found}）",
            "only PNG, JPEG, GIF or WebP images can be inserted (judged from the bytes: this is {found})",
        ),
        "docs_image_not_found": ("找不到该图片，或你无权查看", "No such image, or you may not see it"),
    }
)

IMAGE_MAX_BYTES = 10 * 1024 * 1024
# Shown inline by every browser and readable by python's zipfile/fpdf2 for export. SVG is left
# out on purpose: it can carry script.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
SRC_PREFIX = "/api/docs/images/"
_SRC = re.compile(r"^/api/docs/images/([0-9a-f-]{36})$")


class UnsupportedImage(AppError):
    status_code = 415

    def __init__(self, found: str) -> None:
        message = t("field.docs_image_type", found=found)
        super().__init__(
            "validation_error", fields=[FieldError("body.file", "field.docs_image_type", message)]
        )


def image_src(file_id: str) -> str:
    return SRC_PREFIX + file_id


def file_id_of(src: str) -> str | None:
    match = _SRC.match(src or "")
    return match.group(1) if match else None


async def store_image(
    store: BlobStore, chunks: AsyncIterable[bytes], filename: str
) -> tuple[str, files.StoredBlob]:
    """Stream an upload into the blob store; 413 past IMAGE_MAX_BYTES, 415 if not an image.

    The caller records it (`do_attach`) and removes the blobs if that transaction fails."""
    file_id = files.new_file_id()
    key = files.storage_key_for(file_id)
    try:
        blob = await files.store_upload(store, key, chunks, filename=filename, limit=IMAGE_MAX_BYTES)
        if blob.content_type not in IMAGE_TYPES:
            raise UnsupportedImage(blob.content_type)
    except BaseException:
        await files.discard_blobs(store, key)
        raise
    return file_id, blob


async def discard(store: BlobStore, key: str) -> None:
    """Remove an upload's blobs again (its transaction did not commit)."""
    await files.discard_blobs(store, key)


async def do_attach(
    session: AsyncSession, actor: Actor, document_id: int, file_id: str, filename: str, blob: files.StoredBlob
) -> File:
    """Record the uploaded image as the actor's file and as part of the document."""
    file = await files.do_create_file(session, actor, file_id, filename, blob)
    session.add(DocImage(document_id=document_id, file_id=file.id, created_at=utcnow()))
    await session.flush()
    return file


async def readable_image(session: AsyncSession, actor: Actor, file_id: str) -> File:
    """The image's file row, if the actor may read some document that holds it; else 404."""
    holders = (
        await session.execute(select(DocImage.document_id).where(DocImage.file_id == file_id))
    ).scalars()
    for document_id in holders:
        document = await session.get(Document, document_id)
        if document is not None and await role_of(session, actor.person_id, document):
            found = (await files.files_by_id(session, [file_id])).get(file_id)
            if found is not None:
                return found
    raise NotFound("docs_image_not_found")


async def copy_images(session: AsyncSession, source_id: int, target_id: int) -> None:
    ids = (await session.execute(select(DocImage.file_id).where(DocImage.document_id == source_id))).scalars()
    for file_id in ids:
        session.add(DocImage(document_id=target_id, file_id=file_id, created_at=utcnow()))
    await session.flush()


async def image_bytes(
    session: AsyncSession, store: BlobStore, document_id: int, tree: list[content.Node]
) -> dict[str, bytes]:
    """The bytes of this document's own images named in `tree`, keyed by their src (export).

    Only images attached to this document are read: a src pasted from a document the exporter
    may not read stays its alt text."""
    wanted: dict[str, str] = {}

    def walk(nodes: list[content.Node]) -> None:
        for node in nodes:
            if node.get("type") == "image":
                src = str((node.get("attrs") or {}).get("src") or "")
                file_id = file_id_of(src)
                if file_id:
                    wanted[file_id] = src
            walk(node.get("content") or [])

    walk(tree)
    if not wanted:
        return {}
    attached = set(
        (
            await session.execute(
                select(DocImage.file_id).where(
                    DocImage.document_id == document_id, DocImage.file_id.in_(list(wanted))
                )
            )
        ).scalars()
    )
    rows = await files.files_by_id(session, attached)
    out: dict[str, bytes] = {}
    for file_id, file in rows.items():
        try:
            out[wanted[file_id]] = await read_all(store, file.storage_key, limit=IMAGE_MAX_BYTES)
        except (BlobNotFound, ValueError):
            continue
    return out
