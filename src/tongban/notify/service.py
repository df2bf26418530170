"""The notification centre: one `notify` every capability calls, and each person's inbox.

A notification is always stored, and always put on its owner's event stream so every open tab
shows the same inbox as a fresh fetch. Whether it *alerts* — a pop-up in the browser, and the
outside channels (Web Push, e-mail, SMS) — follows the owner's settings: a muted capability
never alerts, quiet hours (in the owner's own time zone) let only urgent ones through, and
urgent ones ignore mutes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import Invalid, NotFound
from tongban.core.events import publish
from tongban.core.pagination import Page, decode_cursor, encode_cursor
from tongban.core.permissions import Actor
from tongban.notify.channels import IN_APP, external_channels
from tongban.notify.events import NotificationSettingsChanged, NotificationsRead
from tongban.notify.models import Notification, NotificationSettings
from tongban.notify.schemas import (
    NotificationDelivery,
    NotificationRead,
    NotificationSettingsRead,
    NotificationSettingsUpdate,
    Priority,
)
from tongban.org.models import Person

i18n.register(
    {
        "notification_not_found": ("找不到该通知", "No such notification"),
        "field.time_hhmm": ("应为 HH:MM 格式的时间，如 22:00", "must be a time as HH:MM, e.g. 22:00"),
        "field.quiet_hours_incomplete": (
            "免打扰的开始和结束时间需要同时设置",
            "must be set together with the other end of quiet hours",
        ),
        "field.quiet_hours_empty": ("结束时间不能与开始时间相同", "must differ from the start time"),
    }
)

PRIORITIES: tuple[Priority, ...] = ("normal", "high", "urgent")
TITLE_MAX = 200
DEFAULT_TIMEZONE = "Asia/Shanghai"


# ---- sending --------------------------------------------------------------------------------


async def notify(
    session: AsyncSession,
    person_ids: Iterable[int],
    *,
    capability: str,
    title: str,
    body: str = "",
    link: str | None = None,
    priority: Priority = "normal",
    now: dt.datetime | None = None,
) -> list[NotificationRead]:
    """Store a notification for each person and deliver it once the transaction commits.

    `link` is an in-app path such as "/approvals/12". `now` exists for tests (quiet hours).
    """
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}")
    recipients = list(dict.fromkeys(person_ids))
    if not recipients:
        return []
    now = now or utcnow()
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + "…"
    rows = [
        Notification(
            person_id=pid,
            capability=capability,
            title=title,
            body=body,
            link=link,
            priority=priority,
            created_at=now,
        )
        for pid in recipients
    ]
    session.add_all(rows)
    await session.flush()
    prefs = await _settings_of(session, recipients)
    zones = await _time_zones(session, recipients)
    items: list[tuple[int, NotificationRead, bool]] = []
    alerting: list[int] = []
    for row in rows:
        read = NotificationRead.model_validate(row)
        alert = should_alert(priority, capability, prefs.get(row.person_id), zones.get(row.person_id), now)
        items.append((row.person_id, read, alert))
        if alert:
            alerting.append(row.id)
    await IN_APP.publish(session, items)
    if alerting and external_channels():
        from tongban.core.jobs import enqueue
        from tongban.notify.jobs import deliver_to_channels

        await enqueue(session, deliver_to_channels, alerting)
    return [read for _, read, _ in items]


def should_alert(
    priority: str,
    capability: str,
    prefs: NotificationSettings | None,
    timezone: str | None,
    now: dt.datetime,
) -> bool:
    """Whether a notification may interrupt its owner now (pop-up, push, e-mail, SMS)."""
    if priority == "urgent":
        return True
    if prefs is None:
        return True
    if capability in (prefs.muted_capabilities or []):
        return False
    return not in_quiet_hours(prefs.quiet_hours_start, prefs.quiet_hours_end, timezone, now)


def in_quiet_hours(start: str | None, end: str | None, timezone: str | None, now: dt.datetime) -> bool:
    """Is `now` inside [start, end) on the owner's wall clock? "22:00"–"07:00" spans midnight."""
    if not start or not end:
        return False
    try:
        zone = zoneinfo.ZoneInfo(timezone or DEFAULT_TIMEZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)
    local = now.astimezone(zone).strftime("%H:%M")
    if start < end:
        return start <= local < end
    return local >= start or local < end


async def _settings_of(session: AsyncSession, person_ids: list[int]) -> dict[int, NotificationSettings]:
    rows = await session.execute(
        select(NotificationSettings).where(NotificationSettings.person_id.in_(person_ids))
    )
    return {s.person_id: s for s in rows.scalars()}


async def _time_zones(session: AsyncSession, person_ids: list[int]) -> dict[int, str]:
    # A read of the org chart's time-zone column only; org owns and writes people.
    rows = await session.execute(select(Person.id, Person.timezone).where(Person.id.in_(person_ids)))
    return {int(pid): str(tz) for pid, tz in rows}


async def deliveries(session: AsyncSession, notification_ids: list[int]) -> list[NotificationDelivery]:
    """Notifications as handed to outside channels (by the delivery job)."""
    rows = await session.execute(
        select(Notification).where(Notification.id.in_(notification_ids)).order_by(Notification.id)
    )
    return [
        NotificationDelivery.model_validate(
            {**NotificationRead.model_validate(n).model_dump(), "person_id": n.person_id}
        )
        for n in rows.scalars()
    ]


# ---- the inbox ------------------------------------------------------------------------------


def readable(actor: Actor) -> Select[Notification]:
    """The notifications `actor` may see: their own. Every inbox read starts here."""
    return select(Notification).where(Notification.person_id == actor.person_id)


async def list_notifications(
    session: AsyncSession,
    actor: Actor,
    *,
    cursor: str | None = None,
    unread_only: bool = False,
    limit: int = 30,
) -> Page[NotificationRead]:
    """Newest first, `limit` at a time."""
    stmt = readable(actor)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    after = decode_cursor(cursor)
    if after is not None:
        if len(after) != 1 or not isinstance(after[0], int):
            raise Invalid("query.cursor", "field.invalid")
        stmt = stmt.where(Notification.id < after[0])
    rows = list((await session.execute(stmt.order_by(Notification.id.desc()).limit(limit + 1))).scalars())
    items = [NotificationRead.model_validate(n) for n in rows[:limit]]
    next_cursor = encode_cursor([items[-1].id]) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)


async def unread_count(session: AsyncSession, actor: Actor) -> int:
    stmt = select(func.count()).select_from(readable(actor).where(Notification.read_at.is_(None)).subquery())
    return int(await session.scalar(stmt) or 0)


async def access_notification(session: AsyncSession, actor: Actor, notification_id: int) -> Notification:
    row = (
        await session.execute(readable(actor).where(Notification.id == notification_id))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("notification_not_found")
    return row


async def do_mark_read(session: AsyncSession, actor: Actor, notification_id: int) -> None:
    """Mark one notification read (again is fine); other tabs hear of it."""
    row = await access_notification(session, actor, notification_id)
    if row.read_at is not None:
        return
    row.read_at = utcnow()
    await session.flush()
    count = await unread_count(session, actor)
    await publish(session, [actor.person_id], NotificationsRead(ids=[row.id], unread_count=count))


async def do_mark_all_read(session: AsyncSession, actor: Actor) -> None:
    result = await session.execute(
        update(Notification)
        .where(Notification.person_id == actor.person_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0):
        await publish(session, [actor.person_id], NotificationsRead(all=True, unread_count=0))


# ---- settings -------------------------------------------------------------------------------


def _settings_read(row: NotificationSettings | None) -> NotificationSettingsRead:
    if row is None:
        return NotificationSettingsRead(muted_capabilities=[], quiet_hours_start=None, quiet_hours_end=None)
    return NotificationSettingsRead(
        muted_capabilities=list(row.muted_capabilities or []),
        quiet_hours_start=row.quiet_hours_start,
        quiet_hours_end=row.quiet_hours_end,
    )


async def get_settings(session: AsyncSession, actor: Actor) -> NotificationSettingsRead:
    return _settings_read(await session.get(NotificationSettings, actor.person_id))


def check_settings(data: NotificationSettingsUpdate) -> None:
    start, end = data.quiet_hours_start, data.quiet_hours_end
    if (start is None) != (end is None):
        missing = "body.quiet_hours_end" if end is None else "body.quiet_hours_start"
        raise Invalid(missing, "field.quiet_hours_incomplete")
    if start is not None and start == end:
        raise Invalid("body.quiet_hours_end", "field.quiet_hours_empty")


async def do_update_settings(
    session: AsyncSession, actor: Actor, data: NotificationSettingsUpdate
) -> NotificationSettingsRead:
    check_settings(data)
    row = await session.get(NotificationSettings, actor.person_id)
    if row is None:
        row = NotificationSettings(person_id=actor.person_id)
        session.add(row)
    row.muted_capabilities = list(dict.fromkeys(data.muted_capabilities))
    row.quiet_hours_start = data.quiet_hours_start
    row.quiet_hours_end = data.quiet_hours_end
    await session.flush()
    result = _settings_read(row)
    await publish(session, [actor.person_id], NotificationSettingsChanged(settings=result))
    return result
