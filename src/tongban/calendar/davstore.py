"""The calendar as CalDAV sees it: collections are calendars, resources are series (an event or
a recurring series with its changed occurrences, one iCalendar object sharing one UID).

A resource is named "<uid>.ics" (quoted) unless the client that made it chose another name,
kept in `Event.dav_name`. Its ETag is a digest of the rows it is made of (ids, sequences,
update times), so any change through the web app or CalDAV changes it without storing it;
a calendar's CTag digests its resources' ETags.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from urllib.parse import quote, unquote

from sqlalchemy import delete as sa_delete
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.calendar import checks, events, ics, invites
from tongban.calendar import recurrence as rec
from tongban.calendar.access import access_calendar, at_least, levels_for
from tongban.calendar.models import Calendar, Event, overlapping
from tongban.calendar.reminders import schedule_reminder
from tongban.core.errors import AppError, Conflict, Invalid, NotFound
from tongban.core.permissions import Actor


class PreconditionFailed(AppError):
    """If-Match / If-None-Match did not hold (RFC 4918 §10.4, RFC 7232 §4.2)."""

    status_code = 412

    def __init__(self) -> None:
        super().__init__("calendar_dav_precondition")


@dataclass
class Resource:
    event_id: int
    href_name: str
    etag: str


def href_name(event: Event) -> str:
    return event.dav_name or f"{quote(event.uid, safe='')}.ics"


def _digest(parts: list[tuple[int, int, dt.datetime | None]]) -> str:
    text = ";".join(f"{i}:{s}:{u.isoformat() if u else ''}" for i, s, u in sorted(parts))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


async def readable_calendars(session: AsyncSession, actor: Actor) -> list[tuple[Calendar, str]]:
    """The calendars a CalDAV client lists: those in the actor's list they may read in full."""
    levels = {cid: lv for cid, lv in (await levels_for(session, actor)).items() if at_least(lv, "read")}
    if not levels:
        return []
    rows = await session.execute(select(Calendar).where(Calendar.id.in_(levels)).order_by(Calendar.id))
    return [(c, levels[c.id]) for c in rows.scalars()]


async def resources(
    session: AsyncSession,
    calendar_id: int,
    *,
    window: tuple[dt.datetime, dt.datetime] | None = None,
    series_ids: list[int] | None = None,
) -> list[Resource]:
    """The calendar's resources (optionally those with an occurrence in `window`), with ETags."""
    stmt = select(Event).where(
        Event.calendar_id == calendar_id, Event.parent_id.is_(None), Event.status == "confirmed"
    )
    if window is not None:
        stmt = stmt.where(overlapping(*window))
    if series_ids is not None:
        stmt = stmt.where(Event.id.in_(series_ids))
    masters = list((await session.execute(stmt.order_by(Event.id))).scalars())
    if window is not None:
        masters = [m for m in masters if _occurs_in(m, *window)]
    if not masters:
        return []
    parts: dict[int, list[tuple[int, int, dt.datetime | None]]] = {
        m.id: [(m.id, m.sequence, m.updated_at)] for m in masters
    }
    children = await session.execute(
        select(Event.id, Event.parent_id, Event.sequence, Event.updated_at).where(
            Event.parent_id.in_(list(parts))
        )
    )
    for cid, parent_id, sequence, updated_at in children:
        parts[parent_id or 0].append((cid, sequence, updated_at))
    return [Resource(m.id, href_name(m), _digest(parts[m.id])) for m in masters]


def _occurs_in(event: Event, start: dt.datetime, end: dt.datetime) -> bool:
    occurrences = rec.expand(
        tz=event.tz,
        start_local=event.start_local,
        end_local=event.end_local,
        rule=event.rrule,
        exdates=list(event.exdates or []),
        window_start=start,
        window_end=end,
        all_day=event.all_day,
    )
    return next(iter(occurrences), None) is not None


def ctag(items: list[Resource]) -> str:
    return '"' + hashlib.sha256("|".join(r.etag for r in items).encode()).hexdigest()[:32] + '"'


async def find(session: AsyncSession, calendar_id: int, name: str) -> Event | None:
    """The series stored under resource name `name` in the calendar."""
    stmt = select(Event).where(
        Event.calendar_id == calendar_id, Event.parent_id.is_(None), Event.status == "confirmed"
    )
    by_name = (await session.execute(stmt.where(Event.dav_name == name))).scalars().first()
    if by_name is not None or not name.endswith(".ics"):
        return by_name
    uid = unquote(name[: -len(".ics")])
    return (await session.execute(stmt.where(Event.uid == uid, Event.dav_name.is_(None)))).scalars().first()


async def etag_of(session: AsyncSession, event: Event) -> str:
    found = await resources(session, event.calendar_id, series_ids=[event.id])
    return found[0].etag if found else '""'


def check_preconditions(current: str | None, if_match: str | None, if_none_match: str | None) -> None:
    """RFC 7232: If-Match names ETags the resource must have; If-None-Match: * means "create only"."""
    if if_match is not None:
        wanted = {tag.strip() for tag in if_match.split(",")}
        if current is None or ("*" not in wanted and current not in wanted):
            raise PreconditionFailed()
    if if_none_match is not None and current is not None:
        wanted = {tag.strip() for tag in if_none_match.split(",")}
        if "*" in wanted or current in wanted:
            raise PreconditionFailed()


async def get_ics(session: AsyncSession, event: Event) -> bytes:
    return await ics.export_events(session, [event.id])


async def put(
    session: AsyncSession,
    actor: Actor,
    calendar_id: int,
    name: str,
    data: bytes,
    if_match: str | None,
    if_none_match: str | None,
) -> tuple[Event, bool]:
    """Create or replace the resource `name` from an iCalendar body; returns (event, created).

    A replacement keeps the event's id, attendees and their answers, room and organiser (CalDAV
    clients see only their own copy), takes times, texts, rule, exceptions and alarms from the
    body, and tells attendees of the change as an edit in the web app would.
    """
    calendar = await access_calendar(session, actor, calendar_id, "read")
    existing = await find(session, calendar_id, name)
    check_preconditions(await etag_of(session, existing) if existing else None, if_match, if_none_match)
    if existing is not None:
        await events.access_event(session, actor, existing.id, edit=True)
    else:
        await access_calendar(session, actor, calendar_id, "edit")
    parsed, problems = ics.parse_ics(data, "Asia/Shanghai")
    masters = [p for p in parsed if p.recurrence_id is None]
    if problems or len(masters) != 1 or len({p.uid for p in parsed}) != 1:
        reason = "; ".join(problems) or "one VEVENT (and its changed occurrences, same UID) per resource"
        raise Invalid("body", "field.calendar_bad_ics", reason=reason[:300])
    master = masters[0]
    children = [p for p in parsed if p.recurrence_id is not None and master.timing.rrule]
    if existing is None:
        clash = (
            await session.execute(
                select(Event.id).where(
                    Event.calendar_id == calendar_id, Event.uid == master.uid, Event.parent_id.is_(None)
                )
            )
        ).first()
        if clash is not None:
            raise Conflict("calendar_dav_uid_taken")
        event = await ics._insert(session, actor, calendar, master, parent=None)
        if href_name(event) != name:
            event.dav_name = name
        created = True
    else:
        event = existing
        event.title, event.description, event.location = master.title, master.description, master.location
        event.reminders = master.reminders
        timing = master.timing
        if event.room_id is not None:
            room = await checks.check_room(session, event.room_id)
            if room is not None:
                await checks.check_room_free(session, room, timing, ignore_ids={event.id})
        events._apply_timing(event, timing)
        event.exdates = list(timing.exdates) if timing.rrule else []
        event.sequence += 1
        await session.execute(sa_delete(Event).where(Event.parent_id == event.id))
        await session.flush()
        created = False
    for child in children:
        assert child.recurrence_id is not None
        event.exdates = sorted({*(event.exdates or []), child.recurrence_id})
        if not child.cancelled:
            await ics._insert(session, actor, calendar, child, parent=event)
    await session.flush()
    await schedule_reminder(session, event)
    if created:
        await invites.invited(session, actor, event, [])
    else:
        await invites.changed(session, actor, event, exclude=set())
    return event, created


async def delete(
    session: AsyncSession, actor: Actor, calendar_id: int, name: str, if_match: str | None
) -> None:
    await access_calendar(session, actor, calendar_id, "read")
    existing = await find(session, calendar_id, name)
    if existing is None:
        check_preconditions(None, if_match, None)
        raise NotFound("calendar_event_not_found")
    check_preconditions(await etag_of(session, existing), if_match, None)
    await events.do_delete_event(session, actor, existing.id, "all", None)
