"""Free/busy and the scheduling assistant (时区助手).

A person is busy during every occurrence of an event they attend and have not declined, and of
every event in their own calendar. The assistant walks candidate starts in UTC and keeps those
where every attendee is free and inside their own working hours *on their own wall clock*:
each person's hours are read in their zone for that very date, so the week Warsaw changes its
clocks and Beijing does not, the overlap moves by an hour, as it does in reality.
Busy times are shown to every colleague (that is what a scheduling assistant needs); the titles
only to those who may read the event.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.calendar import recurrence as rec
from tongban.calendar.access import at_least, levels_for
from tongban.calendar.models import Attendee, Calendar, Event, overlapping
from tongban.calendar.people import PersonInfo, people_info
from tongban.calendar.schemas import (
    AssistantIn,
    AssistantRead,
    BusyRead,
    FreeBusyIn,
    LocalTime,
    PersonBusy,
    Slot,
)
from tongban.calendar.service import check_window
from tongban.core.errors import Invalid
from tongban.core.permissions import Actor

Interval = tuple[dt.datetime, dt.datetime, str | None]


async def busy_of(
    session: AsyncSession, actor: Actor, person_ids: list[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Interval]]:
    """Each person's busy intervals in the window, sorted, titles where the actor may read them."""
    attending: dict[int, set[int]] = defaultdict(set)
    invited = select(Attendee.event_id).where(
        Attendee.person_id.in_(person_ids), Attendee.status != "declined"
    )
    rows = await session.execute(
        select(Attendee.event_id, Attendee.person_id)
        .join(Event, Event.id == Attendee.event_id)
        .where(
            Attendee.person_id.in_(person_ids),
            Attendee.status != "declined",
            or_(
                overlapping(start, end), Event.id.in_(select(Event.parent_id).where(overlapping(start, end)))
            ),
        )
    )
    for event_id, pid in rows:
        attending[event_id].add(pid)
    own: dict[int, int] = dict(
        (
            await session.execute(
                select(Calendar.id, Calendar.owner_id).where(
                    Calendar.owner_id.in_(person_ids), Calendar.is_default.is_(True)
                )
            )
        ).all()
    )
    result: dict[int, list[Interval]] = {pid: [] for pid in person_ids}
    if not attending and not own:
        return result
    events = (
        await session.execute(
            select(Event).where(
                or_(Event.id.in_(invited), Event.parent_id.in_(invited), Event.calendar_id.in_(list(own))),
                Event.status == "confirmed",
                overlapping(start, end),
            )
        )
    ).scalars()
    levels = await levels_for(session, actor)
    mine = {eid for eid, pids in attending.items() if actor.person_id in pids}
    for event in events:
        series_id = event.parent_id or event.id
        who = set(attending.get(series_id, ()))
        if event.calendar_id in own:
            who.add(own[event.calendar_id])
        if not who:
            continue
        readable = at_least(levels.get(event.calendar_id), "read") or series_id in mine
        title = event.title if readable else None
        for occ in rec.expand(
            tz=event.tz,
            start_local=event.start_local,
            end_local=event.end_local,
            rule=event.rrule,
            exdates=list(event.exdates or []),
            window_start=start,
            window_end=end,
            all_day=event.all_day,
        ):
            for pid in who:
                result[pid].append((occ.start_utc, occ.end_utc, title))
    for intervals in result.values():
        intervals.sort(key=lambda i: (i[0], i[1]))
    return result


async def _people(session: AsyncSession, actor: Actor, person_ids: list[int]) -> dict[int, PersonInfo]:
    people = await people_info(session, actor, person_ids)
    if missing := [p for p in person_ids if p not in people]:
        del missing
        raise Invalid("body.person_ids", "field.calendar_unknown_person")
    return people


def _person_busy(info: PersonInfo, busy: list[Interval]) -> PersonBusy:
    return PersonBusy(
        person_id=info.id,
        name=info.name,
        tz=info.tz,
        working_hours=info.working_hours,
        busy=[BusyRead(start=s, end=e, title=t) for s, e, t in busy],
    )


async def free_busy(session: AsyncSession, actor: Actor, data: FreeBusyIn) -> list[PersonBusy]:
    check_window(data.start, data.end, "body")
    ids = list(dict.fromkeys(data.person_ids))
    people = await _people(session, actor, ids)
    busy = await busy_of(session, actor, ids, data.start, data.end)
    return [_person_busy(people[pid], busy[pid]) for pid in ids]


def _hours(info: PersonInfo) -> tuple[dt.time, dt.time, set[int]]:
    hours = info.working_hours
    try:
        start = dt.time.fromisoformat(str(hours.get("start", "09:00")))
        end = dt.time.fromisoformat(str(hours.get("end", "18:00")))
        raw_days = hours.get("days", [1, 2, 3, 4, 5])
        days = {int(d) for d in raw_days} if isinstance(raw_days, list) else {1, 2, 3, 4, 5}
    except (TypeError, ValueError):
        start, end, days = dt.time(9), dt.time(18), {1, 2, 3, 4, 5}
    return start, end, days


def in_working_hours(info: PersonInfo, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether [start, end) lies inside the person's working hours on their own wall clock.

    Working days are ISO weekdays (1 = Monday)."""
    day_start, day_end, days = _hours(info)
    zone = rec.zone(info.tz)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.isoweekday() not in days:
        return False
    if local_end.date() != local_start.date():
        return local_end.time() == dt.time(0) and day_end == dt.time(0) and local_start.time() >= day_start
    return day_start <= local_start.time() and local_end.time() <= day_end


def _index(busy: list[Interval]) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """Starts, and the latest end so far, of intervals sorted by start: one bisection per test."""
    starts, reach = [], []
    latest: dt.datetime | None = None
    for b_start, b_end, _ in busy:
        latest = b_end if latest is None or b_end > latest else latest
        starts.append(b_start)
        reach.append(latest)
    return starts, reach


def _free(index: tuple[list[dt.datetime], list[dt.datetime]], start: dt.datetime, end: dt.datetime) -> bool:
    starts, reach = index
    i = bisect.bisect_left(starts, end)  # intervals starting before `end`
    return i == 0 or reach[i - 1] <= start


async def suggest(session: AsyncSession, actor: Actor, data: AssistantIn) -> AssistantRead:
    """Slots where everyone is free and inside their working hours, earliest first."""
    check_window(data.start, data.end, "body")
    ids = list(dict.fromkeys(data.person_ids))
    people = await _people(session, actor, ids)
    busy = await busy_of(session, actor, ids, data.start, data.end)
    room_busy: list[Interval] = []
    if data.room_id is not None:
        from tongban.calendar.service import room_schedule

        room_busy = [
            (o.start, o.end, None)
            for o in await room_schedule(session, actor, data.room_id, data.start, data.end)
        ]
    duration = dt.timedelta(minutes=data.duration_minutes)
    step = dt.timedelta(minutes=data.step_minutes)
    first = data.start.astimezone(dt.UTC)
    # Align candidates to the step (10:00, 10:30 … rather than 10:07).
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    first = epoch + -(-(first - epoch) // step) * step
    order = [(pid, _index(busy[pid])) for pid in ids]
    room_index = _index(room_busy)
    slots: list[Slot] = []
    t = first
    last = data.end.astimezone(dt.UTC)
    while t + duration <= last and len(slots) < data.limit:
        e = t + duration
        ok = all(in_working_hours(people[pid], t, e) and _free(index, t, e) for pid, index in order)
        if ok and room_busy:
            ok = _free(room_index, t, e)
        if ok:
            slots.append(
                Slot(
                    start=t,
                    end=e,
                    local=[
                        LocalTime(
                            person_id=pid,
                            name=people[pid].name,
                            tz=people[pid].tz,
                            start=rec.to_local(t, people[pid].tz),
                            end=rec.to_local(e, people[pid].tz),
                        )
                        for pid in ids
                    ],
                )
            )
        t += step
    return AssistantRead(people=[_person_busy(people[pid], busy[pid]) for pid in ids], slots=slots)
