"""Calendars (mine, shared, subscribed), their shares and viewer preferences, rooms, and the
occurrences a viewer sees in a window."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Row, Select, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from tongban.calendar import recurrence as rec
from tongban.calendar.access import (
    access_calendar,
    at_least,
    default_calendar,
    default_calendar_of,
    display_name,
    forget_levels,
    level_on,
    levels_for,
)
from tongban.calendar.models import Attendee, Calendar, CalendarPref, CalendarShare, Event, Room, overlapping
from tongban.calendar.schemas import (
    CalendarCreate,
    CalendarPrefUpdate,
    CalendarRead,
    CalendarUpdate,
    OccurrenceRead,
    RoomCreate,
    RoomRead,
    RoomUpdate,
    ShareIn,
    ShareRead,
)
from tongban.core import i18n
from tongban.core.errors import Conflict, Forbidden, Invalid
from tongban.core.permissions import Actor
from tongban.org import service as org

i18n.register(
    {
        "field.calendar_share_target": ("请指定一个成员或一个部门", "must name one person or one department"),
        "field.calendar_window": ("时间范围应为 1 分钟至 400 天", "must span 1 minute to 400 days"),
        "field.calendar_aware": ("需要带时区偏移的时间", "must carry a UTC offset"),
        "calendar_room_exists": ("已有同名会议室", "A room with this name already exists"),
    }
)

MAX_WINDOW = dt.timedelta(days=400)
# Up to this many invitations go into the window query as literal ids; beyond, as a subquery
# (bound-parameter limits, and a plan that stays sane).
MAX_LISTED = 500


def check_window(start: dt.datetime, end: dt.datetime, prefix: str = "query") -> None:
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None:
            raise Invalid(f"{prefix}.{name}", "field.calendar_aware")
    if not dt.timedelta(minutes=1) <= end - start <= MAX_WINDOW:
        raise Invalid(f"{prefix}.end", "field.calendar_window")


# ---- calendars ------------------------------------------------------------------------------


async def _check_shares(session: AsyncSession, shares: list[ShareIn]) -> None:
    for i, share in enumerate(shares):
        field = f"body.shares.{i}"
        if (share.person_id is None) == (share.department_id is None):
            raise Invalid(field, "field.calendar_share_target")
        if share.person_id is not None and not await org.active_ids(session, [share.person_id]):
            raise Invalid(f"{field}.person_id", "field.calendar_unknown_person")
        if (
            share.department_id is not None
            and await org.department_name(session, share.department_id) is None
        ):
            raise Invalid(f"{field}.department_id", "field.calendar_unknown_department")


async def _replace_shares(session: AsyncSession, calendar: Calendar, shares: list[ShareIn]) -> None:
    await _check_shares(session, shares)
    await session.execute(delete(CalendarShare).where(CalendarShare.calendar_id == calendar.id))
    seen: set[tuple[int | None, int | None]] = set()
    for share in shares:
        key = (share.person_id, share.department_id)
        if key in seen or share.person_id == calendar.owner_id:
            continue
        seen.add(key)
        session.add(
            CalendarShare(
                calendar_id=calendar.id,
                person_id=share.person_id,
                department_id=share.department_id,
                level=share.level,
            )
        )
    await session.flush()


async def list_calendars(session: AsyncSession, actor: Actor) -> list[CalendarRead]:
    """Every calendar the actor can see: their own first, then shared ones, by name."""
    await default_calendar(session, actor)
    levels = await levels_for(session, actor)
    if not levels:
        return []
    calendars = list((await session.execute(select(Calendar).where(Calendar.id.in_(levels)))).scalars())
    prefs = {
        p.calendar_id: p
        for p in (
            await session.execute(select(CalendarPref).where(CalendarPref.person_id == actor.person_id))
        ).scalars()
    }
    names = await org.names_of(session, [c.owner_id for c in calendars])
    managed = [c.id for c in calendars if levels[c.id] == "manage"]
    shares = await _shares_of(session, managed)
    shown = {c.id: display_name(c, actor.person_id, names.get(c.owner_id, "")) for c in calendars}
    calendars.sort(key=lambda c: (c.owner_id != actor.person_id, not c.is_default, shown[c.id], c.id))
    result = []
    for c in calendars:
        pref = prefs.get(c.id)
        result.append(
            CalendarRead(
                id=c.id,
                name=shown[c.id],
                description=c.description,
                color=(pref.color if pref and pref.color else c.color),
                owner_id=c.owner_id,
                owner_name=names.get(c.owner_id, ""),
                is_default=c.is_default,
                level=levels[c.id],
                visible=pref.visible if pref else True,
                org_level=c.org_level,
                shares=shares.get(c.id, []) if levels[c.id] == "manage" else None,
                has_feed=c.feed_token is not None,
            )
        )
    return result


async def _shares_of(session: AsyncSession, calendar_ids: list[int]) -> dict[int, list[ShareRead]]:
    if not calendar_ids:
        return {}
    rows = list(
        (
            await session.execute(select(CalendarShare).where(CalendarShare.calendar_id.in_(calendar_ids)))
        ).scalars()
    )
    people = await org.names_of(session, [r.person_id for r in rows if r.person_id])
    result: dict[int, list[ShareRead]] = {}
    for r in rows:
        name = (
            people.get(r.person_id, "")
            if r.person_id
            else (await org.department_name(session, r.department_id or 0) or "")
        )
        result.setdefault(r.calendar_id, []).append(
            ShareRead(person_id=r.person_id, department_id=r.department_id, name=name, level=r.level)
        )
    return result


async def get_calendar(session: AsyncSession, actor: Actor, calendar_id: int) -> CalendarRead:
    await access_calendar(session, actor, calendar_id, "freebusy")
    forget_levels(session, actor)
    found = [c for c in await list_calendars(session, actor) if c.id == calendar_id]
    if not found:
        raise Forbidden("calendar_forbidden")
    return found[0]


async def do_subscribe(session: AsyncSession, actor: Actor, person_id: int) -> int:
    """Add a colleague's own calendar to my list, at the level they allow everyone (or share)."""
    if not await org.active_ids(session, [person_id]):
        raise Invalid("body.person_id", "field.calendar_unknown_person")
    calendar = await default_calendar_of(session, person_id, actor.locale)
    if await level_on(session, actor, calendar.id) is None:
        raise Forbidden("calendar_forbidden")
    await do_set_pref(session, actor, calendar.id, CalendarPrefUpdate(visible=True))
    return calendar.id


async def do_unsubscribe(session: AsyncSession, actor: Actor, calendar_id: int) -> None:
    """Take a calendar off my list (my own and those shared with me stay: hide them instead)."""
    await access_calendar(session, actor, calendar_id, "freebusy")
    await session.execute(
        delete(CalendarPref).where(
            CalendarPref.person_id == actor.person_id, CalendarPref.calendar_id == calendar_id
        )
    )
    forget_levels(session, actor)


async def do_create_calendar(session: AsyncSession, actor: Actor, data: CalendarCreate) -> Calendar:
    calendar = Calendar(
        name=data.name, description=data.description, color=data.color, owner_id=actor.person_id
    )
    session.add(calendar)
    await session.flush()
    await _replace_shares(session, calendar, data.shares)
    forget_levels(session, actor)
    return calendar


async def do_update_calendar(
    session: AsyncSession, actor: Actor, calendar_id: int, data: CalendarUpdate
) -> None:
    calendar = await access_calendar(session, actor, calendar_id, "manage")
    for name in ("name", "description", "color"):
        value = getattr(data, name)
        if value is not None:
            setattr(calendar, name, value)
    if data.clear_org_level:
        calendar.org_level = None
    elif data.org_level is not None:
        calendar.org_level = data.org_level
    await session.flush()


async def do_replace_shares(
    session: AsyncSession, actor: Actor, calendar_id: int, shares: list[ShareIn]
) -> None:
    calendar = await access_calendar(session, actor, calendar_id, "manage")
    await _replace_shares(session, calendar, shares)


async def do_delete_calendar(session: AsyncSession, actor: Actor, calendar_id: int) -> None:
    calendar = await access_calendar(session, actor, calendar_id, "manage")
    if calendar.is_default:
        raise Conflict("calendar_default_kept")
    await session.delete(calendar)
    await session.flush()


async def do_set_pref(
    session: AsyncSession, actor: Actor, calendar_id: int, data: CalendarPrefUpdate
) -> None:
    await access_calendar(session, actor, calendar_id, "freebusy")
    pref = (
        await session.execute(
            select(CalendarPref).where(
                CalendarPref.person_id == actor.person_id, CalendarPref.calendar_id == calendar_id
            )
        )
    ).scalar_one_or_none()
    if pref is None:
        pref = CalendarPref(person_id=actor.person_id, calendar_id=calendar_id, visible=True)
        session.add(pref)
    if data.visible is not None:
        pref.visible = data.visible
    if data.color is not None:
        pref.color = data.color
    await session.flush()
    forget_levels(session, actor)


async def do_rotate_feed(session: AsyncSession, actor: Actor, calendar_id: int) -> str:
    """A new secret subscription URL; the old one stops working at once."""
    calendar = await access_calendar(session, actor, calendar_id, "manage")
    calendar.feed_token = secrets.token_urlsafe(32)
    await session.flush()
    return f"/api/calendar/feeds/{calendar.feed_token}.ics"


async def do_revoke_feed(session: AsyncSession, actor: Actor, calendar_id: int) -> None:
    calendar = await access_calendar(session, actor, calendar_id, "manage")
    calendar.feed_token = None
    await session.flush()


# ---- occurrences in a window ----------------------------------------------------------------


async def list_occurrences(
    session: AsyncSession,
    actor: Actor,
    start: dt.datetime,
    end: dt.datetime,
    calendar_ids: list[int] | None = None,
) -> list[OccurrenceRead]:
    """What the actor's calendar shows between `start` and `end`: the visible calendars'
    events and every event they are invited to, one row per occurrence, by start."""
    check_window(start, end)
    levels = dict(await levels_for(session, actor))
    if calendar_ids:
        for cid in calendar_ids:
            if cid not in levels and (level := await level_on(session, actor, cid)) is not None:
                levels[cid] = level
        shown = [c for c in calendar_ids if c in levels]
    else:
        hidden = set(
            (
                await session.execute(
                    select(CalendarPref.calendar_id).where(
                        CalendarPref.person_id == actor.person_id, CalendarPref.visible.is_(False)
                    )
                )
            ).scalars()
        )
        shown = [c for c in levels if c not in hidden]
    scope = [Event.calendar_id.in_(shown)] if shown else []
    if not calendar_ids:
        # Invitations in calendars not already shown, looked up once on their own: a busy person
        # is an attendee of thousands of their own events, and `id IN (my invitations)` inside
        # the window query made SQLite fetch every one of those rows, twice (70 ms a week view).
        other = aliased(Event)
        invited_query = (
            select(Attendee.event_id)
            .join(other, other.id == Attendee.event_id)
            .where(Attendee.person_id == actor.person_id, other.calendar_id.not_in(shown))
        )
        invited = list((await session.execute(invited_query.limit(MAX_LISTED + 1))).scalars())
        invitations: list[int] | Select[Any] = invited if len(invited) <= MAX_LISTED else invited_query
        if invited:
            scope += [Event.id.in_(invitations), Event.parent_id.in_(invitations)]
    if not scope:
        return []
    rows = await session.execute(
        occurrence_rows(actor).where(or_(*scope), Event.status == "confirmed", overlapping(start, end))
    )
    return await occurrences_of(session, actor, list(rows), levels, start, end)


# What a week view needs of an event: loading these columns instead of whole ORM objects (JSON
# attachments and reminders, identity map) halves the time of a busy week.
OCCURRENCE_COLUMNS = (
    Event.id,
    Event.parent_id,
    Event.recurrence_id,
    Event.calendar_id,
    Event.organizer_id,
    Event.room_id,
    Event.title,
    Event.location,
    Event.all_day,
    Event.tz,
    Event.start_local,
    Event.end_local,
    Event.rrule,
    Event.exdates,
)


def occurrence_rows(actor: Actor) -> Any:
    """OCCURRENCE_COLUMNS and the actor's answer to the invitation (on the series), if any."""
    mine = aliased(Attendee)
    return select(*OCCURRENCE_COLUMNS, mine.status.label("my_status")).outerjoin(
        mine,
        (mine.event_id == func.coalesce(Event.parent_id, Event.id)) & (mine.person_id == actor.person_id),
    )


_OCCURRENCES = TypeAdapter(list[OccurrenceRead])


async def occurrences_of(
    session: AsyncSession,
    actor: Actor,
    events: Sequence[Row[Any]],
    levels: dict[int, str],
    start: dt.datetime,
    end: dt.datetime,
) -> list[OccurrenceRead]:
    """`events`: rows of `occurrence_rows`."""
    room_ids = {e.room_id for e in events if e.room_id}
    rooms = (
        dict((await session.execute(select(Room.id, Room.name).where(Room.id.in_(room_ids)))).all())
        if room_ids
        else {}
    )
    result: list[dict[str, Any]] = []
    for event in events:
        series_id = event.parent_id or event.id
        level = levels.get(event.calendar_id)
        mine_status = event.my_status
        involved = mine_status is not None or event.organizer_id == actor.person_id
        if not involved and level is None:
            continue
        busy_only = not involved and not at_least(level, "read")
        can_edit = (at_least(level, "edit") or event.organizer_id == actor.person_id) and not busy_only
        override_id = event.id if event.parent_id else None
        title = "" if busy_only else event.title
        location = "" if busy_only else event.location
        room_name = None if busy_only else rooms.get(event.room_id or 0)
        recurring = bool(event.rrule or event.parent_id)
        for occ in rec.expand(
            tz=event.tz,
            start_local=event.start_local,
            end_local=event.end_local,
            rule=event.rrule,
            exdates=event.exdates or (),
            window_start=start,
            window_end=end,
            all_day=event.all_day,
        ):
            result.append(
                dict(
                    event_id=series_id,
                    occurrence=event.recurrence_id or occ.key,
                    override_id=override_id,
                    calendar_id=event.calendar_id,
                    title=title,
                    location=location,
                    all_day=event.all_day,
                    tz=event.tz,
                    start=occ.start_utc,
                    end=occ.end_utc,
                    start_local=occ.start_local,
                    recurring=recurring,
                    busy_only=busy_only,
                    my_status=mine_status,
                    room_name=room_name,
                    can_edit=can_edit,
                )
            )
    result.sort(key=lambda o: (o["start"], o["event_id"]))
    # One validation call for the whole list: a busy week has ~450 occurrences, and building
    # them one model at a time cost more than expanding the rules.
    return _OCCURRENCES.validate_python(result)


# ---- rooms ----------------------------------------------------------------------------------


async def list_rooms(session: AsyncSession) -> list[RoomRead]:
    rows = await session.execute(select(Room).order_by(Room.name))
    return [RoomRead.model_validate(r) for r in rows.scalars()]


async def do_create_room(session: AsyncSession, actor: Actor, data: RoomCreate) -> Room:
    """Rooms are the organisation's: its administrators keep the list."""
    actor.require_org_admin()
    if (await session.execute(select(Room.id).where(Room.name == data.name))).first():
        raise Conflict("calendar_room_exists")
    room = Room(name=data.name, location=data.location, capacity=data.capacity, equipment=data.equipment)
    session.add(room)
    await session.flush()
    return room


async def do_update_room(session: AsyncSession, actor: Actor, room_id: int, data: RoomUpdate) -> Room:
    from tongban.calendar.checks import access_room

    if not actor.is_org_admin:
        raise Forbidden()
    room = await access_room(session, room_id)
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(room, name, value)
    await session.flush()
    return room


async def room_schedule(
    session: AsyncSession, actor: Actor, room_id: int, start: dt.datetime, end: dt.datetime
) -> list[OccurrenceRead]:
    """A room's bookings in a window; titles only where the viewer may read the event."""
    from tongban.calendar.checks import access_room

    check_window(start, end)
    await access_room(session, room_id)
    levels = await levels_for(session, actor)
    events = list(
        await session.execute(
            occurrence_rows(actor).where(
                Event.room_id == room_id, Event.status == "confirmed", overlapping(start, end)
            )
        )
    )
    # Everyone may see when a room is taken; `occurrences_of` hides what they may not read.
    everyone = {e.calendar_id: levels.get(e.calendar_id) or "freebusy" for e in events}
    return await occurrences_of(session, actor, events, everyone, start, end)
