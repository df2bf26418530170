"""Blob storage: uploaded bytes live here, their metadata in the database.

Two stores behind one `BlobStore` protocol: `LocalBlobStore` (a directory; the embedded default)
and `S3BlobStore` (any S3-compatible service; scaled-out deployments). Both guarantee that a key
either holds a complete blob or nothing: the local store writes to a temporary file and renames
it into place, S3 only shows an object once its (multipart) upload is complete. Leftovers of
writes that never finished (a crash mid-upload) are removed by `discard_incomplete`.

Keys are relative, slash-separated paths of `[A-Za-z0-9._-]` segments that never start with a
dot (dot-names are the local store's temporary files).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import re
import tempfile
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any, BinaryIO, Protocol
from urllib.parse import parse_qs, urlsplit

import anyio

from tongban.core.config import Settings

CHUNK_SIZE = 256 * 1024
TEMP_PREFIX = ".tmp-"
_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")


class BlobNotFound(KeyError):
    """No blob under this key."""


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int
    modified_at: dt.datetime


class BlobStore(Protocol):
    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        """Store the chunks under `key` (replacing any blob there) and return the size.

        If `chunks` raises, the exception propagates and nothing is left under `key`."""
        ...

    def open_range(self, key: str, start: int = 0, end: int | None = None) -> AsyncGenerator[bytes, None]:
        """The bytes `start` (inclusive) to `end` (exclusive; None for the end of the blob).

        Raises BlobNotFound on first iteration when the key holds nothing."""
        ...

    async def size(self, key: str) -> int:
        """The blob's size in bytes; raises BlobNotFound."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove the blob; a missing key is not an error."""
        ...

    def list_keys(self, prefix: str = "") -> AsyncIterator[BlobInfo]:
        """Every complete blob whose key starts with `prefix`, in no particular order."""
        ...

    async def discard_incomplete(self, older_than: dt.datetime) -> int:
        """Remove writes that started before `older_than` and never finished; return how many."""
        ...

    async def close(self) -> None: ...


def check_key(key: str) -> str:
    if len(key) > 512 or not _KEY.match(key):
        raise ValueError(f"invalid blob key {key!r}")
    return key


async def read_all(store: BlobStore, key: str, *, limit: int | None = None) -> bytes:
    """A whole (small) blob in memory; `limit` guards against reading more than expected."""
    out = bytearray()
    async with contextlib.aclosing(store.open_range(key)) as chunks:
        async for chunk in chunks:
            out += chunk
            if limit is not None and len(out) > limit:
                raise ValueError(f"blob {key!r} is larger than {limit} bytes")
    return bytes(out)


# ---- local directory ---------------------------------------------------------------------


class LocalBlobStore:
    """Blobs as files under `root`, one file per key."""

    # Incoming chunks are gathered into writes of this size, so a stream of small network
    # reads does not cost a thread hop each.
    write_buffer = 1024 * 1024

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        path = self._path(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        # Same folder as the target: the rename below is then atomic (same file system).
        fd, tmp_name = await asyncio.to_thread(tempfile.mkstemp, dir=path.parent, prefix=TEMP_PREFIX)
        tmp = Path(tmp_name)
        file = os.fdopen(fd, "wb")
        size = 0
        try:
            buffer = bytearray()
            async for chunk in chunks:
                buffer += chunk
                size += len(chunk)
                if len(buffer) >= self.write_buffer:
                    await asyncio.to_thread(file.write, bytes(buffer))
                    buffer.clear()
            if buffer:
                await asyncio.to_thread(file.write, bytes(buffer))
            await asyncio.to_thread(_commit_file, file, tmp, path)
        except BaseException:
            # Synchronous on purpose: this also runs when the request is being cancelled,
            # where an await would be interrupted before the temporary file is gone.
            file.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return size

    async def open_range(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AsyncGenerator[bytes, None]:
        path = self._path(key)
        try:
            file = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise BlobNotFound(key) from None
        try:
            await asyncio.to_thread(file.seek, start)
            remaining = None if end is None else max(0, end - start)
            while remaining is None or remaining > 0:
                want = CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining)
                chunk = await asyncio.to_thread(file.read, want)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            file.close()

    async def size(self, key: str) -> int:
        path = self._path(key)
        try:
            stat = await asyncio.to_thread(path.stat)
        except (FileNotFoundError, NotADirectoryError):
            raise BlobNotFound(key) from None
        if not S_ISREG(stat.st_mode):
            raise BlobNotFound(key)
        return stat.st_size

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def delete(self, key: str) -> None:
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            await asyncio.to_thread(path.unlink)

    async def list_keys(self, prefix: str = "") -> AsyncIterator[BlobInfo]:
        for info in await asyncio.to_thread(self._scan, prefix, temporary=False):
            yield info

    async def discard_incomplete(self, older_than: dt.datetime) -> int:
        stale = [
            info
            for info in await asyncio.to_thread(self._scan, "", temporary=True)
            if info.modified_at < older_than
        ]
        for info in stale:
            with contextlib.suppress(FileNotFoundError):
                await asyncio.to_thread((self.root / info.key).unlink)
        return len(stale)

    def _scan(self, prefix: str, *, temporary: bool) -> list[BlobInfo]:
        found: list[BlobInfo] = []
        if not self.root.is_dir():
            return found
        for folder, _dirs, names in os.walk(self.root):
            for name in names:
                if name.startswith(TEMP_PREFIX) != temporary:
                    continue
                full = Path(folder) / name
                key = full.relative_to(self.root).as_posix()
                if not key.startswith(prefix):
                    continue
                try:
                    stat = full.stat()
                except FileNotFoundError:  # deleted while we walked
                    continue
                found.append(BlobInfo(key, stat.st_size, dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)))
        return found

    async def close(self) -> None:
        return None


def _commit_file(file: BinaryIO, tmp: Path, path: Path) -> None:
    """Make the temporary file durable, then give it its real name."""
    file.flush()
    os.fsync(file.fileno())
    file.close()
    os.replace(tmp, path)
    # The rename itself is only durable once the folder is synced.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# ---- S3 ----------------------------------------------------------------------------------


class S3BlobStore:
    """Blobs as objects in one bucket (under an optional key prefix), through aioboto3.

    Large blobs go up as multipart uploads of `part_size` parts, so memory stays at one part
    per upload; small ones as a single PUT. Reads are ranged GETs.
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> None:
        import aioboto3
        from botocore.config import Config

        if part_size < 5 * 1024 * 1024:
            raise ValueError("S3 multipart parts must be at least 5 MiB")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.part_size = part_size
        # Credentials left as None fall back to boto's own chain (AWS_* variables, profiles).
        self._session = aioboto3.Session(
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None, region_name=region
        )
        self._client_args: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            # Self-hosted S3 (SeaweedFS, MinIO) is usually reached by IP, where only
            # path-style addressing works.
            "config": Config(
                signature_version="s3v4",
                s3={"addressing_style": "path" if endpoint_url else "auto"},
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        }
        self._client: Any = None
        self._stack = contextlib.AsyncExitStack()
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    self._client = await self._stack.enter_async_context(
                        self._session.client("s3", **self._client_args)
                    )
        return self._client

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        s3, name = await self._s3(), self._key(key)
        buffer = bytearray()
        size = 0
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []

        async def send_part(data: bytes) -> None:
            number = len(parts) + 1
            reply = await s3.upload_part(
                Bucket=self.bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=data
            )
            parts.append({"ETag": reply["ETag"], "PartNumber": number})

        try:
            async for chunk in chunks:
                buffer += chunk
                size += len(chunk)
                while len(buffer) >= self.part_size:
                    if upload_id is None:
                        reply = await s3.create_multipart_upload(Bucket=self.bucket, Key=name)
                        upload_id = reply["UploadId"]
                    await send_part(bytes(buffer[: self.part_size]))
                    del buffer[: self.part_size]
            if upload_id is None:
                await s3.put_object(Bucket=self.bucket, Key=name, Body=bytes(buffer))
            else:
                if buffer:
                    await send_part(bytes(buffer))
                await s3.complete_multipart_upload(
                    Bucket=self.bucket, Key=name, UploadId=upload_id, MultipartUpload={"Parts": parts}
                )
        except BaseException:
            if upload_id is not None:
                # Shielded: a cancelled request must still free the parts already uploaded.
                with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
                    await s3.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
            raise
        return size

    async def open_range(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AsyncGenerator[bytes, None]:
        from botocore.exceptions import ClientError

        if end is not None and end <= start:
            if not await self.exists(key):
                raise BlobNotFound(key)
            return
        s3 = await self._s3()
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self._key(key)}
        if start or end is not None:
            args["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            reply = await s3.get_object(**args)
        except ClientError as exc:
            code = _error_code(exc)
            if code in _MISSING:
                raise BlobNotFound(key) from None
            if code == "InvalidRange":  # start at or past the end: nothing to read
                return
            raise
        body = reply["Body"]
        try:
            async for chunk in body.iter_chunks(CHUNK_SIZE):
                yield chunk
        finally:
            body.close()

    async def size(self, key: str) -> int:
        from botocore.exceptions import ClientError

        s3 = await self._s3()
        try:
            reply = await s3.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _error_code(exc) in _MISSING:
                raise BlobNotFound(key) from None
            raise
        return int(reply["ContentLength"])

    async def exists(self, key: str) -> bool:
        try:
            await self.size(key)
        except BlobNotFound:
            return False
        return True

    async def delete(self, key: str) -> None:
        s3 = await self._s3()
        await s3.delete_object(Bucket=self.bucket, Key=self._key(key))

    async def list_keys(self, prefix: str = "") -> AsyncIterator[BlobInfo]:
        s3 = await self._s3()
        paginator = s3.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for item in page.get("Contents", []):
                yield BlobInfo(item["Key"][len(self.prefix) :], int(item["Size"]), item["LastModified"])

    async def discard_incomplete(self, older_than: dt.datetime) -> int:
        s3 = await self._s3()
        paginator = s3.get_paginator("list_multipart_uploads")
        count = 0
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < older_than:
                    await s3.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    count += 1
        return count

    async def create_bucket(self) -> None:
        """Create the bucket if it is missing (tests and first-run setups)."""
        from botocore.exceptions import ClientError

        s3 = await self._s3()
        try:
            await s3.head_bucket(Bucket=self.bucket)
        except ClientError:
            await s3.create_bucket(Bucket=self.bucket)

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None


_MISSING = frozenset({"NoSuchKey", "NotFound", "404"})


def _error_code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


# ---- from settings -----------------------------------------------------------------------


def blob_store_from_settings(settings: Settings) -> BlobStore:
    """The store `settings.storage_url` names.

    "" → the local folder `data_dir/blobs`; "file:///path" → that folder;
    "s3://BUCKET[/prefix]?endpoint=http://host:port&region=REGION" → S3, credentials from
    TONGBAN_S3_ACCESS_KEY / TONGBAN_S3_SECRET_KEY, else the usual AWS_* variables.
    """
    url = settings.storage_url.strip()
    if not url:
        return LocalBlobStore(settings.blob_dir)
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalBlobStore(Path(parts.path))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError("TONGBAN_STORAGE_URL: s3:// needs a bucket name")
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        part_mib = query.get("part_size_mib")
        return S3BlobStore(
            parts.netloc,
            prefix=parts.path,
            endpoint_url=query.get("endpoint") or None,
            region=query.get("region") or None,
            access_key=settings.s3_access_key or None,
            secret_key=settings.s3_secret_key.get_secret_value() or None,
            part_size=int(part_mib) * 1024 * 1024 if part_mib else 8 * 1024 * 1024,
        )
    raise ValueError(f"TONGBAN_STORAGE_URL: unsupported scheme {parts.scheme!r} (use s3:// or file://)")
