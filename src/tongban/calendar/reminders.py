"""Reminders as durable state: each event's next reminder is a row, the minute job fires it.

Keeping "the next one due" in the database (not a delayed job per reminder) means a restart,
an edit or a cancellation needs no job to be found and revoked: every write recomputes the row,
and the job (calendar/jobs.py) sends what is due and moves the row to the next occurrence in
the same transaction, so a reminder is sent once even if the job runs twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.calendar import recurrence as rec
from tongban.calendar.models import Attendee, Event, ReminderDue
from tongban.core.db import utcnow
from tongban.core.permissions import Actor

LOOKAHEAD = dt.timedelta(days=400)
# A reminder found more than this late (the server was down) is skipped, not sent stale.
STALE = dt.timedelta(hours=1)


def next_reminder(event: Event, after: dt.datetime) -> tuple[dt.datetime, dt.datetime, int] | None:
    """(fire_at, occurrence start, minutes) of the first reminder strictly after `after`."""
    if not event.reminders or event.status != "confirmed":
        return None
    longest = dt.timedelta(minutes=max(event.reminders))
    best: tuple[dt.datetime, dt.datetime, int] | None = None
    seen = 0
    for occ in rec.expand(
        tz=event.tz,
        start_local=event.start_local,
        end_local=event.end_local,
        rule=event.rrule,
        exdates=list(event.exdates or []),
        window_start=after,
        window_end=after + LOOKAHEAD + longest,
        all_day=event.all_day,
    ):
        if occ.start_utc <= after:
            continue
        for minutes in event.reminders:
            fire = occ.start_utc - dt.timedelta(minutes=minutes)
            if fire > after and (best is None or fire < best[0]):
                best = (fire, occ.start_utc, minutes)
        seen += 1
        if best is not None and (occ.start_utc - longest > best[0] or seen > 50):
            break
    return best


async def schedule_reminder(session: AsyncSession, event: Event, after: dt.datetime | None = None) -> None:
    nxt = next_reminder(event, after or utcnow())
    row = await session.get(ReminderDue, event.id)
    if nxt is None:
        if row is not None:
            await session.delete(row)
        return
    fire, occurrence, minutes = nxt
    if row is None:
        session.add(ReminderDue(event_id=event.id, fire_at=fire, occurrence_utc=occurrence, minutes=minutes))
    else:
        row.fire_at, row.occurrence_utc, row.minutes = fire, occurrence, minutes


async def fire_due(session: AsyncSession, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send every reminder due by `now` and schedule each event's next one. Returns how many sent."""
    from tongban.calendar.invites import remind

    now = now or utcnow()
    rows = list(
        (
            await session.execute(
                select(ReminderDue)
                .where(ReminderDue.fire_at <= now)
                .order_by(ReminderDue.fire_at)
                .limit(limit)
            )
        ).scalars()
    )
    sent = 0
    for row in rows:
        event = await session.get(Event, row.event_id)
        if event is None:
            await session.execute(delete(ReminderDue).where(ReminderDue.event_id == row.event_id))
            continue
        stale = now - row.fire_at > STALE
        if not stale:
            series_id = event.parent_id or event.id
            people = list(
                (
                    await session.execute(
                        select(Attendee.person_id).where(
                            Attendee.event_id == series_id, Attendee.status != "declined"
                        )
                    )
                ).scalars()
            )
            sender = Actor(person_id=event.organizer_id or 0, name="", locale="zh-CN")
            await remind(session, sender, event, people, row.occurrence_utc)
            sent += 1
        await schedule_reminder(session, event, after=now if stale else row.fire_at)
    await session.flush()
    return sent
