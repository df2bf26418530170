from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Path, Request, Response, status

from tongban.auth.deps import CurrentActor, get_actor
from tongban.core.deps import DB, AppSettings, DbSession
from tongban.core.errors import NotFound
from tongban.core.permissions import Actor
from tongban.core.storage import BlobNotFound, BlobStore, read_all
from tongban.files import service
from tongban.files.content_types import is_inline_safe, response_media_type
from tongban.files.downloads import blob_response, bytes_response, content_disposition
from tongban.files.schemas import FileRead
from tongban.files.thumbnails import THUMBNAIL_MAX_BYTES, thumbnail_key, thumbnail_media_type
from tongban.files.upload import MultipartFileStream, check_content_length

router = APIRouter(prefix="/api/files", tags=["files"])

FileId = Annotated[str, Path(max_length=36)]


def _blobs(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blobs
    return store


Blobs = Annotated[BlobStore, Depends(_blobs)]


async def _uploader(request: Request, db: DB) -> Actor:
    # Authenticate in a short read transaction of its own. The usual DbSession of a POST is a
    # write transaction (on SQLite it takes the database's write lock at once), and an upload
    # may stream for minutes: holding the lock that long would stall every other writer.
    async with db.transaction(write=False) as session:
        return await get_actor(request, session)


Uploader = Annotated[Actor, Depends(_uploader)]

# The multipart body of one `file` field, for routes that read the upload themselves (streamed).
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post("", response_model=FileRead, status_code=status.HTTP_201_CREATED, openapi_extra=UPLOAD_BODY)
async def upload_file(
    request: Request, actor: Uploader, db: DB, settings: AppSettings, store: Blobs
) -> FileRead:
    """Upload one file (multipart field `file`). Its type is judged from its bytes."""
    limit = settings.upload_max_bytes
    check_content_length(request, limit)
    upload = MultipartFileStream(request, field="file", limit=limit)
    filename = await upload.start()
    file_id = service.new_file_id()
    key = service.storage_key_for(file_id)
    # Bytes first, under a key nobody else uses, then the row in one short transaction.
    # Whatever fails (too big, client gone, commit refused), the blobs go again.
    try:
        blob = await service.store_upload(store, key, upload.chunks(), filename=filename, limit=limit)
        async with db.transaction() as session:
            file = await service.do_create_file(session, actor, file_id, filename, blob)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await service.discard_blobs(store, key)
        raise
    return FileRead.model_validate(file)


@router.get("/{file_id}", response_model=FileRead)
async def get_file(file_id: FileId, session: DbSession, actor: CurrentActor) -> FileRead:
    return FileRead.model_validate(await service.access_file(session, actor, file_id))


@router.get(
    "/{file_id}/content",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, 206: {"description": "Partial content"}},
)
async def download_file(
    file_id: FileId, request: Request, session: DbSession, actor: CurrentActor, store: Blobs
) -> Response:
    """The file's bytes; supports a single `Range: bytes=...`."""
    file = await service.access_file(session, actor, file_id)
    inline = is_inline_safe(file.content_type)
    return await blob_response(
        request,
        store,
        file.storage_key,
        size=file.size,
        media_type=response_media_type(file.content_type),
        etag=file.sha256,
        disposition=content_disposition("inline" if inline else "attachment", file.name),
    )


@router.get(
    "/{file_id}/thumbnail",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
async def get_thumbnail(
    file_id: FileId, request: Request, session: DbSession, actor: CurrentActor, store: Blobs
) -> Response:
    """A preview of an image, at most 256 px on each side (JPEG, or PNG when transparent)."""
    file = await service.access_file(session, actor, file_id)
    if not file.has_thumbnail:
        raise NotFound("thumbnail_not_found")
    try:
        data = await read_all(store, thumbnail_key(file.storage_key), limit=THUMBNAIL_MAX_BYTES)
    except BlobNotFound:
        raise NotFound("thumbnail_not_found") from None
    return bytes_response(
        request,
        data,
        media_type=thumbnail_media_type(data),
        etag=f"{file.sha256}-thumbnail",
        disposition="inline",
    )
