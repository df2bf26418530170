"""The minutes API: thin routes over minutes/service.py (and uploads.py for recordings)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from tongban.auth.deps import CurrentActor, get_actor
from tongban.core.deps import DB, AppSettings, DbSession
from tongban.core.permissions import Actor
from tongban.core.storage import BlobStore
from tongban.minutes import service, uploads
from tongban.minutes.schemas import (
    MinutesCreate,
    MinutesRead,
    MinutesSearchOut,
    MinutesSegmentRead,
    MinutesSegmentUpdate,
    MinutesShareIn,
    MinutesSpeakerRename,
    MinutesTranscriptOut,
    MinutesUploadBegin,
    MinutesUploadComplete,
    MinutesUploadState,
)

router = APIRouter(prefix="/api/minutes", tags=["minutes"])
UploadId = Annotated[str, Path(max_length=36)]


@router.get("", response_model=list[MinutesRead])
async def list_minutes(session: DbSession, actor: CurrentActor) -> list[MinutesRead]:
    """My minutes and those shared with me (or my departments), newest first."""
    return await service.list_minutes(session, actor)


@router.post("", response_model=MinutesRead, status_code=status.HTTP_201_CREATED)
async def create_minutes(body: MinutesCreate, session: DbSession, actor: CurrentActor) -> MinutesRead:
    """Minutes for a recording already uploaded as a file; its transcription is queued."""
    record = await service.do_create(session, actor, body)
    return await service.present(session, actor, record)


@router.get("/{minutes_id}", response_model=MinutesRead)
async def get_minutes(minutes_id: int, session: DbSession, actor: CurrentActor) -> MinutesRead:
    return await service.present(session, actor, await service.access_minutes(session, actor, minutes_id))


@router.delete("/{minutes_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_minutes(minutes_id: int, session: DbSession, actor: CurrentActor) -> Response:
    await service.do_delete(session, actor, minutes_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{minutes_id}/cancel", response_model=MinutesRead)
async def cancel_minutes(minutes_id: int, session: DbSession, actor: CurrentActor) -> MinutesRead:
    return await service.present(session, actor, await service.do_cancel(session, actor, minutes_id))


@router.post("/{minutes_id}/retry", response_model=MinutesRead)
async def retry_minutes(minutes_id: int, session: DbSession, actor: CurrentActor) -> MinutesRead:
    return await service.present(session, actor, await service.do_retry(session, actor, minutes_id))


@router.get("/{minutes_id}/transcript", response_model=MinutesTranscriptOut)
async def get_transcript(minutes_id: int, session: DbSession, actor: CurrentActor) -> MinutesTranscriptOut:
    """Segments with start/end times and word timestamps (growing while the job runs)."""
    return await service.transcript(session, actor, minutes_id)


@router.patch("/{minutes_id}/segments/{segment_id}", response_model=MinutesSegmentRead)
async def correct_segment(
    minutes_id: int, segment_id: int, body: MinutesSegmentUpdate, session: DbSession, actor: CurrentActor
) -> MinutesSegmentRead:
    """The owner corrects a segment's text; its times and words stay aligned with the audio."""
    segment = await service.do_correct_segment(session, actor, minutes_id, segment_id, body.text)
    return service.segment_out(segment)


@router.post("/{minutes_id}/speakers", response_model=MinutesRead)
async def rename_speaker(
    minutes_id: int, body: MinutesSpeakerRename, session: DbSession, actor: CurrentActor
) -> MinutesRead:
    record = await service.do_rename_speaker(session, actor, minutes_id, body.label, body.name)
    return await service.present(session, actor, record)


@router.get("/{minutes_id}/search", response_model=MinutesSearchOut)
async def search_minutes(
    minutes_id: int,
    session: DbSession,
    actor: CurrentActor,
    q: Annotated[str, Query(max_length=100)] = "",
) -> MinutesSearchOut:
    """Where a word was said: each hit with the time to seek playback to."""
    return await service.search(session, actor, minutes_id, q)


@router.get("/{minutes_id}/shares", response_model=MinutesShareIn)
async def get_shares(minutes_id: int, session: DbSession, actor: CurrentActor) -> MinutesShareIn:
    return await service.shares_of(session, actor, minutes_id)


@router.put("/{minutes_id}/shares", response_model=MinutesShareIn)
async def replace_shares(
    minutes_id: int, body: MinutesShareIn, session: DbSession, actor: CurrentActor
) -> MinutesShareIn:
    """Who besides the owner may read the minutes (and play the recording)."""
    await service.do_share(session, actor, minutes_id, body)
    return await service.shares_of(session, actor, minutes_id)


# ---- resumable uploads ----------------------------------------------------------------------


def _blobs(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blobs
    return store


Blobs = Annotated[BlobStore, Depends(_blobs)]


async def _uploader(request: Request, db: DB) -> Actor:
    # A short read transaction of its own: a chunk may take a while to arrive, and a write
    # transaction held meanwhile would stall every other writer on SQLite.
    async with db.transaction(write=False) as session:
        return await get_actor(request, session)


Uploader = Annotated[Actor, Depends(_uploader)]


@router.post("/uploads", response_model=MinutesUploadState, status_code=status.HTTP_201_CREATED)
async def begin_upload(
    body: MinutesUploadBegin, actor: Uploader, store: Blobs, settings: AppSettings
) -> MinutesUploadState:
    """Declare a recording's name and size (413 now if too big); then PUT its chunks."""
    state = await uploads.begin(store, actor, body.name, body.size, settings.minutes_upload_max_bytes)
    return MinutesUploadState.model_validate(state)


@router.get("/uploads/{upload_id}", response_model=MinutesUploadState)
async def upload_state(upload_id: UploadId, actor: Uploader, store: Blobs) -> MinutesUploadState:
    """Which chunks the server has: after a dropped connection, send only the others."""
    return MinutesUploadState.model_validate(await uploads.received(store, actor, upload_id))


@router.put(
    "/uploads/{upload_id}/chunks/{index}",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {}}}},
)
async def put_chunk(
    upload_id: UploadId, index: int, request: Request, actor: Uploader, store: Blobs
) -> Response:
    """One chunk's raw bytes (every chunk but the last is exactly `chunk_bytes` long)."""
    await uploads.put_chunk(store, actor, upload_id, index, request.stream())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/uploads/{upload_id}/complete", response_model=MinutesRead, status_code=status.HTTP_201_CREATED)
async def complete_upload(
    upload_id: UploadId,
    body: MinutesUploadComplete,
    actor: Uploader,
    db: DB,
    store: Blobs,
    settings: AppSettings,
) -> MinutesRead:
    """Join the chunks into the recording's file and queue its transcription."""
    limit = settings.minutes_upload_max_bytes
    async with db.transaction() as session:
        file = await uploads.complete(session, store, actor, upload_id, limit)
        record = await service.create_minutes_from_file(
            session, actor, file.id, title=body.title, language=body.language
        )
        out = await service.present(session, actor, record)
    await uploads.discard(store, upload_id)
    return out
