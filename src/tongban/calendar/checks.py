"""Checking an event before it is written: times, zone, rule, room, people. 422s name the field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.calendar import recurrence as rec
from tongban.calendar.models import Event, Room, overlapping
from tongban.core import i18n
from tongban.core.errors import Conflict, Invalid, NotFound
from tongban.org import service as org

i18n.register(
    {
        "field.calendar_unknown_tz": (
            "未知的时区（应为 IANA 时区，如 Asia/Shanghai）",
            "is not a known IANA time zone",
        ),
        "field.calendar_end_before_start": ("结束时间必须晚于开始时间", "must be after the start"),
        "field.calendar_bad_rrule": ("重复规则无法识别：{reason}", "is not a valid RRULE: {reason}"),
        "field.calendar_all_day_midnight": (
            "全天日程应为整天（00:00）",
            "must be a whole day (00:00) for all-day events",
        ),
        "field.calendar_unknown_person": ("成员不存在或已停用", "no such active person"),
        "field.calendar_unknown_department": ("部门不存在", "no such department"),
        "field.calendar_unknown_room": ("会议室不存在或已停用", "no such room, or it is out of service"),
        "field.calendar_bad_reminder": (
            "提醒应在开始前 0 至 40320 分钟之间",
            "must be 0 to 40320 minutes before",
        ),
        "field.calendar_too_many_attendees": ("参与人不能超过 {limit} 人", "cannot exceed {limit} attendees"),
        "field.calendar_not_an_occurrence": ("不是这个日程的一次重复", "is not an occurrence of this event"),
        "field.calendar_too_long": ("日程不能超过 {days} 天", "cannot last longer than {days} days"),
    }
)

MAX_ATTENDEES = 500
MAX_DAYS = 366
# How far ahead a never-ending series is checked for room conflicts.
ROOM_HORIZON = dt.timedelta(days=366)


@dataclass
class Timing:
    tz: str
    start_local: dt.datetime
    end_local: dt.datetime
    all_day: bool
    rrule: str | None
    exdates: list[str] = field(default_factory=list)

    @property
    def start_utc(self) -> dt.datetime:
        return rec.to_utc(self.start_local, self.tz)

    @property
    def end_utc(self) -> dt.datetime:
        return rec.to_utc(self.end_local, self.tz)

    def range_end(self) -> dt.datetime | None:
        return rec.range_end(
            tz=self.tz,
            start_local=self.start_local,
            end_local=self.end_local,
            rule=self.rrule,
            all_day=self.all_day,
        )


def _wall(value: dt.datetime, tz: str) -> dt.datetime:
    """A client's time as a wall time in `tz`: naive as given, or an offset time converted."""
    if value.tzinfo is not None:
        return rec.to_local(value, tz)
    return value.replace(microsecond=0)


def check_timing(
    *, tz: str, start: dt.datetime, end: dt.datetime, all_day: bool, rrule: str | None
) -> Timing:
    if not rec.is_zone(tz):
        raise Invalid("body.tz", "field.calendar_unknown_tz")
    start_local, end_local = _wall(start, tz), _wall(end, tz)
    if all_day:
        for name, value in (("body.start", start_local), ("body.end", end_local)):
            if value.time() != dt.time(0, 0):
                raise Invalid(name, "field.calendar_all_day_midnight")
    if end_local <= start_local or rec.to_utc(end_local, tz) <= rec.to_utc(start_local, tz):
        raise Invalid("body.end", "field.calendar_end_before_start")
    if end_local - start_local > dt.timedelta(days=MAX_DAYS):
        raise Invalid("body.end", "field.calendar_too_long", days=MAX_DAYS)
    rule = None
    if rrule:
        try:
            rule = rec.normalise_rrule(rrule, start_local, tz)
        except rec.RecurrenceError as exc:
            raise Invalid("body.rrule", "field.calendar_bad_rrule", reason=str(exc)[:80]) from exc
    return Timing(tz, start_local, end_local, all_day, rule)


def check_reminders(reminders: list[int]) -> list[int]:
    for minutes in reminders:
        if not 0 <= minutes <= 40320:
            raise Invalid("body.reminders", "field.calendar_bad_reminder")
    return sorted(set(reminders), reverse=True)


async def check_room(session: AsyncSession, room_id: int | None) -> Room | None:
    if room_id is None:
        return None
    room = await session.get(Room, room_id)
    if room is None or not room.active:
        raise Invalid("body.room_id", "field.calendar_unknown_room")
    return room


async def check_attendees(
    session: AsyncSession, organizer_id: int, person_ids: list[int], department_ids: list[int]
) -> list[int]:
    """Everyone invited, departments expanded to their members now; the organiser first."""
    wanted = list(dict.fromkeys(person_ids))
    active = await org.active_ids(session, wanted)
    if set(wanted) - active:
        raise Invalid("body.attendee_ids", "field.calendar_unknown_person")
    everyone = [organizer_id, *wanted]
    for did in dict.fromkeys(department_ids):
        if await org.department_name(session, did) is None:
            raise Invalid("body.department_ids", "field.calendar_unknown_department")
        everyone.extend(sorted(await org.department_member_ids(session, did)))
    result = list(dict.fromkeys(everyone))
    if len(result) > MAX_ATTENDEES:
        raise Invalid("body.attendee_ids", "field.calendar_too_many_attendees", limit=MAX_ATTENDEES)
    return result


def check_occurrence(event: Event, key: str | None) -> str:
    if key is None or not rec.is_occurrence(event.rrule, event.start_local, event.tz, key):
        raise Invalid("query.occurrence", "field.calendar_not_an_occurrence")
    return rec.local_key(dt.datetime.fromisoformat(key))


async def check_room_free(
    session: AsyncSession,
    room: Room,
    timing: Timing,
    *,
    ignore_ids: set[int],
    ignore_key: tuple[int, str] | None = None,
) -> None:
    """409 naming the first booking that overlaps any occurrence of `timing` in `room`."""
    first = timing.start_utc
    last = timing.range_end() or first + ROOM_HORIZON
    last = min(last, first + ROOM_HORIZON)
    mine = list(
        rec.expand(
            tz=timing.tz,
            start_local=timing.start_local,
            end_local=timing.end_local,
            rule=timing.rrule,
            exdates=timing.exdates,
            window_start=first,
            window_end=last + dt.timedelta(seconds=1),
            all_day=timing.all_day,
        )
    )
    if not mine:
        return
    lo, hi = mine[0].start_utc, mine[-1].end_utc
    others = (
        await session.execute(
            select(Event).where(
                Event.room_id == room.id,
                Event.status == "confirmed",
                overlapping(lo, hi),
            )
        )
    ).scalars()
    for other in others:
        if other.id in ignore_ids or other.parent_id in ignore_ids:
            continue
        theirs = rec.expand(
            tz=other.tz,
            start_local=other.start_local,
            end_local=other.end_local,
            rule=other.rrule,
            exdates=other.exdates,
            window_start=lo,
            window_end=hi,
            all_day=other.all_day,
        )
        taken = [(o.start_utc, o.end_utc, o.key) for o in theirs]
        for occ in mine:
            for start, end, key in taken:
                if ignore_key == (other.id, key):
                    continue
                if start < occ.end_utc and end > occ.start_utc:
                    when = rec.to_local(start, timing.tz).strftime("%Y-%m-%d %H:%M")
                    raise Conflict("calendar_room_busy", room=room.name, when=when, title=other.title)


async def access_room(session: AsyncSession, room_id: int) -> Room:
    room = await session.get(Room, room_id)
    if room is None:
        raise NotFound("calendar_room_not_found")
    return room
