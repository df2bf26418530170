"""Events the notification centre puts on its owner's stream."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from tongban.notify.schemas import NotificationRead, NotificationSettingsRead


class NotificationCreated(BaseModel):
    """A new notification. `alert` is false when it arrived muted or in quiet hours: the client
    adds it to the list and the badge (so every tab matches a fresh fetch) but shows no pop-up
    and plays no sound."""

    type: Literal["notification.created"] = "notification.created"
    notification: NotificationRead
    alert: bool = True


class NotificationsRead(BaseModel):
    """Some (`ids`) or all (`all`) of the owner's notifications were marked read, in some tab."""

    type: Literal["notification.read"] = "notification.read"
    ids: list[int] = []
    all: bool = False
    unread_count: int


class NotificationSettingsChanged(BaseModel):
    type: Literal["notification.settings_changed"] = "notification.settings_changed"
    settings: NotificationSettingsRead
