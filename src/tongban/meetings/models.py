"""Meetings tables: the meeting and its rules, who is invited, in-person check-ins, and for video
meetings who was in the room and for how long, the chat, and the recordings.

A meeting is either `in_person` (扫码签到 at the door) or `video` (in the browser); both kinds
keep their invitees in `meetings_invitees`, so "who has not come yet" is one query either way.
Invitations named by department are expanded to people when they are made (the list shows who
was asked, even after someone moves department) and the departments are kept for display.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tongban.core.db import Base, utcnow

KINDS = ("in_person", "video")
STATUSES = ("scheduled", "live", "ended", "cancelled")


class Meeting(Base):
    __tablename__ = "meetings_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # one of KINDS
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    tz: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    start_utc: Mapped[dt.datetime] = mapped_column(index=True)
    end_utc: Mapped[dt.datetime]
    organizer_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The calendar event it was made from; calendar's own id, read through calendar's service.
    calendar_event_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    # The nine-digit number people type to join a video meeting (会议号).
    number: Mapped[str] = mapped_column(String(12), unique=True)
    invited_departments: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Check-in rules (in person). The window defaults to 30 minutes before the start to the end.
    checkin_opens_at: Mapped[dt.datetime | None]
    checkin_closes_at: Mapped[dt.datetime | None]
    allow_walk_ins: Mapped[bool] = mapped_column(Boolean, default=True)
    # A geofence: the browser's location must be within radius_m of (lat, lng); "refuse" turns
    # away a check-in outside it, "flag" records it marked for the organiser to look at.
    geofence_lat: Mapped[float | None] = mapped_column(Float)
    geofence_lng: Mapped[float | None] = mapped_column(Float)
    geofence_radius_m: Mapped[int | None] = mapped_column(Integer)
    geofence_mode: Mapped[str] = mapped_column(String(8), default="refuse")
    # 0: one printable code for the whole meeting. N > 0: the display shows a code that changes
    # every N seconds and only the current and the previous one are accepted.
    rotate_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # The key that signs check-in codes; replacing it voids every code printed so far.
    secret: Mapped[str] = mapped_column(String(64))
    # Video: nobody new may join a locked meeting; invite_only refuses people not invited.
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    invite_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # A large meeting or webinar goes through the SFU (Janus) whatever its size; others do
    # when more people are invited than settings.meetings_sfu_threshold, else peer to peer.
    large: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]


class Invitee(Base):
    __tablename__ = "meetings_invitees"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings_meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # "host" (co-organiser: may run check-in and the video room) or "attendee".
    role: Mapped[str] = mapped_column(String(16), default="attendee")


class CheckIn(Base):
    """One person's check-in at an in-person meeting; the unique key makes it happen once."""

    __tablename__ = "meetings_checkins"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        Index("ix_meetings_checkins_time", "meeting_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings_meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    checked_in_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(8), default="qr")  # qr | manual
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the browser said it was (metres from the geofence centre), when a fence is set.
    distance_m: Mapped[float | None] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class Participation(Base):
    """One stay in a video meeting: from joining the room to leaving it (a rejoin is a new row)."""

    __tablename__ = "meetings_participations"
    __table_args__ = (Index("ix_meetings_participations_meeting", "meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings_meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    joined_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    left_at: Mapped[dt.datetime | None]


class ChatMessage(Base):
    __tablename__ = "meetings_chat"
    __table_args__ = (Index("ix_meetings_chat_meeting", "meeting_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings_meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Recording(Base):
    """A recording kept in the blob store; `minutes_ref` is what minutes answered when handed it."""

    __tablename__ = "meetings_recordings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings_meetings.id", ondelete="CASCADE"), index=True
    )
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    stopped_at: Mapped[dt.datetime | None]
    blob_key: Mapped[str | None] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    minutes_ref: Mapped[str | None] = mapped_column(String(100))
