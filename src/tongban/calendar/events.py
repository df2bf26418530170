"""Events: create, read, edit and delete (one occurrence, this-and-following, or the series), RSVP.

A series is one row with an RRULE; an occurrence changed on its own is an override row
(`parent_id`, `recurrence_id` = its original local start) and its key joins the series'
`exdates` so the series no longer yields it; a cancelled occurrence is only an exdate.
"This and following" splits the series in two at the occurrence (RFC 5545 gives no better
interoperable way; Google and Outlook do the same): the first half ends before it, the second
starts with it and takes the later overrides and exdates along.
Attendees belong to the series: an answer counts for every occurrence.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.calendar import cards, checks, invites
from tongban.calendar import recurrence as rec
from tongban.calendar.access import access_calendar, at_least, default_calendar, display_name, level_on
from tongban.calendar.models import SHORT_SPAN, Attendee, Calendar, Event, Room
from tongban.calendar.reminders import schedule_reminder
from tongban.calendar.schemas import (
    AttendeeRead,
    EventCreate,
    EventRead,
    EventUpdate,
    PersonRef,
    RoomRef,
    RsvpIn,
    Scope,
)
from tongban.core.db import utcnow
from tongban.core.errors import Forbidden, Invalid, NotFound
from tongban.core.permissions import Actor
from tongban.org import service as org


def new_uid() -> str:
    return f"{uuid.uuid4()}@tongban"


def _apply_timing(event: Event, timing: checks.Timing) -> None:
    event.tz, event.all_day, event.rrule = timing.tz, timing.all_day, timing.rrule
    event.start_local, event.end_local = timing.start_local, timing.end_local
    event.start_utc, event.end_utc = timing.start_utc, timing.end_utc
    event.range_end_utc = timing.range_end()
    event.wide = bool(timing.rrule) or event.end_utc - event.start_utc > SHORT_SPAN


def _timing_of(event: Event) -> checks.Timing:
    return checks.Timing(
        event.tz, event.start_local, event.end_local, event.all_day, event.rrule, list(event.exdates or [])
    )


async def _set_attendees(session: AsyncSession, event: Event, person_ids: list[int]) -> list[int]:
    """Make the attendee list `person_ids`; answers of those who stay are kept. Returns the new ones."""
    rows = {
        a.person_id: a
        for a in (await session.execute(select(Attendee).where(Attendee.event_id == event.id))).scalars()
    }
    added = [pid for pid in person_ids if pid not in rows]
    for pid in added:
        accepted = pid == event.organizer_id
        session.add(
            Attendee(
                event_id=event.id,
                person_id=pid,
                status="accepted" if accepted else "needs_action",
                responded_at=utcnow() if accepted else None,
            )
        )
    for pid, row in rows.items():
        if pid not in person_ids:
            await session.delete(row)
    await session.flush()
    return added


async def attendee_ids(session: AsyncSession, event_id: int) -> list[int]:
    rows = await session.execute(select(Attendee.person_id).where(Attendee.event_id == event_id))
    return list(rows.scalars())


async def do_create_event(session: AsyncSession, actor: Actor, data: EventCreate) -> Event:
    """A new event (or series) in a calendar the actor may edit; invitees are notified."""
    if data.calendar_id is None:
        calendar = await default_calendar(session, actor)
    else:
        calendar = await access_calendar(session, actor, data.calendar_id, "edit")
    timing = checks.check_timing(
        tz=data.tz, start=data.start, end=data.end, all_day=data.all_day, rrule=data.rrule
    )
    reminders = checks.check_reminders(data.reminders)
    room = await checks.check_room(session, data.room_id)
    people = await checks.check_attendees(session, actor.person_id, data.attendee_ids, data.department_ids)
    if room is not None:
        await checks.check_room_free(session, room, timing, ignore_ids=set())
    event = Event(
        calendar_id=calendar.id,
        organizer_id=actor.person_id,
        uid=new_uid(),
        title=data.title,
        description=data.description,
        location=data.location or (room.name if room else ""),
        online_url=data.online_url,
        room_id=room.id if room else None,
        reminders=reminders,
        invited_departments=list(dict.fromkeys(data.department_ids)),
        exdates=[],
    )
    _apply_timing(event, timing)
    session.add(event)
    await session.flush()
    await _set_attendees(session, event, people)
    await schedule_reminder(session, event)
    await invites.invited(session, actor, event, [p for p in people if p != actor.person_id])
    return event


async def access_event(session: AsyncSession, actor: Actor, event_id: int, *, edit: bool = False) -> Event:
    """The event if the actor may read it (edit: change it); 404 when unseen, 403 when read-only."""
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFound("calendar_event_not_found")
    level = await level_on(session, actor, event.calendar_id)
    series_id = event.parent_id or event.id
    invited = actor.person_id in await attendee_ids(session, series_id)
    organiser = event.organizer_id == actor.person_id
    if not (at_least(level, "read") or invited or organiser):
        raise NotFound("calendar_event_not_found")
    if edit and not (at_least(level, "edit") or organiser):
        raise Forbidden("calendar_event_forbidden")
    return event


async def event_read(session: AsyncSession, actor: Actor, event: Event) -> EventRead:
    series_id = event.parent_id or event.id
    rows = (await session.execute(select(Attendee).where(Attendee.event_id == series_id))).all()
    attendees = [r[0] for r in rows]
    calendar = await session.get(Calendar, event.calendar_id)
    names = await org.names_of(
        session,
        [a.person_id for a in attendees] + [event.organizer_id or 0, calendar.owner_id if calendar else 0],
    )
    room = await session.get(Room, event.room_id) if event.room_id else None
    level = await level_on(session, actor, event.calendar_id)
    mine = next((a.status for a in attendees if a.person_id == actor.person_id), None)
    return EventRead(
        id=event.id,
        uid=event.uid,
        calendar_id=event.calendar_id,
        calendar_name=display_name(calendar, actor.person_id, names.get(calendar.owner_id, ""))
        if calendar
        else "",
        organizer=PersonRef(id=event.organizer_id, name=names.get(event.organizer_id, ""))
        if event.organizer_id
        else None,
        title=event.title,
        description=event.description,
        location=event.location,
        online_url=event.online_url,
        all_day=event.all_day,
        tz=event.tz,
        start=event.start_local,
        end=event.end_local,
        start_utc=event.start_utc,
        end_utc=event.end_utc,
        rrule=event.rrule,
        exdates=list(event.exdates or []),
        parent_id=event.parent_id,
        recurrence_id=event.recurrence_id,
        status=event.status,
        room=RoomRef(id=room.id, name=room.name) if room else None,
        reminders=list(event.reminders or []),
        attendees=[
            AttendeeRead(
                person_id=a.person_id,
                name=names.get(a.person_id, ""),
                status=a.status,
                note=a.note,
                responded_at=a.responded_at,
            )
            for a in sorted(attendees, key=lambda a: (a.person_id != event.organizer_id, a.id))
        ],
        department_ids=list(event.invited_departments or []),
        my_status=mine,
        can_edit=at_least(level, "edit") or event.organizer_id == actor.person_id,
    )


def _merged(event: Event, data: EventUpdate) -> dict[str, Any]:
    given = data.model_dump(exclude_unset=True)
    return {
        "tz": given.get("tz") or event.tz,
        "start": given.get("start") or event.start_local,
        "end": given.get("end") or event.end_local,
        "all_day": event.all_day if data.all_day is None else data.all_day,
        "rrule": None if data.clear_rrule else (data.rrule if "rrule" in given else event.rrule),
    }


def _copy_fields(event: Event, data: EventUpdate) -> None:
    for name in ("title", "description", "location", "online_url"):
        value = getattr(data, name)
        if value is not None:
            setattr(event, name, value)
    if data.reminders is not None:
        event.reminders = checks.check_reminders(data.reminders)


async def do_update_event(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    data: EventUpdate,
    scope: Scope,
    occurrence: str | None,
) -> Event:
    """Change an event; for a series, the whole of it, one occurrence, or it and all after."""
    event = await access_event(session, actor, event_id, edit=True)
    if event.rrule is None or scope == "all":
        return await _update_in_place(session, actor, event, data)
    key = checks.check_occurrence(event, occurrence)
    if scope == "this":
        return await _update_one(session, actor, event, key, data)
    if key == rec.local_key(event.start_local):
        return await _update_in_place(session, actor, event, data)
    return await _split(session, actor, event, key, data)


async def _room_for(session: AsyncSession, event: Event, data: EventUpdate) -> Room | None:
    if data.clear_room:
        return None
    return await checks.check_room(session, data.room_id if data.room_id is not None else event.room_id)


async def _update_in_place(session: AsyncSession, actor: Actor, event: Event, data: EventUpdate) -> Event:
    merged = _merged(event, data)
    timing = checks.check_timing(**merged)
    old_start = event.start_local
    if timing.rrule and old_start != timing.start_local:
        # The series moved: its cancelled and changed occurrences move with it.
        shift = timing.start_local - old_start
        timing.exdates = [rec.local_key(dt.datetime.fromisoformat(k) + shift) for k in event.exdates or []]
        for child in await _overrides(session, event.id):
            assert child.recurrence_id is not None
            child.recurrence_id = rec.local_key(dt.datetime.fromisoformat(child.recurrence_id) + shift)
    else:
        timing.exdates = list(event.exdates or [])
    room = await _room_for(session, event, data)
    if room is not None:
        await checks.check_room_free(session, room, timing, ignore_ids={event.id})
    if data.calendar_id is not None and data.calendar_id != event.calendar_id:
        await access_calendar(session, actor, data.calendar_id, "edit")
        event.calendar_id = data.calendar_id
    _copy_fields(event, data)
    _apply_timing(event, timing)
    event.exdates = timing.exdates
    event.room_id = room.id if room else None
    event.sequence += 1
    added: list[int] = []
    if event.parent_id is None and (data.attendee_ids is not None or data.department_ids is not None):
        people = await checks.check_attendees(
            session,
            event.organizer_id or actor.person_id,
            data.attendee_ids if data.attendee_ids is not None else await attendee_ids(session, event.id),
            data.department_ids or [],
        )
        if data.department_ids is not None:
            event.invited_departments = list(dict.fromkeys(data.department_ids))
        before = set(await attendee_ids(session, event.id))
        added = await _set_attendees(session, event, people)
        removed = before - set(people)
        await invites.cancelled(session, actor, event, sorted(removed))
    await session.flush()
    await schedule_reminder(session, event)
    await invites.invited(session, actor, event, [p for p in added if p != actor.person_id])
    await invites.changed(session, actor, event, exclude=set(added))
    return event


async def _overrides(session: AsyncSession, series_id: int) -> list[Event]:
    rows = await session.execute(select(Event).where(Event.parent_id == series_id))
    return list(rows.scalars())


async def _update_one(
    session: AsyncSession, actor: Actor, series: Event, key: str, data: EventUpdate
) -> Event:
    """Change one occurrence: an override row, made on first change."""
    override = (
        await session.execute(select(Event).where(Event.parent_id == series.id, Event.recurrence_id == key))
    ).scalar_one_or_none()
    if override is None:
        start = dt.datetime.fromisoformat(key)
        override = Event(
            calendar_id=series.calendar_id,
            organizer_id=series.organizer_id,
            uid=series.uid,
            title=series.title,
            description=series.description,
            location=series.location,
            online_url=series.online_url,
            attachments=list(series.attachments or []),
            room_id=series.room_id,
            reminders=list(series.reminders or []),
            invited_departments=[],
            exdates=[],
            parent_id=series.id,
            recurrence_id=key,
            sequence=series.sequence,
        )
        _apply_timing(
            override,
            checks.Timing(
                series.tz, start, start + (series.end_local - series.start_local), series.all_day, None
            ),
        )
        session.add(override)
        series.exdates = sorted({*(series.exdates or []), key})
        await session.flush()
    base = EventUpdate.model_validate(
        {k: v for k, v in data.model_dump(exclude_unset=True).items() if k not in ("rrule", "clear_rrule")}
    )
    base.clear_rrule = True
    timing = checks.check_timing(**_merged(override, base))
    room = await _room_for(session, override, data)
    if room is not None:
        await checks.check_room_free(
            session, room, timing, ignore_ids={override.id}, ignore_key=(series.id, key)
        )
    _copy_fields(override, data)
    _apply_timing(override, timing)
    override.room_id = room.id if room else None
    override.sequence += 1
    await session.flush()
    await schedule_reminder(session, override)
    await schedule_reminder(session, series)
    await invites.changed(session, actor, override, exclude=set())
    return override


async def _split(session: AsyncSession, actor: Actor, series: Event, key: str, data: EventUpdate) -> Event:
    """This and following: the series ends before `key`; a new series starts there with the change."""
    assert series.rrule is not None
    cut_local = dt.datetime.fromisoformat(key)
    count = rec.rule_count(series.rrule)
    before = rec.occurrences_before(series.rrule, series.start_local, series.tz, cut_local)
    tail_rule = series.rrule if count is None else rec.with_count(series.rrule, max(count - before, 1))
    people = await attendee_ids(session, series.id)
    tail = Event(
        calendar_id=series.calendar_id,
        organizer_id=series.organizer_id,
        uid=new_uid(),
        title=series.title,
        description=series.description,
        location=series.location,
        online_url=series.online_url,
        attachments=list(series.attachments or []),
        room_id=series.room_id,
        reminders=list(series.reminders or []),
        invited_departments=list(series.invited_departments or []),
        exdates=[k for k in series.exdates or [] if k >= key],
    )
    _apply_timing(
        tail,
        checks.Timing(
            series.tz,
            cut_local,
            cut_local + (series.end_local - series.start_local),
            series.all_day,
            tail_rule,
        ),
    )
    # The first half ends one second before the cut (UNTIL is inclusive).
    head_rule = rec.with_until(series.rrule, rec.to_utc(cut_local, series.tz) - dt.timedelta(seconds=1))
    series.exdates = [k for k in series.exdates or [] if k < key]
    _apply_timing(
        series, checks.Timing(series.tz, series.start_local, series.end_local, series.all_day, head_rule)
    )
    series.sequence += 1
    session.add(tail)
    await session.flush()
    for child in await _overrides(session, series.id):
        if child.recurrence_id is not None and child.recurrence_id >= key:
            child.parent_id = tail.id
    # Everyone keeps their answer: the second half is the same meeting going on.
    for row in (await session.execute(select(Attendee).where(Attendee.event_id == series.id))).scalars():
        session.add(
            Attendee(
                event_id=tail.id,
                person_id=row.person_id,
                status=row.status,
                note=row.note,
                responded_at=row.responded_at,
            )
        )
    await session.flush()
    await schedule_reminder(session, series)
    if data.model_dump(exclude_unset=True):
        return await _update_in_place(session, actor, tail, data)
    await schedule_reminder(session, tail)
    del people
    return tail


async def do_delete_event(
    session: AsyncSession, actor: Actor, event_id: int, scope: Scope, occurrence: str | None
) -> None:
    """Cancel an event; for a series, one occurrence, it and all after, or all of it."""
    event = await access_event(session, actor, event_id, edit=True)
    if event.parent_id is not None and scope != "all":
        # One changed occurrence: cancel just it (its key stays in the series' exdates).
        await invites.cancelled(session, actor, event, await attendee_ids(session, event.parent_id))
        await session.delete(event)
        await session.flush()
        return
    if event.rrule is None or scope == "all":
        await invites.cancelled(session, actor, event, await attendee_ids(session, event.id))
        await cards.refresh(session, event, cancelled=True)
        await session.delete(event)
        await session.flush()
        return
    key = checks.check_occurrence(event, occurrence)
    if scope == "this":
        await session.execute(delete(Event).where(Event.parent_id == event.id, Event.recurrence_id == key))
        event.exdates = sorted({*(event.exdates or []), key})
    elif key == rec.local_key(event.start_local):
        await invites.cancelled(session, actor, event, await attendee_ids(session, event.id))
        await cards.refresh(session, event, cancelled=True)
        await session.delete(event)
        await session.flush()
        return
    else:
        assert event.rrule is not None
        await session.execute(delete(Event).where(Event.parent_id == event.id, Event.recurrence_id >= key))
        cut = rec.to_utc(dt.datetime.fromisoformat(key), event.tz) - dt.timedelta(seconds=1)
        event.exdates = [k for k in event.exdates or [] if k < key]
        _apply_timing(
            event,
            checks.Timing(
                event.tz, event.start_local, event.end_local, event.all_day, rec.with_until(event.rrule, cut)
            ),
        )
    event.sequence += 1
    await session.flush()
    await schedule_reminder(session, event)
    await invites.changed(session, actor, event, exclude=set())


async def do_rsvp(session: AsyncSession, actor: Actor, event_id: int, data: RsvpIn) -> Event:
    """An invitee answers (for the whole series); the organiser is told."""
    event = await access_event(session, actor, event_id)
    series_id = event.parent_id or event.id
    row = (
        await session.execute(
            select(Attendee).where(Attendee.event_id == series_id, Attendee.person_id == actor.person_id)
        )
    ).scalar_one_or_none()
    if row is None:
        raise Forbidden("calendar_not_invited")
    changed = row.status != data.status or row.note != data.note
    row.status, row.note, row.responded_at = data.status, data.note, utcnow()
    await session.flush()
    series = event if event.parent_id is None else await session.get(Event, series_id)
    assert series is not None
    await schedule_reminder(session, series)
    if changed:
        await invites.answered(session, actor, series, data.status, data.note)
    return series


def check_scope_args(scope: Scope, occurrence: str | None) -> None:
    if scope != "all" and not occurrence:
        raise Invalid("query.occurrence", "field.missing")
