"""The minutes API: thin routes over minutes/service.py (and uploads.py for recordings)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from tongban.auth.deps import CurrentActor
from tongban.core.deps import DbSession
from tongban.minutes import service
from tongban.minutes.schemas import (
    MinutesCreate,
    MinutesRead,
    MinutesSearchOut,
    MinutesSegmentRead,
    MinutesSegmentUpdate,
    MinutesShareIn,
    MinutesSpeakerRename,
    MinutesTranscriptOut,
)

router = APIRouter(prefix="/api/minutes", tags=["minutes"])


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
