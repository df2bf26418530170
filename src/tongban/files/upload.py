"""Reading one file out of a multipart/form-data request as its bytes arrive.

FastAPI's `UploadFile` is only handed to the route after the whole body has been spooled to a
temporary file, so a size limit checked there comes too late (the disk already took the bytes)
and every upload is written twice. Here the body is parsed while it streams in and the wanted
part's bytes are passed straight on to the blob store.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import AsyncIterator

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from tongban.core.errors import Invalid
from tongban.files.service import PayloadTooLarge

# Room for the part headers, boundaries and a few small form fields besides the file itself.
MULTIPART_OVERHEAD = 64 * 1024
_UNSAFE_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def clean_filename(raw: str) -> str:
    """The last path segment, without control characters, at most 255 characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME_CHARS.sub("", name).strip()
    return name[:255] or "file"


def check_content_length(request: Request, limit: int) -> None:
    """Refuse before reading anything when the declared body is already too big."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        raise PayloadTooLarge(limit)


class MultipartFileStream:
    """The first part named `field` that carries a filename, read from the request stream.

    `await stream.start()` reads up to that part's headers and returns its file name; then
    `stream.chunks()` yields its bytes as they arrive. At most `limit + MULTIPART_OVERHEAD` body
    bytes are read in all (a chunked request has no Content-Length to check up front).
    """

    def __init__(self, request: Request, *, field: str, limit: int) -> None:
        content_type, params = parse_options_header(request.headers.get("content-type"))
        boundary = params.get(b"boundary")
        if content_type != b"multipart/form-data" or not boundary:
            raise Invalid("body", "field.multipart_expected")
        charset = params.get(b"charset", b"utf-8").decode("latin-1")
        try:
            self._charset = codecs.lookup(charset).name
        except LookupError:
            self._charset = "utf-8"
        self._field = field
        self._limit = limit
        self._max_body = limit + MULTIPART_OVERHEAD
        self._body = request.stream().__aiter__()
        self._read = 0
        self._eof = False
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._in_target = False
        self._target_started = False
        self._target_done = False
        self.filename: str | None = None
        self._pending: deque[bytes] = deque()
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
            },
        )

    # -- parser callbacks (synchronous; they only record what they saw) --

    def _on_part_begin(self) -> None:
        self._disposition = b""

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = self._decode(options.get(b"name", b""))
        if name == self._field and b"filename" in options and not self._target_started:
            self._target_started = self._in_target = True
            self.filename = clean_filename(self._decode(options[b"filename"]))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_target and end > start:
            self._pending.append(data[start:end])

    def _on_part_end(self) -> None:
        if self._in_target:
            self._in_target = False
            self._target_done = True

    def _decode(self, raw: bytes) -> str:
        # Browsers send the UTF-8 bytes of the name as they are (RFC 7578 §4.2).
        try:
            return raw.decode(self._charset)
        except UnicodeDecodeError:
            return raw.decode("latin-1")

    # -- reading --

    async def _feed(self) -> None:
        try:
            chunk = await self._body.__anext__()
        except StopAsyncIteration:
            self._eof = True
            self._finalize()
            return
        self._read += len(chunk)
        if self._read > self._max_body:
            raise PayloadTooLarge(self._limit)
        try:
            self._parser.write(chunk)
        except FormParserError:
            raise Invalid("body", "field.multipart_invalid") from None

    def _finalize(self) -> None:
        try:
            self._parser.finalize()
        except FormParserError:
            raise Invalid("body", "field.multipart_invalid") from None

    async def start(self) -> str:
        while not self._target_started and not self._eof:
            await self._feed()
        if self.filename is None:
            raise Invalid(f"body.{self._field}", "field.missing")
        return self.filename

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            while self._pending:
                yield self._pending.popleft()
            if self._target_done:
                break
            if self._eof:  # the body ended inside the file part
                raise Invalid("body", "field.multipart_invalid")
            await self._feed()
        # Read the rest (normally just the closing boundary) so the request is fully consumed.
        while not self._eof:
            await self._feed()
            self._pending.clear()
