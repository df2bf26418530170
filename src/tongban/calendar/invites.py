"""Telling people about events: invitations, changes, cancellations, answers, reminders.

Each notification is written in its recipient's language with the time on their own wall
clock (a Warsaw colleague reads 02:00, not 09:00 Beijing time). Attendees and the organiser
also get a `calendar.changed` stream event so open calendars refresh.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.calendar import recurrence as rec
from tongban.calendar.models import Event
from tongban.calendar.people import PersonInfo, people_info
from tongban.core import i18n
from tongban.core.events import publish
from tongban.core.permissions import Actor
from tongban.notify.service import notify

i18n.register(
    {
        "calendar.invited": ("{who} 邀请你参加「{title}」", "{who} invited you to “{title}”"),
        "calendar.changed": ("「{title}」有变更", "“{title}” was changed"),
        "calendar.cancelled": ("「{title}」已取消", "“{title}” was cancelled"),
        "calendar.answered.accepted": ("{who} 接受了「{title}」", "{who} accepted “{title}”"),
        "calendar.answered.tentative": ("{who} 暂定参加「{title}」", "{who} tentatively accepted “{title}”"),
        "calendar.answered.declined": ("{who} 拒绝了「{title}」", "{who} declined “{title}”"),
        "calendar.reminder": ("「{title}」将于 {when} 开始", "“{title}” starts at {when}"),
        "calendar.repeats": ("（重复）", " (repeats)"),
    }
)


class CalendarChanged(BaseModel):
    """An event the recipient organises or attends was created, changed or removed."""

    type: Literal["calendar.changed"] = "calendar.changed"
    event_id: int


def when_text(moment: dt.datetime, info: PersonInfo) -> str:
    local = moment.astimezone(rec.zone(info.tz))
    return f"{local:%Y-%m-%d %H:%M} ({info.tz})"


def _link(event: Event) -> str:
    return f"/calendar/events/{event.parent_id or event.id}"


async def _send(
    session: AsyncSession,
    actor: Actor,
    event: Event,
    person_ids: list[int],
    code: str,
    *,
    priority: Literal["normal", "high"] = "normal",
    at: dt.datetime | None = None,
    note: str = "",
) -> None:
    if not person_ids:
        return
    people = await people_info(session, actor, person_ids)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pid in person_ids:
        info = people.get(pid)
        if info is not None:
            title = i18n.t(
                code,
                info.locale,
                who=actor.name,
                title=event.title,
                when=when_text(at or event.start_utc, info),
            )
            body = when_text(at or event.start_utc, info)
            if event.rrule:
                body += i18n.t("calendar.repeats", info.locale)
            if event.location:
                body += f" · {event.location}"
            if note:
                body += f"\n{note}"
            groups[(title, body)].append(pid)
    for (title, body), ids in groups.items():
        await notify(
            session, ids, capability="calendar", title=title, body=body, link=_link(event), priority=priority
        )
    await publish(session, person_ids, CalendarChanged(event_id=event.parent_id or event.id))


async def invited(session: AsyncSession, actor: Actor, event: Event, person_ids: list[int]) -> None:
    await _send(session, actor, event, person_ids, "calendar.invited")
    await publish(session, [actor.person_id], CalendarChanged(event_id=event.id))


async def changed(session: AsyncSession, actor: Actor, event: Event, *, exclude: set[int]) -> None:
    from tongban.calendar.cards import refresh
    from tongban.calendar.events import attendee_ids

    people = [p for p in await attendee_ids(session, event.parent_id or event.id) if p not in exclude]
    await _send(session, actor, event, [p for p in people if p != actor.person_id], "calendar.changed")
    await refresh(session, event)
    await publish(session, [actor.person_id], CalendarChanged(event_id=event.parent_id or event.id))


async def cancelled(session: AsyncSession, actor: Actor, event: Event, person_ids: list[int]) -> None:
    await _send(session, actor, event, [p for p in person_ids if p != actor.person_id], "calendar.cancelled")
    await publish(session, [actor.person_id], CalendarChanged(event_id=event.parent_id or event.id))


async def answered(session: AsyncSession, actor: Actor, event: Event, status: str, note: str) -> None:
    if event.organizer_id is None or event.organizer_id == actor.person_id:
        return
    await _send(session, actor, event, [event.organizer_id], f"calendar.answered.{status}", note=note)
    await publish(session, [actor.person_id], CalendarChanged(event_id=event.id))


async def remind(
    session: AsyncSession, actor: Actor, event: Event, person_ids: list[int], at: dt.datetime
) -> None:
    await _send(session, actor, event, person_ids, "calendar.reminder", priority="high", at=at)
