"""Serving a blob over HTTP: byte ranges, validators and safe Content-Disposition."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tongban.core.errors import AppError, NotFound
from tongban.core.storage import BlobNotFound, BlobStore

log = logging.getLogger(__name__)

_DIGITS = re.compile(r"[0-9]{1,19}")


class RangeNotSatisfiable(AppError):
    status_code = 416

    def __init__(self, size: int) -> None:
        super().__init__("range_not_satisfiable", headers={"Content-Range": f"bytes */{size}"})


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The single byte range a Range header asks for, as (start, end exclusive).

    None means "send the whole file": no header, a unit other than bytes, or several ranges
    (RFC 9110 §14.2 lets a server ignore those). A malformed or unsatisfiable bytes range is
    refused with 416.
    """
    if header is None:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None
    first, dash, last = (part.strip() for part in spec.strip().partition("-"))
    if not dash or (first and not _DIGITS.fullmatch(first)) or (last and not _DIGITS.fullmatch(last)):
        raise RangeNotSatisfiable(size)
    if not first:  # suffix range: the last N bytes
        if not last or int(last) == 0 or size == 0:
            raise RangeNotSatisfiable(size)
        return max(0, size - int(last)), size
    start = int(first)
    if start >= size or (last and int(last) < start):
        raise RangeNotSatisfiable(size)
    end = min(int(last) + 1, size) if last else size
    return start, end


def content_disposition(kind: str, filename: str | None) -> str:
    """`kind` plus the name in both forms: an ASCII fallback and RFC 5987 UTF-8 (中文 names)."""
    if not filename:
        return kind
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\%' else "_" for c in filename)
    value = f'{kind}; filename="{fallback}"'
    if fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in candidates or etag in candidates


def _headers(etag: str, media_type: str, disposition: str) -> dict[str, str]:
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        # Access can be withdrawn, so caches must ask again; the ETag makes that cheap.
        "Cache-Control": "private, no-cache",
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
    }
    if media_type != "application/pdf":  # the browsers' PDF viewers refuse to run sandboxed
        headers["Content-Security-Policy"] = "sandbox"
    return headers


def bytes_response(
    request: Request, data: bytes, *, media_type: str, etag: str, disposition: str
) -> Response:
    """A small blob already in memory (a thumbnail), with the same validators as `blob_response`."""
    etag = f'"{etag}"'
    headers = _headers(etag, media_type, disposition)
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media_type, headers=headers)


async def blob_response(
    request: Request,
    store: BlobStore,
    key: str,
    *,
    size: int,
    media_type: str,
    etag: str,
    disposition: str,
) -> Response:
    """A streamed response for the blob, honouring Range, If-Range and If-None-Match."""
    etag = f'"{etag}"'
    headers = _headers(etag, media_type, disposition)
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    if_range = request.headers.get("if-range")
    byte_range = parse_range(request.headers.get("range"), size) if if_range in (None, etag) else None
    start, end = byte_range or (0, size)
    status = 200
    if byte_range is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)

    body = store.open_range(key, start, end)
    # Pull the first chunk now: a missing blob must become an error response, not a
    # 200 whose body breaks off after the headers went out.
    try:
        first = await anext(body, b"")
    except BlobNotFound:
        log.error("blob %s is missing", key)
        raise NotFound("file_not_found") from None

    async def stream() -> AsyncIterator[bytes]:
        try:
            if first:
                yield first
            async for chunk in body:
                yield chunk
        finally:
            await body.aclose()

    return StreamingResponse(stream(), status_code=status, media_type=media_type, headers=headers)
