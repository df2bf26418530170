"""`GET /api/im/search`: messages of my conversations, newest first."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from tongban.auth.deps import CurrentActor
from tongban.core.deps import DbSession
from tongban.core.pagination import Page
from tongban.im import search
from tongban.im.search_schemas import SearchHit

router = APIRouter(prefix="/api/im", tags=["im"])


@router.get("/search", response_model=Page[SearchHit])
async def search_messages(
    session: DbSession,
    actor: CurrentActor,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    conversation_id: int | None = None,
    sender_id: int | None = None,
    has_file: bool | None = None,
    date_from: Annotated[dt.date | None, Query(description="first day, in my time zone")] = None,
    date_to: Annotated[dt.date | None, Query(description="last day (inclusive), in my time zone")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> Page[SearchHit]:
    """Every whitespace-separated term must occur (substring, Latin case ignored). Only my
    conversations, only what was sent after I joined; recalled messages are never found."""
    start, end = await search.day_bounds(session, actor, date_from, date_to)
    return await search.search_messages(
        session,
        actor,
        q,
        conversation_id=conversation_id,
        sender_id=sender_id,
        has_file=has_file,
        date_from=start,
        date_to=end,
        cursor=cursor,
        limit=limit,
    )
