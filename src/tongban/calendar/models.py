"""Calendar tables: calendars and who they are shared with, events (with their recurrence and
single-occurrence overrides), attendees, rooms, and the next reminder due per event.

An event keeps its own IANA zone and local wall times (`tz`, `start_local`, `end_local`): a
"09:00 every Tuesday in Europe/Warsaw" meeting stays at 09:00 in Warsaw across daylight saving.
`start_utc`/`end_utc` are the first occurrence in UTC and `range_end_utc` the end of the last
one (NULL when the rule never ends), so a window query finds candidates with indexed columns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column

from tongban.core.db import Base, utcnow

SHORT_SPAN = dt.timedelta(days=2)

# Permission levels on a calendar, weakest first.
LEVELS = ("freebusy", "read", "edit", "manage")


class Calendar(Base):
    __tablename__ = "calendar_calendars"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str] = mapped_column(String(16), default="#1677ff")
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # Each person's own calendar (我的日历), made on first use; it cannot be deleted.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # What everyone else in the organisation may see of it: nothing, busy times, or details.
    org_level: Mapped[str | None] = mapped_column(String(16))
    # The secret of the private subscription (webcal) URL; NULL when revoked or never made.
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CalendarShare(Base):
    """A calendar shared with one person or with a department (and its sub-departments)."""

    __tablename__ = "calendar_shares"
    __table_args__ = (UniqueConstraint("calendar_id", "person_id", "department_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_calendars.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(16))  # one of LEVELS


class CalendarPref(Base):
    """One viewer's choices about one calendar they can see: shown or hidden, their colour."""

    __tablename__ = "calendar_prefs"
    __table_args__ = (UniqueConstraint("person_id", "calendar_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar_calendars.id", ondelete="CASCADE"))
    visible: Mapped[bool] = mapped_column(Boolean, default=True)
    color: Mapped[str | None] = mapped_column(String(16))


class Room(Base):
    __tablename__ = "calendar_rooms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    equipment: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Event(Base):
    __tablename__ = "calendar_events"
    __table_args__ = (
        Index("ix_calendar_events_window", "calendar_id", "wide", "start_utc"),
        Index("ix_calendar_events_room", "room_id", "start_utc"),
        Index("ix_calendar_events_dav_name", "calendar_id", "dav_name"),
        UniqueConstraint("parent_id", "recurrence_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar_calendars.id", ondelete="CASCADE"))
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # iCalendar UID: kept across export/import and shared by a series and its overrides.
    uid: Mapped[str] = mapped_column(String(255), index=True)
    # The resource name a CalDAV client chose when it is not "<uid>.ics" (NULL: that default).
    dav_name: Mapped[str | None] = mapped_column(String(255))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    tz: Mapped[str] = mapped_column(String(64))
    # Wall-clock times in `tz`, naive on purpose (all-day events: midnight, end exclusive).
    start_local: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    end_local: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    start_utc: Mapped[dt.datetime]
    end_utc: Mapped[dt.datetime]
    range_end_utc: Mapped[dt.datetime | None] = mapped_column(index=True)
    # A series or an event longer than SHORT_SPAN: the rest are found by their start alone
    # (start within [window - SHORT_SPAN, window end)), one index range instead of half the table.
    wide: Mapped[bool] = mapped_column(Boolean, default=False)
    rrule: Mapped[str | None] = mapped_column(String(500))
    # Occurrences (their original local start, ISO) that are cancelled or moved to an override.
    exdates: Mapped[list[str]] = mapped_column(JSON, default=list)
    # An override of one occurrence of `parent_id`, the one that started at `recurrence_id`.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("calendar_events.id", ondelete="CASCADE"))
    recurrence_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="confirmed")  # confirmed | cancelled
    room_id: Mapped[int | None] = mapped_column(ForeignKey("calendar_rooms.id", ondelete="SET NULL"))
    reminders: Mapped[list[int]] = mapped_column(JSON, default=list)  # minutes before the start
    invited_departments: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Attendee(Base):
    __tablename__ = "calendar_attendees"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("calendar_events.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="needs_action")
    note: Mapped[str] = mapped_column(String(500), default="")
    responded_at: Mapped[dt.datetime | None]


class ReminderDue(Base):
    """The next reminder of an event: found by the minute job, then moved to the one after."""

    __tablename__ = "calendar_reminders"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_events.id", ondelete="CASCADE"), primary_key=True
    )
    fire_at: Mapped[dt.datetime] = mapped_column(index=True)
    occurrence_utc: Mapped[dt.datetime]
    minutes: Mapped[int] = mapped_column(Integer)


def overlapping(start: dt.datetime, end: dt.datetime) -> ColumnElement[bool]:
    """Events (series or single) that may have an occurrence in [start, end)."""
    return or_(
        and_(Event.wide.is_(False), Event.start_utc >= start - SHORT_SPAN, Event.start_utc < end),
        and_(
            Event.wide.is_(True),
            Event.start_utc < end,
            or_(Event.range_end_utc.is_(None), Event.range_end_utc > start),
        ),
    )
