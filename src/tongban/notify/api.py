"""`/api/notify`: the caller's own inbox and notification settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from tongban.auth.deps import CurrentActor
from tongban.core.deps import DbSession
from tongban.core.pagination import Page
from tongban.notify import service
from tongban.notify.schemas import (
    NotificationRead,
    NotificationSettingsRead,
    NotificationSettingsUpdate,
    UnreadCount,
)

router = APIRouter(prefix="/api/notify", tags=["notify"])


@router.get("/notifications", response_model=Page[NotificationRead])
async def list_notifications(
    session: DbSession,
    actor: CurrentActor,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> Page[NotificationRead]:
    """The caller's notifications, newest first."""
    return await service.list_notifications(
        session, actor, cursor=cursor, unread_only=unread_only, limit=limit
    )


@router.get("/unread-count", response_model=UnreadCount)
async def unread_count(session: DbSession, actor: CurrentActor) -> UnreadCount:
    return UnreadCount(count=await service.unread_count(session, actor))


@router.post("/notifications/{notification_id}/read", status_code=status.HTTP_204_NO_CONTENT)
async def mark_read(notification_id: int, session: DbSession, actor: CurrentActor) -> None:
    await service.do_mark_read(session, actor, notification_id)


@router.post("/read-all", status_code=status.HTTP_204_NO_CONTENT)
async def mark_all_read(session: DbSession, actor: CurrentActor) -> None:
    await service.do_mark_all_read(session, actor)


@router.get("/settings", response_model=NotificationSettingsRead)
async def get_settings(session: DbSession, actor: CurrentActor) -> NotificationSettingsRead:
    return await service.get_settings(session, actor)


@router.put("/settings", response_model=NotificationSettingsRead)
async def update_settings(
    body: NotificationSettingsUpdate, session: DbSession, actor: CurrentActor
) -> NotificationSettingsRead:
    """Muted capabilities and quiet hours ("22:00"–"07:00" in the caller's time zone)."""
    return await service.do_update_settings(session, actor, body)
