"""Meetings: create (alone or from a calendar event), change, list, read; invitees.

A meeting made from a calendar event copies the event's title, times, place and invitees at
that moment through calendar's service (calendar owns its tables); later calendar edits do not
move the meeting, which is what an organiser who printed the code expects.
"""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from collections.abc import Iterable
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.calendar import events as calendar_events
from tongban.core import i18n
from tongban.core.errors import Invalid, NotFound
from tongban.core.events import publish
from tongban.core.permissions import Actor
from tongban.meetings.access import access_meeting, readable, role_of
from tongban.meetings.events import MeetingChanged
from tongban.meetings.models import CheckIn, Invitee, Meeting
from tongban.meetings.schemas import (
    MeetingCreate,
    MeetingGeofence,
    MeetingJoinInfo,
    MeetingPerson,
    MeetingRead,
    MeetingUpdate,
)
from tongban.notify.service import notify
from tongban.org import service as org

i18n.register(
    {
        "field.meetings_unknown_tz": ("未知的时区", "is not a known time zone"),
        "field.meetings_title_required": ("请填写会议名称", "a title is required"),
        "field.meetings_times_required": ("请填写开始和结束时间", "start and end times are required"),
        "field.meetings_end_before_start": ("结束时间须晚于开始时间", "must be after the start"),
        "field.meetings_too_long": ("会议不能超过 7 天", "a meeting may last at most 7 days"),
        "field.meetings_unknown_person": ("有人员不存在或已停用", "names someone unknown or deactivated"),
        "field.meetings_unknown_department": ("部门不存在", "names a department that does not exist"),
        "field.meetings_too_many": ("最多邀请 {limit} 人", "at most {limit} people may be invited"),
        "field.meetings_window": ("签到截止须晚于签到开始", "check-in must close after it opens"),
        "meetings_number_not_found": ("会议号不存在", "No meeting has this number"),
        "meetings.invited": ("{who} 邀请你参加会议「{title}」", "{who} invited you to the meeting “{title}”"),
        "meetings.invited_body": ("{when} · {where}", "{when} · {where}"),
    }
)

MAX_INVITEES = 5000
MAX_LENGTH = dt.timedelta(days=7)
EARLY_CHECKIN = dt.timedelta(minutes=30)


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid("body.tz", "field.meetings_unknown_tz") from None


def aware(value: dt.datetime, tz: str) -> dt.datetime:
    """A time as given (aware), or a wall time in the meeting's zone, in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz))
    return value.astimezone(dt.UTC)


def window_of(meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    """When check-in is open: as set, or from half an hour before the start to the end."""
    opens = meeting.checkin_opens_at or meeting.start_utc - EARLY_CHECKIN
    closes = meeting.checkin_closes_at or meeting.end_utc
    return opens, closes


async def _new_number(session: AsyncSession) -> str:
    while True:
        number = f"{secrets.randbelow(900_000_000) + 100_000_000}"
        taken = (await session.execute(select(Meeting.id).where(Meeting.number == number))).first()
        if taken is None:
            return number


async def expand_invitees(
    session: AsyncSession, person_ids: Iterable[int], department_ids: Iterable[int], field: str = "body"
) -> list[int]:
    """People named and the active members of the departments (and their sub-departments) now."""
    wanted = list(dict.fromkeys(person_ids))
    if set(wanted) - await org.active_ids(session, wanted):
        raise Invalid(f"{field}.person_ids", "field.meetings_unknown_person")
    everyone = list(wanted)
    for did in dict.fromkeys(department_ids):
        if await org.department_name(session, did) is None:
            raise Invalid(f"{field}.department_ids", "field.meetings_unknown_department")
        everyone.extend(sorted(await org.department_member_ids(session, did)))
    result = list(dict.fromkeys(everyone))
    if len(result) > MAX_INVITEES:
        raise Invalid(f"{field}.person_ids", "field.meetings_too_many", limit=MAX_INVITEES)
    return result


async def _add_invitees(
    session: AsyncSession, meeting: Meeting, person_ids: list[int], role: str
) -> list[int]:
    """Invite these people (hosts are promoted); returns those newly invited."""
    existing = {
        pid: row
        for row in (await session.execute(select(Invitee).where(Invitee.meeting_id == meeting.id))).scalars()
        for pid in [row.person_id]
    }
    added = []
    for pid in person_ids:
        if pid == meeting.organizer_id:
            continue
        row = existing.get(pid)
        if row is None:
            session.add(Invitee(meeting_id=meeting.id, person_id=pid, role=role))
            added.append(pid)
        elif role == "host":
            row.role = "host"
    await session.flush()
    return added


def _apply_geofence(meeting: Meeting, fence: MeetingGeofence | None) -> None:
    meeting.geofence_lat = fence.lat if fence else None
    meeting.geofence_lng = fence.lng if fence else None
    meeting.geofence_radius_m = fence.radius_m if fence else None
    meeting.geofence_mode = fence.mode if fence else "refuse"


def _check_window(meeting: Meeting) -> None:
    opens, closes = window_of(meeting)
    if closes <= opens:
        raise Invalid("body.checkin_closes_at", "field.meetings_window")


async def do_create_meeting(session: AsyncSession, actor: Actor, data: MeetingCreate) -> Meeting:
    """A new meeting the actor organises; invitees are notified."""
    title, location, tz = data.title, data.location, data.tz
    start = aware(data.start, tz) if data.start else None
    end = aware(data.end, tz) if data.end else None
    person_ids, department_ids = list(data.person_ids), list(data.department_ids)
    if data.calendar_event_id is not None:
        event = await calendar_events.access_event(session, actor, data.calendar_event_id)
        read = await calendar_events.event_read(session, actor, event)
        title = title or read.title
        location = location or read.location
        tz = read.tz if data.start is None else tz
        start = start or read.start_utc
        end = end or read.end_utc
        person_ids = [a.person_id for a in read.attendees] + person_ids
        department_ids = list(read.department_ids) + department_ids
    zone(tz)
    if not title:
        raise Invalid("body.title", "field.meetings_title_required")
    if start is None or end is None:
        raise Invalid("body.start", "field.meetings_times_required")
    if end <= start:
        raise Invalid("body.end", "field.meetings_end_before_start")
    if end - start > MAX_LENGTH:
        raise Invalid("body.end", "field.meetings_too_long")
    invitees = await expand_invitees(session, person_ids, department_ids)
    hosts = await expand_invitees(session, data.host_ids, [], "body.host_ids")
    meeting = Meeting(
        kind=data.kind,
        title=title,
        description=data.description,
        location=location,
        tz=tz,
        start_utc=start,
        end_utc=end,
        organizer_id=actor.person_id,
        calendar_event_id=data.calendar_event_id,
        number=await _new_number(session),
        invited_departments=list(dict.fromkeys(department_ids)),
        checkin_opens_at=aware(data.checkin_opens_at, tz) if data.checkin_opens_at else None,
        checkin_closes_at=aware(data.checkin_closes_at, tz) if data.checkin_closes_at else None,
        allow_walk_ins=data.allow_walk_ins,
        rotate_seconds=data.rotate_seconds,
        invite_only=data.invite_only,
        large=data.large,
        secret=secrets.token_hex(32),
    )
    _apply_geofence(meeting, data.geofence)
    _check_window(meeting)
    session.add(meeting)
    try:
        await session.flush()
    except IntegrityError:  # two meetings drew the same number at once; vanishingly rare
        raise
    await _add_invitees(session, meeting, hosts, "host")
    added = await _add_invitees(session, meeting, invitees, "attendee")
    await _notify_invited(session, actor, meeting, hosts + added)
    return meeting


async def _notify_invited(
    session: AsyncSession, actor: Actor, meeting: Meeting, person_ids: list[int]
) -> None:
    ids = [pid for pid in dict.fromkeys(person_ids) if pid != actor.person_id]
    if not ids:
        return
    local = meeting.start_utc.astimezone(zone(meeting.tz))
    await notify(
        session,
        ids,
        capability="meetings",
        title=i18n.t("meetings.invited", who=actor.name, title=meeting.title),
        body=i18n.t("meetings.invited_body", when=f"{local:%Y-%m-%d %H:%M}", where=meeting.location or "—"),
        link=f"/meetings/{meeting.id}",
    )


async def do_update_meeting(
    session: AsyncSession, actor: Actor, meeting_id: int, data: MeetingUpdate
) -> Meeting:
    meeting, _role = await access_meeting(session, actor, meeting_id, manage=True)
    for name in (
        "title",
        "description",
        "location",
        "allow_walk_ins",
        "invite_only",
        "rotate_seconds",
        "large",
    ):
        value = getattr(data, name)
        if value is not None:
            setattr(meeting, name, value)
    if data.checkin_opens_at is not None:
        meeting.checkin_opens_at = aware(data.checkin_opens_at, meeting.tz)
    if data.checkin_closes_at is not None:
        meeting.checkin_closes_at = aware(data.checkin_closes_at, meeting.tz)
    if data.geofence is not None or data.clear_geofence:
        _apply_geofence(meeting, data.geofence)
    _check_window(meeting)
    if data.add_person_ids or data.add_department_ids:
        people = await expand_invitees(session, data.add_person_ids, data.add_department_ids)
        meeting.invited_departments = list(
            dict.fromkeys([*(meeting.invited_departments or []), *data.add_department_ids])
        )
        added = await _add_invitees(session, meeting, people, "attendee")
        await _notify_invited(session, actor, meeting, added)
    await session.flush()
    await publish(session, await managers_of(session, meeting), MeetingChanged(meeting_id=meeting.id))
    return meeting


async def do_rotate_secret(session: AsyncSession, actor: Actor, meeting_id: int) -> None:
    """A new signing key: every code printed or photographed so far stops working."""
    meeting, _role = await access_meeting(session, actor, meeting_id, manage=True)
    meeting.secret = secrets.token_hex(32)
    await session.flush()


async def do_delete_meeting(session: AsyncSession, actor: Actor, meeting_id: int) -> None:
    meeting, role = await access_meeting(session, actor, meeting_id, manage=True)
    if role != "organizer":
        from tongban.core.errors import Forbidden

        raise Forbidden("meetings_forbidden")
    await session.execute(delete(Meeting).where(Meeting.id == meeting.id))


async def managers_of(session: AsyncSession, meeting: Meeting) -> list[int]:
    """The organiser and the hosts: who watches check-ins and runs the room."""
    rows = await session.execute(
        select(Invitee.person_id).where(Invitee.meeting_id == meeting.id, Invitee.role == "host")
    )
    return [meeting.organizer_id, *rows.scalars()]


async def invitee_ids(session: AsyncSession, meeting_id: int) -> list[int]:
    rows = await session.execute(select(Invitee.person_id).where(Invitee.meeting_id == meeting_id))
    return list(rows.scalars())


async def checked_in_count(session: AsyncSession, meeting_id: int) -> int:
    return int(
        (
            await session.execute(
                select(func.count()).select_from(CheckIn).where(CheckIn.meeting_id == meeting_id)
            )
        ).scalar_one()
    )


async def meeting_read(
    session: AsyncSession, actor: Actor, meeting: Meeting, role: str | None = None
) -> MeetingRead:
    role = role or await role_of(session, actor, meeting)
    invited = int(
        (
            await session.execute(
                select(func.count()).select_from(Invitee).where(Invitee.meeting_id == meeting.id)
            )
        ).scalar_one()
    )
    mine = (
        await session.execute(
            select(CheckIn.checked_in_at).where(
                CheckIn.meeting_id == meeting.id, CheckIn.person_id == actor.person_id
            )
        )
    ).scalar_one_or_none()
    names = await org.names_of(session, [meeting.organizer_id])
    opens, closes = window_of(meeting)
    fence = None
    if meeting.geofence_lat is not None and meeting.geofence_lng is not None and meeting.geofence_radius_m:
        fence = MeetingGeofence(
            lat=meeting.geofence_lat,
            lng=meeting.geofence_lng,
            radius_m=meeting.geofence_radius_m,
            mode="flag" if meeting.geofence_mode == "flag" else "refuse",
        )
    my_role: Literal["organizer", "host", "attendee"] | None = (
        "organizer" if role == "organizer" else "host" if role == "host" else "attendee" if role else None
    )
    return MeetingRead(
        id=meeting.id,
        kind="video" if meeting.kind == "video" else "in_person",
        number=meeting.number,
        title=meeting.title,
        description=meeting.description,
        location=meeting.location,
        tz=meeting.tz,
        start_utc=meeting.start_utc,
        end_utc=meeting.end_utc,
        status=meeting.status,
        organizer=MeetingPerson(id=meeting.organizer_id, name=names.get(meeting.organizer_id, "")),
        calendar_event_id=meeting.calendar_event_id,
        department_ids=list(meeting.invited_departments or []),
        invited_count=invited,
        checked_in_count=await checked_in_count(session, meeting.id),
        checkin_opens_at=opens,
        checkin_closes_at=closes,
        allow_walk_ins=meeting.allow_walk_ins,
        geofence=fence,
        rotate_seconds=meeting.rotate_seconds,
        invite_only=meeting.invite_only,
        large=meeting.large,
        locked=meeting.locked,
        can_manage=role in ("organizer", "host"),
        my_role=my_role,
        my_checked_in_at=mine,
    )


async def get_meeting(session: AsyncSession, actor: Actor, meeting_id: int) -> MeetingRead:
    meeting, role = await access_meeting(session, actor, meeting_id)
    return await meeting_read(session, actor, meeting, role)


async def list_meetings(session: AsyncSession, actor: Actor, *, limit: int = 200) -> list[MeetingRead]:
    """The caller's meetings (organised or invited), the latest first."""
    rows = (await session.execute(readable(actor).order_by(Meeting.start_utc.desc()).limit(limit))).scalars()
    return [await meeting_read(session, actor, m) for m in rows]


async def find_by_number(session: AsyncSession, actor: Actor, number: str) -> MeetingJoinInfo:
    """The meeting a number names; whether the caller may enter is the room's answer."""
    meeting = (
        await session.execute(select(Meeting).where(Meeting.number == number.replace(" ", "")))
    ).scalar_one_or_none()
    if meeting is None or meeting.status == "cancelled":
        raise NotFound("meetings_number_not_found")
    return MeetingJoinInfo(
        id=meeting.id,
        kind="video" if meeting.kind == "video" else "in_person",
        title=meeting.title,
        status=meeting.status,
    )
