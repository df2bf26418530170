"""Small previews of uploaded images, made once at upload time and stored as their own blob."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator

from PIL import Image, ImageOps

from tongban.core.storage import BlobStore, read_all

log = logging.getLogger(__name__)

THUMBNAIL_PX = 256
THUMBNAIL_SUFFIX = ".thumb"
SOURCE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
# Bigger sources are not previewed: decoding them would hold too much memory in one request.
SOURCE_MAX_BYTES = 40 * 1024 * 1024
SOURCE_MAX_PIXELS = 50_000_000
# A 256 px JPEG or PNG is far below this; it only bounds what a read may pull into memory.
THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024


def thumbnail_key(storage_key: str) -> str:
    return storage_key + THUMBNAIL_SUFFIX


def thumbnail_media_type(head: bytes) -> str:
    return "image/png" if head.startswith(b"\x89PNG") else "image/jpeg"


def render_thumbnail(data: bytes) -> bytes | None:
    """A JPEG (PNG when the image has transparency) at most THUMBNAIL_PX on each side."""
    with Image.open(io.BytesIO(data)) as source:
        # Image.open reads only the header, so this refuses decompression bombs before decoding.
        if source.width * source.height > SOURCE_MAX_PIXELS:
            return None
        source.draft("RGB", (THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))  # JPEG: decode at a reduced scale
        image = ImageOps.exif_transpose(source)
        image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
        out = io.BytesIO()
        if has_alpha:
            image.convert("RGBA").save(out, "PNG", optimize=True)
        else:
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue()


async def make_thumbnail(store: BlobStore, storage_key: str, content_type: str, size: int) -> bool:
    """Store a thumbnail next to the blob when it is an image we can preview; True if made."""
    if content_type not in SOURCE_TYPES or size > SOURCE_MAX_BYTES:
        return False
    data = await read_all(store, storage_key, limit=SOURCE_MAX_BYTES)
    try:
        thumbnail = await asyncio.to_thread(render_thumbnail, data)
    except Exception:
        # A preview is a nicety: a truncated or odd image is still a valid upload.
        log.info("no thumbnail for %s", storage_key, exc_info=True)
        return False
    if thumbnail is None:
        return False

    async def one_chunk() -> AsyncIterator[bytes]:
        yield thumbnail

    await store.put(thumbnail_key(storage_key), one_chunk())
    return True
