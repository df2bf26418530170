"""iCalendar (RFC 5545) out and in: export of calendars and events, the private feed, import.

Export writes each series once with its RRULE and EXDATEs in the event's own zone (with the
VTIMEZONE definitions clients need), and each changed occurrence as a VEVENT with the same UID
and a RECURRENCE-ID, as Outlook, Google and Apple expect. Import reads the same shapes back;
it checks the whole file first and writes nothing when something could not be read, unless
the user confirms that the readable events should go in anyway.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import icalendar
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.calendar import checks
from tongban.calendar import recurrence as rec
from tongban.calendar.access import access_calendar, display_name
from tongban.calendar.events import _apply_timing, _set_attendees
from tongban.calendar.models import Calendar, Event
from tongban.calendar.reminders import schedule_reminder
from tongban.calendar.schemas import CalendarImportReport
from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, Invalid, NotFound
from tongban.core.permissions import Actor
from tongban.org import service as org

i18n.register(
    {
        "field.calendar_bad_ics": (
            "不是可读的 iCalendar 文件：{reason}",
            "is not a readable iCalendar file: {reason}",
        ),
        "field.calendar_ics_too_large": ("文件不能超过 5 MB", "must be at most 5 MB"),
        "calendar_ics_problem": ("第 {n} 个日程「{title}」：{reason}", "event {n} “{title}”: {reason}"),
    }
)

MAX_IMPORT = 5 * 1024 * 1024
PRODID = "-//Tongban//Calendar//ZH"


def _aware(local: dt.datetime, tz: str) -> dt.datetime:
    return local.replace(tzinfo=rec.zone(tz))


def _vevent(event: Event) -> icalendar.Event:
    v = icalendar.Event()
    v.add("uid", event.uid)
    v.add("dtstamp", event.updated_at or utcnow())
    v.add("sequence", event.sequence)
    v.add("summary", event.title)
    if event.description:
        v.add("description", event.description)
    if event.location:
        v.add("location", event.location)
    if event.online_url:
        v.add("url", event.online_url)
    if event.all_day:
        v.add("dtstart", event.start_local.date())
        v.add("dtend", event.end_local.date())
    else:
        v.add("dtstart", _aware(event.start_local, event.tz))
        v.add("dtend", _aware(event.end_local, event.tz))
    if event.rrule:
        v.add("rrule", icalendar.vRecur.from_ical(event.rrule))
        for key in event.exdates or []:
            local = dt.datetime.fromisoformat(key)
            v.add("exdate", local.date() if event.all_day else _aware(local, event.tz))
    if event.recurrence_id:
        local = dt.datetime.fromisoformat(event.recurrence_id)
        v.add("recurrence-id", local.date() if event.all_day else _aware(local, event.tz))
    for minutes in event.reminders or []:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.title)
        alarm.add("trigger", dt.timedelta(minutes=-minutes))
        v.add_component(alarm)
    return v


async def export_events(session: AsyncSession, series_ids: list[int], name: str | None = None) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if name:
        cal.add("x-wr-calname", name)
    if series_ids:
        rows = await session.execute(
            select(Event)
            .where(
                (Event.id.in_(series_ids)) | (Event.parent_id.in_(series_ids)), Event.status == "confirmed"
            )
            .order_by(Event.parent_id.is_not(None), Event.id)
        )
        for event in rows.scalars():
            cal.add_component(_vevent(event))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


async def export_calendar(session: AsyncSession, calendar: Calendar) -> bytes:
    ids = list(
        (
            await session.execute(
                select(Event.id).where(Event.calendar_id == calendar.id, Event.parent_id.is_(None))
            )
        ).scalars()
    )
    owner = (await org.names_of(session, [calendar.owner_id])).get(calendar.owner_id, "")
    # The feed has no viewer: a default calendar is named after its owner.
    return await export_events(session, ids, display_name(calendar, 0, owner))


async def feed(session: AsyncSession, token: str) -> bytes:
    calendar = (
        (await session.execute(select(Calendar).where(Calendar.feed_token == token))).scalar_one_or_none()
        if token
        else None
    )
    if calendar is None:
        raise NotFound("calendar_feed_not_found")
    return await export_calendar(session, calendar)


# ---- import ---------------------------------------------------------------------------------


@dataclass
class Parsed:
    uid: str
    title: str
    description: str
    location: str
    timing: checks.Timing
    recurrence_id: str | None
    cancelled: bool
    reminders: list[int] = field(default_factory=list)


# Zones tried first when a file defines its own VTIMEZONE under a name that is not IANA's
# (Outlook: "W. Europe Standard Time", Exchange: "GMT +0100 (Standard) / GMT +0200 (Daylight)").
PREFERRED_ZONES = (
    "Asia/Shanghai",
    "Europe/Berlin",
    "Europe/Warsaw",
    "Europe/London",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
)


def _guess_zone(tzinfo: dt.tzinfo, year: int) -> str | None:
    """The IANA zone whose offsets match a custom time zone on the 1st and 15th of every month."""
    import zoneinfo

    probes = [dt.datetime(year, m, d, 12, tzinfo=dt.UTC) for m in range(1, 13) for d in (1, 15)]
    wanted = [p.astimezone(tzinfo).utcoffset() for p in probes]
    for name in (*PREFERRED_ZONES, *sorted(zoneinfo.available_timezones())):
        if not rec.is_zone(name):
            continue
        zone = rec.zone(name)
        if all(p.astimezone(zone).utcoffset() == w for p, w in zip(probes, wanted, strict=True)):
            return name
    return None


def _zone_name(value: dt.datetime, fallback: str) -> tuple[str, dt.datetime]:
    """An IANA zone for an aware time and its wall time there; floating times use `fallback`."""
    if value.tzinfo is None:
        return fallback, value
    key = getattr(value.tzinfo, "key", None) or getattr(value.tzinfo, "zone", None)
    if key and rec.is_zone(str(key)):
        return str(key), value.replace(tzinfo=None)
    guess = _guess_zone(value.tzinfo, value.year)
    if guess is not None:
        return guess, rec.to_local(value, guess)
    # No IANA zone behaves like it: keep the instant, shown in the fallback zone.
    return fallback, rec.to_local(value, fallback)


def _as_datetime(value: Any) -> tuple[dt.datetime, bool]:
    if isinstance(value, dt.datetime):
        return value, False
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0)), True
    raise ValueError("DTSTART")


def _parse_event(v: Any, fallback_tz: str) -> Parsed:
    if "DTSTART" not in v:
        raise ValueError("DTSTART missing")
    start_raw, all_day = _as_datetime(v.decoded("DTSTART"))
    tz, start_local = ("UTC", start_raw) if all_day else _zone_name(start_raw, fallback_tz)
    if all_day:
        tz = fallback_tz
    if "DTEND" in v:
        end_raw, _ = _as_datetime(v.decoded("DTEND"))
        end_local = end_raw if all_day or end_raw.tzinfo is None else rec.to_local(end_raw, tz)
        if not all_day and end_raw.tzinfo is not None and start_raw.tzinfo is not None:
            end_local = start_local + (end_raw - start_raw)
    elif "DURATION" in v:
        end_local = start_local + v.decoded("DURATION")
    else:
        # RFC 5545: without DTEND a date lasts one day; a date-time is a moment (shown as 30 min).
        end_local = start_local + (dt.timedelta(days=1) if all_day else dt.timedelta(minutes=30))
    rule = None
    if "RRULE" in v:
        raw = v["RRULE"]
        raw = raw[0] if isinstance(raw, list) else raw
        # A rule icalendar could not type (Exchange writes "BYDAY=MO, TU") comes back escaped text.
        rule = raw.to_ical().decode().replace("\\;", ";").replace("\\,", ",")
    try:
        timing = checks.check_timing(tz=tz, start=start_local, end=end_local, all_day=all_day, rrule=rule)
    except Invalid as exc:
        raise ValueError(exc.fields[0].message if exc.fields else "invalid") from exc
    exdates: list[str] = []
    raw_ex = v.get("EXDATE")
    for group in raw_ex if isinstance(raw_ex, list) else [raw_ex] if raw_ex is not None else []:
        for item in group.dts:
            moment, _ = _as_datetime(item.dt)
            local = moment if moment.tzinfo is None else rec.to_local(moment, tz)
            exdates.append(
                rec.local_key(
                    local.replace(hour=start_local.hour, minute=start_local.minute) if all_day else local
                )
            )
    timing.exdates = sorted(set(exdates))
    recurrence_id = None
    if "RECURRENCE-ID" in v:
        moment, _ = _as_datetime(v.decoded("RECURRENCE-ID"))
        recurrence_id = rec.local_key(moment if moment.tzinfo is None else rec.to_local(moment, tz))
    reminders = []
    for alarm in v.walk("VALARM"):
        trigger = alarm.get("TRIGGER")
        delta = getattr(trigger, "dt", None)
        if isinstance(delta, dt.timedelta) and delta <= dt.timedelta(0):
            reminders.append(int(-delta.total_seconds() // 60))
    return Parsed(
        uid=str(v.get("UID") or checks_uid()),
        title=str(v.get("SUMMARY") or "")[:200] or "(no title)",
        description=str(v.get("DESCRIPTION") or "")[:20_000],
        location=str(v.get("LOCATION") or "")[:200],
        timing=timing,
        recurrence_id=recurrence_id,
        cancelled=str(v.get("STATUS") or "").upper() == "CANCELLED",
        reminders=sorted({m for m in reminders if 0 <= m <= 40320}, reverse=True)[:5],
    )


def checks_uid() -> str:
    from tongban.calendar.events import new_uid

    return new_uid()


def parse_ics(data: bytes, fallback_tz: str) -> tuple[list[Parsed], list[str]]:
    """Every VEVENT that could be read, and a line for each that could not."""
    if len(data) > MAX_IMPORT:
        raise Invalid("body.file", "field.calendar_ics_too_large")
    try:
        cal = icalendar.Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise Invalid("body.file", "field.calendar_bad_ics", reason=str(exc)[:120]) from exc
    if isinstance(cal, list):
        cal = cal[0]
    parsed: list[Parsed] = []
    problems: list[str] = []
    for n, v in enumerate(cal.walk("VEVENT"), start=1):
        try:
            parsed.append(_parse_event(v, fallback_tz))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            problems.append(
                i18n.t("calendar_ics_problem", n=n, title=str(v.get("SUMMARY") or ""), reason=str(exc)[:120])
            )
    if not parsed and not problems:
        raise Invalid("body.file", "field.calendar_bad_ics", reason="no VEVENT")
    return parsed, problems


async def do_import(
    session: AsyncSession, actor: Actor, calendar_id: int, data: bytes, *, confirm: bool
) -> CalendarImportReport:
    """Import an .ics file; a re-import replaces the events with the same UIDs in this calendar."""
    calendar = await access_calendar(session, actor, calendar_id, "edit")
    parsed, problems = parse_ics(data, "Asia/Shanghai")
    masters = [p for p in parsed if p.recurrence_id is None]
    children = [p for p in parsed if p.recurrence_id is not None]
    titles = [p.title for p in masters] + [p.title for p in children if p.uid not in {m.uid for m in masters}]
    if problems and not confirm:
        return CalendarImportReport(imported=0, events=titles, problems=problems, committed=False)
    uids = {p.uid for p in parsed}
    if uids:
        await session.execute(delete(Event).where(Event.calendar_id == calendar.id, Event.uid.in_(uids)))
    by_uid: dict[str, Event] = {}
    count = 0
    for p in masters:
        by_uid[p.uid] = await _insert(session, actor, calendar, p, parent=None)
        count += 1
    for p in children:
        parent = by_uid.get(p.uid)
        if parent is not None and parent.rrule:
            assert p.recurrence_id is not None
            parent.exdates = sorted({*(parent.exdates or []), p.recurrence_id})
            if p.cancelled:
                continue
            await _insert(session, actor, calendar, p, parent=parent)
        elif not p.cancelled:
            p.recurrence_id = None
            await _insert(session, actor, calendar, p, parent=None)
        count += 1
    await session.flush()
    for event in by_uid.values():
        await schedule_reminder(session, event)
    if not count and problems:
        raise AppError("validation_error", status_code=422, fields=[])
    return CalendarImportReport(imported=count, events=titles, problems=problems, committed=True)


async def _insert(
    session: AsyncSession, actor: Actor, calendar: Calendar, p: Parsed, parent: Event | None
) -> Event:
    event = Event(
        calendar_id=calendar.id,
        organizer_id=actor.person_id,
        uid=p.uid,
        title=p.title,
        description=p.description,
        location=p.location,
        reminders=p.reminders,
        exdates=[],
        invited_departments=[],
        parent_id=parent.id if parent else None,
        recurrence_id=p.recurrence_id if parent else None,
        status="cancelled" if p.cancelled else "confirmed",
    )
    timing = p.timing
    if parent is not None:
        timing.rrule = None
    _apply_timing(event, timing)
    event.exdates = list(timing.exdates) if timing.rrule else []
    session.add(event)
    await session.flush()
    if parent is None:
        await _set_attendees(session, event, [actor.person_id])
    return event
