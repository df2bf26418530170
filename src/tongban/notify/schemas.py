from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

Priority = Literal["normal", "high", "urgent"]
Capability = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_.\-]*$")]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _hhmm(value: str) -> str:
    if not _HHMM.match(value):
        # Its own error type, so the 422 names the expected format (see core.errors).
        raise PydanticCustomError("time_hhmm", "must be a time as HH:MM")
    return value


ClockTime = Annotated[str, AfterValidator(_hhmm)]


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    capability: str
    title: str
    body: str
    link: str | None
    priority: Priority
    read_at: dt.datetime | None
    created_at: dt.datetime


class NotificationDelivery(NotificationRead):
    """What an outside channel (Web Push, e-mail, SMS) is given: the notification and its owner."""

    person_id: int


class UnreadCount(BaseModel):
    count: int


class NotificationSettingsRead(BaseModel):
    muted_capabilities: list[str]
    quiet_hours_start: str | None
    quiet_hours_end: str | None


class NotificationSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    muted_capabilities: list[Capability] = Field(default_factory=list, max_length=100)
    quiet_hours_start: ClockTime | None = None
    quiet_hours_end: ClockTime | None = None
