"""Who may see and change which calendar. Every calendar read goes through `levels_for`.

A person's level on a calendar is the strongest of: owning it (manage), a share with them, a
share with a department they belong to (or one above it), and the calendar's organisation-wide
setting (busy times or details for everyone). An event is also readable by its organiser and
its attendees, whatever calendar it sits in. A calendar one may not see answers 403 whether it
exists or not.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.calendar.models import LEVELS, Calendar, CalendarPref, CalendarShare
from tongban.core import i18n
from tongban.core.errors import Forbidden
from tongban.core.permissions import Actor
from tongban.org import service as org

i18n.register(
    {
        "calendar_forbidden": ("没有权限访问这个日历", "You may not use this calendar"),
        "calendar_event_forbidden": ("没有权限修改这个日程", "You may not change this event"),
        "calendar_event_not_found": ("日程不存在或不可见", "The event does not exist or is not visible"),
        "calendar_default_kept": ("不能删除自己的默认日历", "Your own default calendar cannot be deleted"),
        "calendar_not_invited": ("你不在这个日程的参与人中", "You are not invited to this event"),
        "calendar_default_name": ("我的日历", "My calendar"),
        "calendar_default_name_of": ("{name}的日历", "{name}’s calendar"),
        "calendar_room_busy": (
            "会议室「{room}」在 {when} 已被「{title}」占用",
            "Room “{room}” is already booked at {when} by “{title}”",
        ),
        "calendar_room_not_found": ("会议室不存在", "No such room"),
        "calendar_feed_not_found": (
            "订阅链接无效或已撤销",
            "This subscription link is invalid or was revoked",
        ),
    }
)

RANK = {level: i for i, level in enumerate(LEVELS)}


def stronger(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if RANK[a] >= RANK[b] else b


def at_least(level: str | None, need: str) -> bool:
    return level is not None and RANK[level] >= RANK[need]


async def my_department_ids(session: AsyncSession, actor: Actor) -> set[int]:
    cached: set[int] | None = session.info.get(("calendar_depts", actor.person_id))
    if cached is None:
        refs = (await org.memberships_of(session, [actor.person_id])).get(actor.person_id, [])
        cached = {ref.id for ref in refs}
        session.info[("calendar_depts", actor.person_id)] = cached
    return cached


async def levels_for(session: AsyncSession, actor: Actor) -> dict[int, str]:
    """The calendars in the actor's list, with their level on each: their own, those shared
    with them (or a department of theirs), and colleagues' calendars open to the organisation
    that they subscribed to (a CalendarPref row). Others' calendars open to everyone are not
    loaded here (there is one per person): `level_on` answers for any single calendar."""
    cached: dict[int, str] | None = session.info.get(("calendar_levels", actor.person_id))
    if cached is not None:
        return cached
    levels: dict[int, str] = {}
    subscribed = select(CalendarPref.calendar_id).where(CalendarPref.person_id == actor.person_id)
    rows = await session.execute(
        select(Calendar.id, Calendar.owner_id, Calendar.org_level).where(
            or_(
                Calendar.owner_id == actor.person_id,
                Calendar.id.in_(subscribed) & Calendar.org_level.is_not(None),
            )
        )
    )
    for cid, owner_id, org_level in rows:
        levels[cid] = "manage" if owner_id == actor.person_id else str(org_level)
    shares = (
        await session.execute(
            select(CalendarShare).where(
                or_(CalendarShare.person_id == actor.person_id, CalendarShare.department_id.is_not(None))
            )
        )
    ).scalars()
    granted: list[CalendarShare] = []
    dept_shares: list[CalendarShare] = []
    for share in shares:
        (granted if share.person_id == actor.person_id else dept_shares).append(share)
    if dept_shares:
        mine = await my_department_ids(session, actor)
        for share in dept_shares:
            assert share.department_id is not None
            if mine & await org.subtree_ids(session, [share.department_id]):
                granted.append(share)
    for share in granted:
        levels[share.calendar_id] = stronger(levels.get(share.calendar_id), share.level) or share.level
    session.info[("calendar_levels", actor.person_id)] = levels
    return levels


def forget_levels(session: AsyncSession, actor: Actor) -> None:
    """After a write that changes shares or subscriptions within the request."""
    session.info.pop(("calendar_levels", actor.person_id), None)


async def level_on(session: AsyncSession, actor: Actor, calendar_id: int) -> str | None:
    level = (await levels_for(session, actor)).get(calendar_id)
    if level is None:
        org_level = (
            await session.execute(select(Calendar.org_level).where(Calendar.id == calendar_id))
        ).scalar_one_or_none()
        level = org_level
    return level


async def access_calendar(session: AsyncSession, actor: Actor, calendar_id: int, need: str) -> Calendar:
    calendar = await session.get(Calendar, calendar_id)
    level = await level_on(session, actor, calendar_id) if calendar is not None else None
    if calendar is None or not at_least(level, need):
        raise Forbidden("calendar_forbidden")
    return calendar


def display_name(calendar: Calendar, viewer_id: int, owner_name: str = "") -> str:
    """A calendar's name for one viewer, in their language (set by the request's locale):
    a default calendar is "My calendar" to its owner and "<owner>'s calendar" to the others."""
    if calendar.name or not calendar.is_default:
        return calendar.name
    if calendar.owner_id == viewer_id or not owner_name:
        return i18n.t("calendar_default_name")
    return i18n.t("calendar_default_name_of", name=owner_name)


async def default_calendar(session: AsyncSession, actor: Actor) -> Calendar:
    """The caller's own calendar, made the first time it is needed."""
    return await default_calendar_of(session, actor.person_id, actor.locale)


async def default_calendar_of(session: AsyncSession, person_id: int, locale: i18n.Locale) -> Calendar:
    row = (
        await session.execute(
            select(Calendar).where(Calendar.owner_id == person_id, Calendar.is_default.is_(True))
        )
    ).scalar_one_or_none()
    if row is None:
        # Busy times are visible to colleagues by default, as in DingTalk and Outlook, so the
        # scheduling assistant works; details stay private until shared.
        row = Calendar(
            # No stored name: `display_name` renders it in each viewer's own language.
            name="",
            owner_id=person_id,
            is_default=True,
            org_level="freebusy",
        )
        session.add(row)
        await session.flush()
        session.info.pop(("calendar_levels", person_id), None)
    return row
