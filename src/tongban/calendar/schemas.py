"""Request and response models of the calendar API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Level = Literal["freebusy", "read", "edit", "manage"]
RsvpStatus = Literal["accepted", "tentative", "declined"]
AttendeeStatus = Literal["needs_action", "accepted", "tentative", "declined"]
Scope = Literal["all", "this", "following"]
COLOR = r"^#[0-9a-fA-F]{6}$"


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: int | None = None
    department_id: int | None = None
    level: Level


class ShareRead(BaseModel):
    person_id: int | None
    department_id: int | None
    name: str
    level: Level


class CalendarCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    color: str = Field(default="#1677ff", pattern=COLOR)
    shares: list[ShareIn] = Field(default_factory=list, max_length=200)


class CalendarUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    color: str | None = Field(default=None, pattern=COLOR)
    # What everyone else may see: None = nothing, "freebusy" = busy times, "read" = details.
    org_level: Literal["freebusy", "read"] | None = None
    clear_org_level: bool = False


class SharesReplace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shares: list[ShareIn] = Field(max_length=200)


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: int


class CalendarPrefUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visible: bool | None = None
    color: str | None = Field(default=None, pattern=COLOR)


class CalendarRead(BaseModel):
    id: int
    name: str
    description: str
    color: str  # the viewer's own colour when they chose one
    owner_id: int
    owner_name: str
    is_default: bool
    level: Level  # the viewer's
    visible: bool
    org_level: Literal["freebusy", "read"] | None
    shares: list[ShareRead] | None  # for those who manage it
    has_feed: bool


class FeedRead(BaseModel):
    url: str  # path of the private subscription feed; webcal:// + host + url in a client


class PersonRef(BaseModel):
    id: int
    name: str


class AttendeeRead(BaseModel):
    person_id: int
    name: str
    status: AttendeeStatus
    note: str
    responded_at: dt.datetime | None


class RoomRef(BaseModel):
    id: int
    name: str


class EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    location: str = Field(default="", max_length=200)
    online_url: str = Field(default="", max_length=500)
    all_day: bool = False
    # Wall-clock times in `tz` (no offset): "2026-03-30T09:00:00". All-day: dates at midnight,
    # `end` exclusive (the day after the last day).
    start: dt.datetime
    end: dt.datetime
    tz: str = Field(default="Asia/Shanghai", max_length=64)
    rrule: str | None = Field(default=None, max_length=500)
    room_id: int | None = None
    reminders: list[int] = Field(default_factory=list, max_length=5)
    attendee_ids: list[int] = Field(default_factory=list, max_length=500)
    department_ids: list[int] = Field(default_factory=list, max_length=50)


class EventCreate(EventBase):
    calendar_id: int | None = None  # None: the caller's own calendar


class EventUpdate(BaseModel):
    """Only the fields given change. For a recurring event, `scope` says which occurrences."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    location: str | None = Field(default=None, max_length=200)
    online_url: str | None = Field(default=None, max_length=500)
    all_day: bool | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    tz: str | None = Field(default=None, max_length=64)
    rrule: str | None = Field(default=None, max_length=500)
    clear_rrule: bool = False
    room_id: int | None = None
    clear_room: bool = False
    reminders: list[int] | None = Field(default=None, max_length=5)
    attendee_ids: list[int] | None = Field(default=None, max_length=500)
    department_ids: list[int] | None = Field(default=None, max_length=50)
    calendar_id: int | None = None


class EventRead(BaseModel):
    id: int
    uid: str
    calendar_id: int
    calendar_name: str
    organizer: PersonRef | None
    title: str
    description: str
    location: str
    online_url: str
    all_day: bool
    tz: str
    start: dt.datetime  # local wall time in tz
    end: dt.datetime
    start_utc: dt.datetime
    end_utc: dt.datetime
    rrule: str | None
    exdates: list[str]
    parent_id: int | None
    recurrence_id: str | None
    status: str
    room: RoomRef | None
    reminders: list[int]
    attendees: list[AttendeeRead]
    department_ids: list[int]
    my_status: AttendeeStatus | None  # when the viewer is invited
    can_edit: bool


class OccurrenceRead(BaseModel):
    """One occurrence in a window. `busy_only`: the viewer may see only that the time is taken."""

    event_id: int  # the series (or single event) to open or edit
    occurrence: str  # its original local start, to edit this one or this-and-following
    override_id: int | None
    calendar_id: int
    title: str
    location: str
    all_day: bool
    tz: str
    start: dt.datetime  # UTC
    end: dt.datetime
    start_local: dt.datetime
    recurring: bool
    busy_only: bool
    my_status: AttendeeStatus | None
    room_name: str | None
    can_edit: bool


class CalendarChatShareIn(BaseModel):
    """Post the event's card into a chat; `invite` also makes the chat's members attendees."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: int
    note: str = Field(default="", max_length=2000)
    invite: bool = False


class CalendarChatShareRead(BaseModel):
    message_id: int
    invited: int  # people newly invited


class RsvpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: RsvpStatus
    note: str = Field(default="", max_length=500)


class RoomCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    location: str = Field(default="", max_length=200)
    capacity: int = Field(default=0, ge=0, le=10_000)
    equipment: list[str] = Field(default_factory=list, max_length=20)


class RoomUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    location: str | None = Field(default=None, max_length=200)
    capacity: int | None = Field(default=None, ge=0, le=10_000)
    equipment: list[str] | None = Field(default=None, max_length=20)
    active: bool | None = None


class RoomRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    location: str
    capacity: int
    equipment: list[str]
    active: bool


class BusyRead(BaseModel):
    start: dt.datetime
    end: dt.datetime
    title: str | None  # only when the viewer may read the event


class FreeBusyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_ids: list[int] = Field(min_length=1, max_length=50)
    start: dt.datetime  # aware
    end: dt.datetime


class PersonBusy(BaseModel):
    person_id: int
    name: str
    tz: str
    working_hours: dict[str, object]
    busy: list[BusyRead]


class AssistantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_ids: list[int] = Field(min_length=1, max_length=50)
    duration_minutes: int = Field(ge=5, le=24 * 60)
    start: dt.datetime  # aware: the first moment a slot may begin
    end: dt.datetime  # aware: the last moment a slot may end
    step_minutes: int = Field(default=30, ge=5, le=240)
    limit: int = Field(default=20, ge=1, le=200)
    room_id: int | None = None


class LocalTime(BaseModel):
    person_id: int
    name: str
    tz: str
    start: dt.datetime  # the slot on this person's wall clock
    end: dt.datetime


class Slot(BaseModel):
    start: dt.datetime  # UTC
    end: dt.datetime
    local: list[LocalTime]


class AssistantRead(BaseModel):
    people: list[PersonBusy]
    slots: list[Slot]


class CalendarImportReport(BaseModel):
    imported: int
    events: list[str]  # titles of what was (or would be) imported
    problems: list[str]  # what could not be read
    committed: bool
