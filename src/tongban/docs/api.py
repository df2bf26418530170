"""`/api/docs`: documents, sharing, marks, import/export. The live content goes over the Yjs
socket at `/api/docs/ws/{document_id}` (docs/relay.py)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile, status

from tongban.auth.deps import CurrentActor, get_actor
from tongban.core.deps import DB, DbSession
from tongban.core.permissions import Actor
from tongban.core.storage import BlobStore
from tongban.docs import cards as _cards  # noqa: F401 - registers the "doc" card type
from tongban.docs import comments, images, search, service, store, versions
from tongban.docs.access import access_document
from tongban.docs.imports import read_upload
from tongban.docs.schemas import (
    CommentCreate,
    CommentRead,
    CommentUpdate,
    DiffLine,
    DocGrantRead,
    DocSearchHit,
    DocumentCreate,
    DocumentRead,
    DocumentUpdate,
    GrantCreate,
    Scope,
    VersionCreate,
    VersionRead,
)
from tongban.files.api import UPLOAD_BODY
from tongban.files.content_types import response_media_type
from tongban.files.downloads import blob_response, content_disposition
from tongban.files.schemas import FileRead
from tongban.files.upload import MultipartFileStream, check_content_length

router = APIRouter(prefix="/api/docs", tags=["docs"])


async def _one(session: DbSession, actor: CurrentActor, document_id: int) -> DocumentRead:
    document, _ = await access_document(session, actor, document_id)
    (read,) = await service.render(session, actor, [document])
    return read


@router.get("", response_model=list[DocumentRead])
async def list_documents(
    session: DbSession,
    actor: CurrentActor,
    scope: Scope = "mine",
    parent_id: int | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
) -> list[DocumentRead]:
    """My documents (or one page's sub-pages), shared with me, recent, starred; `q` filters."""
    documents = await service.list_documents(session, actor, scope, parent_id, q.strip())
    return await service.render(session, actor, documents)


@router.get("/search", response_model=list[DocSearchHit])
async def search_documents(
    session: DbSession, actor: CurrentActor, q: Annotated[str, Query(min_length=1, max_length=200)]
) -> list[DocSearchHit]:
    """Documents whose title or text holds every term (substring, Latin case ignored), among
    those I may read; newest first, with a highlighted snippet."""
    return await search.search_documents(session, actor, q)


@router.post("", response_model=DocumentRead, status_code=status.HTTP_201_CREATED)
async def create_document(body: DocumentCreate, session: DbSession, actor: CurrentActor) -> DocumentRead:
    document = await service.do_create(session, actor, body)
    return await _one(session, actor, document.id)


@router.post("/import", response_model=DocumentRead, status_code=status.HTTP_201_CREATED)
async def import_document(
    session: DbSession,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="Markdown, HTML or DOCX, at most 10 MB")],
    parent_id: Annotated[int | None, Query()] = None,
) -> DocumentRead:
    """A new document from a Markdown, HTML or Word file (scripts and unknown markup dropped)."""
    title, nodes = await read_upload(file)
    document = await service.do_create(
        session, actor, DocumentCreate(title=title, parent_id=parent_id), nodes
    )
    return await _one(session, actor, document.id)


# ---- images (before "/{document_id}", which would otherwise claim "/images/...") ----


@router.post(
    "/{document_id}/images",
    response_model=FileRead,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_BODY,
)
async def upload_image(document_id: int, request: Request, db: DB) -> FileRead:
    """Upload an image into the document (editors; multipart field `file`, at most 10 MB).

    PNG, JPEG, GIF or WebP judged from the bytes; anything else is refused with 415. The image is
    then at `/api/docs/images/{id}` for everyone who may read the document."""
    # Access is checked in a short read transaction of its own: the upload may stream for a
    # while and must not hold a write transaction (SQLite's write lock) meanwhile.
    async with db.transaction(write=False) as session:
        actor: Actor = await get_actor(request, session)
        await access_document(session, actor, document_id, "editor")
    check_content_length(request, images.IMAGE_MAX_BYTES)
    upload = MultipartFileStream(request, field="file", limit=images.IMAGE_MAX_BYTES)
    filename = await upload.start()
    blobs: BlobStore = request.app.state.blobs
    file_id, blob = await images.store_image(blobs, upload.chunks(), filename)
    try:
        async with db.transaction() as session:
            file = await images.do_attach(session, actor, document_id, file_id, filename, blob)
    except BaseException:
        await images.discard(blobs, blob.key)
        raise
    return FileRead.model_validate(file)


@router.get(
    "/images/{file_id}",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}}}},
)
async def get_image(
    file_id: Annotated[str, Path(max_length=36)], request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """An image of a document the caller may read (404 otherwise, as if it did not exist)."""
    file = await images.readable_image(session, actor, file_id)
    return await blob_response(
        request,
        request.app.state.blobs,
        file.storage_key,
        size=file.size,
        media_type=response_media_type(file.content_type),
        etag=file.sha256,
        disposition=content_disposition("inline", file.name),
    )


@router.get("/{document_id}", response_model=DocumentRead)
async def get_document(document_id: int, session: DbSession, actor: CurrentActor) -> DocumentRead:
    return await _one(session, actor, document_id)


@router.post("/{document_id}/open", status_code=status.HTTP_204_NO_CONTENT)
async def open_document(document_id: int, session: DbSession, actor: CurrentActor) -> None:
    """Record that the caller opened it (their "recent" list; link-shared documents join it)."""
    await access_document(session, actor, document_id)
    await service.mark_opened(session, actor, document_id)


@router.patch("/{document_id}", response_model=DocumentRead)
async def update_document(
    document_id: int, body: DocumentUpdate, session: DbSession, actor: CurrentActor
) -> DocumentRead:
    """Rename or move (editors); set link sharing (the owner)."""
    await service.do_update(session, actor, document_id, body)
    return await _one(session, actor, document_id)


@router.delete("/{document_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_document(document_id: int, session: DbSession, actor: CurrentActor) -> None:
    await service.do_delete(session, actor, document_id)


@router.post("/{document_id}/copy", response_model=DocumentRead, status_code=status.HTTP_201_CREATED)
async def copy_document(document_id: int, session: DbSession, actor: CurrentActor) -> DocumentRead:
    copy = await service.do_copy(session, actor, document_id)
    return await _one(session, actor, copy.id)


@router.put("/{document_id}/star", status_code=status.HTTP_204_NO_CONTENT)
async def star(document_id: int, session: DbSession, actor: CurrentActor) -> None:
    await service.do_star(session, actor, document_id, True)


@router.delete("/{document_id}/star", status_code=status.HTTP_204_NO_CONTENT)
async def unstar(document_id: int, session: DbSession, actor: CurrentActor) -> None:
    await service.do_star(session, actor, document_id, False)


@router.get("/{document_id}/access", response_model=list[DocGrantRead])
async def list_grants(document_id: int, session: DbSession, actor: CurrentActor) -> list[DocGrantRead]:
    return await service.list_grants(session, actor, document_id)


@router.post("/{document_id}/access", response_model=DocGrantRead)
async def grant(document_id: int, body: GrantCreate, session: DbSession, actor: CurrentActor) -> DocGrantRead:
    """Share with a person or a department (the owner); an existing grant changes its role."""
    row = await service.do_grant(session, actor, document_id, body)
    grants = await service.list_grants(session, actor, document_id)
    return next(g for g in grants if g.id == row.id)


@router.delete("/{document_id}/access/{grant_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke(document_id: int, grant_id: int, session: DbSession, actor: CurrentActor) -> None:
    await service.do_revoke(session, actor, document_id, grant_id)


@router.get("/{document_id}/state", response_class=Response)
async def get_state(document_id: int, session: DbSession, actor: CurrentActor) -> Response:
    """The whole Yjs state as one update (application/octet-stream), for offline readers."""
    await access_document(session, actor, document_id)
    return Response(await store.state(session, document_id), media_type="application/octet-stream")


@router.get("/{document_id}/export", response_class=Response)
async def export(
    document_id: int,
    session: DbSession,
    actor: CurrentActor,
    request: Request,
    format: Annotated[str, Query(pattern="^(markdown|html|text|docx|pdf)$")] = "markdown",
) -> Response:
    """The document as a file to download: Markdown, HTML, plain text, Word or PDF."""
    body, media_type = await service.export(session, actor, document_id, format, request.app.state.blobs)
    document, _ = await access_document(session, actor, document_id)
    ext = {"markdown": "md", "html": "html", "text": "txt", "docx": "docx", "pdf": "pdf"}[format]
    filename = quote(f"{document.title or 'document'}.{ext}")
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


# ---- version history ----


@router.get("/{document_id}/versions", response_model=list[VersionRead])
async def list_versions(document_id: int, session: DbSession, actor: CurrentActor) -> list[VersionRead]:
    """Newest first: automatic versions (empty name) and named ones."""
    return await versions.list_versions(session, actor, document_id)


@router.post("/{document_id}/versions", response_model=VersionRead, status_code=status.HTTP_201_CREATED)
async def create_version(
    document_id: int, body: VersionCreate, session: DbSession, actor: CurrentActor
) -> VersionRead:
    version = await versions.do_create(session, actor, document_id, body.name)
    listed = await versions.list_versions(session, actor, document_id)
    return next(v for v in listed if v.id == version.id)


@router.get("/{document_id}/versions/{version_id}/state", response_class=Response)
async def version_state(
    document_id: int, version_id: int, session: DbSession, actor: CurrentActor
) -> Response:
    """The version's Yjs state, for a read-only view in the editor."""
    state = await versions.version_state(session, actor, document_id, version_id)
    return Response(state, media_type="application/octet-stream")


@router.get("/{document_id}/versions/{version_id}/diff", response_model=list[DiffLine])
async def version_diff(
    document_id: int, version_id: int, session: DbSession, actor: CurrentActor
) -> list[DiffLine]:
    """What changed from this version to the current content, line by line."""
    return [DiffLine(**line) for line in await versions.diff(session, actor, document_id, version_id)]


@router.post("/{document_id}/versions/{version_id}/restore", status_code=status.HTTP_204_NO_CONTENT)
async def restore_version(document_id: int, version_id: int, session: DbSession, actor: CurrentActor) -> None:
    """Make the content the version's again, as a new change (editors)."""
    await versions.do_restore(session, actor, document_id, version_id)


# ---- comments ----


@router.get("/{document_id}/comments", response_model=list[CommentRead])
async def list_comments(document_id: int, session: DbSession, actor: CurrentActor) -> list[CommentRead]:
    return await comments.list_comments(session, actor, document_id)


@router.post("/{document_id}/comments", response_model=CommentRead, status_code=status.HTTP_201_CREATED)
async def create_comment(
    document_id: int, body: CommentCreate, session: DbSession, actor: CurrentActor
) -> CommentRead:
    """A new thread on a range (with `anchor`), or a reply (`parent_id`); mentions notify."""
    comment = await comments.do_create(session, actor, document_id, body)
    listed = await comments.list_comments(session, actor, document_id)
    return next(c for c in listed if c.id == comment.id)


@router.patch("/{document_id}/comments/{comment_id}", response_model=CommentRead)
async def update_comment(
    document_id: int, comment_id: int, body: CommentUpdate, session: DbSession, actor: CurrentActor
) -> CommentRead:
    """Resolve or reopen the comment's thread."""
    root = await comments.do_resolve(session, actor, document_id, comment_id, body.resolved)
    listed = await comments.list_comments(session, actor, document_id)
    return next(c for c in listed if c.id == root.id)


@router.delete("/{document_id}/comments/{comment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_comment(document_id: int, comment_id: int, session: DbSession, actor: CurrentActor) -> None:
    await comments.do_delete(session, actor, document_id, comment_id)
