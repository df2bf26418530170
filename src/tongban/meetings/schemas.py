"""Meetings request and response models (all prefixed `Meeting…`: names are global in OpenAPI)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

MeetingKind = Literal["in_person", "video"]
GeofenceMode = Literal["refuse", "flag"]


class MeetingGeofence(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    radius_m: int = Field(ge=10, le=50_000)
    mode: GeofenceMode = "refuse"


class MeetingCreate(BaseModel):
    kind: MeetingKind = "in_person"
    # From a calendar event the caller can see: its title, times, place and invitees are copied
    # unless given here.
    calendar_event_id: int | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    location: str = Field(default="", max_length=200)
    tz: str = "Asia/Shanghai"
    start: dt.datetime | None = None  # aware, or local wall time in tz
    end: dt.datetime | None = None
    person_ids: list[int] = Field(default_factory=list, max_length=5000)
    department_ids: list[int] = Field(default_factory=list, max_length=200)
    host_ids: list[int] = Field(default_factory=list, max_length=50)
    checkin_opens_at: dt.datetime | None = None
    checkin_closes_at: dt.datetime | None = None
    allow_walk_ins: bool = True
    geofence: MeetingGeofence | None = None
    rotate_seconds: int = Field(default=0, ge=0, le=3600)
    invite_only: bool = False
    # A large meeting or webinar: through the SFU (Janus) however few people are invited.
    large: bool = False


class MeetingUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    location: str | None = Field(default=None, max_length=200)
    checkin_opens_at: dt.datetime | None = None
    checkin_closes_at: dt.datetime | None = None
    allow_walk_ins: bool | None = None
    geofence: MeetingGeofence | None = None
    clear_geofence: bool = False
    rotate_seconds: int | None = Field(default=None, ge=0, le=3600)
    invite_only: bool | None = None
    large: bool | None = None
    add_person_ids: list[int] = Field(default_factory=list, max_length=5000)
    add_department_ids: list[int] = Field(default_factory=list, max_length=200)


class MeetingPerson(BaseModel):
    id: int
    name: str


class MeetingRead(BaseModel):
    id: int
    kind: MeetingKind
    number: str
    title: str
    description: str
    location: str
    tz: str
    start_utc: dt.datetime
    end_utc: dt.datetime
    status: str
    organizer: MeetingPerson
    calendar_event_id: int | None
    department_ids: list[int]
    invited_count: int
    checked_in_count: int
    checkin_opens_at: dt.datetime
    checkin_closes_at: dt.datetime
    allow_walk_ins: bool
    geofence: MeetingGeofence | None
    rotate_seconds: int
    invite_only: bool
    large: bool
    locked: bool
    can_manage: bool
    my_role: Literal["organizer", "host", "attendee"] | None
    my_checked_in_at: dt.datetime | None


class MeetingCheckinIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0)


class MeetingCheckinIntro(BaseModel):
    """What the scanning phone shows before it checks in: the meeting and what it will ask for."""

    meeting_id: int
    title: str
    location: str
    tz: str
    start_utc: dt.datetime
    end_utc: dt.datetime
    needs_location: bool
    invited: bool
    checked_in_at: dt.datetime | None


class MeetingCheckinResult(BaseModel):
    meeting_id: int
    title: str
    already: bool  # this person was checked in before this scan
    checked_in_at: dt.datetime
    walk_in: bool
    flagged: bool
    message: str  # in the caller's language, e.g. "已于 09:02 签到"


class MeetingManualCheckin(BaseModel):
    person_id: int


class MeetingAttendee(BaseModel):
    person_id: int
    name: str
    department: str
    invited: bool
    role: Literal["organizer", "host", "attendee", "walk_in"]
    checked_in_at: dt.datetime | None
    method: str | None
    flagged: bool
    distance_m: float | None
    online_seconds: int  # video meetings: time in the room, summed over stays


class MeetingDepartmentCount(BaseModel):
    department_id: int | None
    department: str
    invited: int
    checked_in: int
    missing: list[MeetingPerson]


class MeetingAttendance(BaseModel):
    meeting_id: int
    invited: int
    checked_in: int
    walk_ins: int
    flagged: int
    attendees: list[MeetingAttendee]
    by_department: list[MeetingDepartmentCount]


class MeetingDisplayCode(BaseModel):
    """The code the full-screen display shows now, and when to ask for the next one."""

    token: str
    url: str
    svg: str
    expires_at: dt.datetime | None
    checked_in: int
    invited: int


class MeetingJoinInfo(BaseModel):
    id: int
    kind: MeetingKind
    title: str
    status: str


class MeetingMediaServer(BaseModel):
    """What the admin page shows about the SFU; `reason` says why it is not usable."""

    configured: bool
    url: str
    reachable: bool
    version: str
    reason: str
    sfu_threshold: int
    open_rooms: int
    ice_servers: int
    last_failure: str
    last_failure_at: dt.datetime | None
