"""DING (钉一下): an urgent reminder about one message to some members of its conversation.

Each recipient gets an urgent notification at once, and again every `im_ding_repeat_minutes`
until they acknowledge it, at most `MAX_REPEATS` times. The repeats are a chain of delayed jobs:
each run re-notifies whoever has not acknowledged yet and queues the next run.

Delivery goes only through `tongban.notify.service.notify`, which stores the notification, puts
it on the in-app stream and, because a DING is `priority="urgent"`, hands it to every outside
channel regardless of mutes and quiet hours. An SMS or phone-call gateway therefore plugs in
without touching this module — a `DingChannel` is just a notification channel that only acts on
urgent im notifications::

    class DingChannel:
        name = "ding_sms"

        async def deliver(self, n: NotificationDelivery) -> None:
            if n.capability == "im" and n.priority == "urgent":
                await gateway.send_sms(phone_of(n.person_id), f"{n.title}: {n.body}")  # raise to retry

    register_channel(DingChannel())  # tongban.notify.channels, once at import time

The delivery job retries a channel that raises, so the gateway should key its sends by
notification id if it must not text twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, Invalid, NotFound
from tongban.core.events import publish
from tongban.core.jobs import JobContext, enqueue, job
from tongban.core.permissions import Actor
from tongban.im.access import member_ids
from tongban.im.messages import _message
from tongban.im.models import Message
from tongban.im.models_bots import Ding, DingRecipient
from tongban.im.render import EXCERPT
from tongban.im.schemas import PersonRef
from tongban.notify.service import notify
from tongban.org import service as org

i18n.register(
    {
        "im_ding_not_found": ("DING 不存在或与你无关", "No such DING, or it is not yours"),
        "field.im_ding_self": ("不能 DING 自己", "cannot DING yourself"),
    }
)

MAX_REPEATS = 12


# ---- schemas ------------------------------------------------------------------------------


class DingCreate(BaseModel):
    person_ids: list[int] = Field(min_length=1, max_length=200)


class DingRecipientRead(BaseModel):
    id: int
    name: str
    acknowledged_at: dt.datetime | None


class DingRead(BaseModel):
    id: int
    message_id: int
    conversation_id: int
    sender: PersonRef | None
    excerpt: str
    recipients: list[DingRecipientRead]
    created_at: dt.datetime


class DingEvent(BaseModel):
    """A DING was sent or someone acknowledged it; replaces the client's copy of `ding`."""

    type: Literal["im.ding"] = "im.ding"
    ding: DingRead


# ---- reading ------------------------------------------------------------------------------


async def _recipients(session: AsyncSession, ding_ids: list[int]) -> dict[int, list[DingRecipient]]:
    rows = await session.execute(
        select(DingRecipient).where(DingRecipient.ding_id.in_(ding_ids)).order_by(DingRecipient.id)
    )
    out: dict[int, list[DingRecipient]] = {}
    for r in rows.scalars():
        out.setdefault(r.ding_id, []).append(r)
    return out


async def _reads(session: AsyncSession, dings: list[Ding]) -> list[DingRead]:
    if not dings:
        return []
    recipients = await _recipients(session, [d.id for d in dings])
    people = {d.sender_id for d in dings if d.sender_id} | {
        r.person_id for rs in recipients.values() for r in rs
    }
    names = await org.names_of(session, people)
    return [
        DingRead(
            id=d.id,
            message_id=d.message_id,
            conversation_id=d.conversation_id,
            sender=PersonRef(id=d.sender_id, name=names.get(d.sender_id, "")) if d.sender_id else None,
            excerpt=d.excerpt,
            recipients=[
                DingRecipientRead(
                    id=r.person_id, name=names.get(r.person_id, ""), acknowledged_at=r.acknowledged_at
                )
                for r in recipients.get(d.id, [])
            ],
            created_at=d.created_at,
        )
        for d in dings
    ]


async def access_ding(session: AsyncSession, actor: Actor, ding_id: int) -> Ding:
    """The DING if the caller sent or received it; 404 otherwise, so ids leak nothing."""
    ding = await session.get(Ding, ding_id)
    if ding is not None and ding.sender_id == actor.person_id:
        return ding
    if ding is not None:
        mine = await session.scalar(
            select(DingRecipient.id).where(
                DingRecipient.ding_id == ding.id, DingRecipient.person_id == actor.person_id
            )
        )
        if mine is not None:
            return ding
    raise NotFound("im_ding_not_found")


async def get_ding(session: AsyncSession, actor: Actor, ding_id: int) -> DingRead:
    (read,) = await _reads(session, [await access_ding(session, actor, ding_id)])
    return read


async def list_dings(session: AsyncSession, actor: Actor, *, pending: bool = False) -> list[DingRead]:
    """DINGs sent to the caller, newest first; with `pending`, only those not acknowledged yet."""
    stmt = (
        select(Ding)
        .join(DingRecipient, DingRecipient.ding_id == Ding.id)
        .where(DingRecipient.person_id == actor.person_id)
        .order_by(Ding.id.desc())
        .limit(100)
    )
    if pending:
        stmt = stmt.where(DingRecipient.acknowledged_at.is_(None))
    return await _reads(session, list((await session.execute(stmt)).scalars()))


# ---- writing ------------------------------------------------------------------------------


def _excerpt(message: Message) -> str:
    return message.body[:EXCERPT] if message.body else f"[{message.kind}]"


async def _alert(session: AsyncSession, ding: Ding, person_ids: list[int], sender_name: str) -> None:
    message = await session.get(Message, ding.message_id)
    seq = message.seq if message is not None else 0
    await notify(
        session,
        person_ids,
        capability="im",
        title=f"{sender_name} DING 了你" if sender_name else "DING",
        body=ding.excerpt,
        link=f"/im/{ding.conversation_id}?seq={seq}",
        priority="urgent",
    )


async def check_recipients(
    session: AsyncSession, actor: Actor, conversation_id: int, person_ids: list[int]
) -> list[int]:
    wanted = list(dict.fromkeys(person_ids))
    if actor.person_id in wanted:
        raise Invalid("body.person_ids", "field.im_ding_self")
    if not set(wanted) <= set(await member_ids(session, conversation_id)):
        raise Invalid("body.person_ids", "field.im_not_member")
    return wanted


async def do_ding(
    session: AsyncSession, actor: Actor, message_id: int, person_ids: list[int], *, repeat_minutes: float
) -> DingRead:
    """DING members about a message: notify them now and queue the first repeat."""
    message, conversation, _ = await _message(session, actor, message_id)
    if message.recalled_at is not None:
        raise AppError("im_recalled", status_code=409)
    recipients = await check_recipients(session, actor, conversation.id, person_ids)
    ding = Ding(
        message_id=message.id,
        conversation_id=conversation.id,
        sender_id=actor.person_id,
        excerpt=_excerpt(message),
    )
    session.add(ding)
    await session.flush()
    session.add_all(DingRecipient(ding_id=ding.id, person_id=pid) for pid in recipients)
    await session.flush()
    await _alert(session, ding, recipients, actor.name)
    (read,) = await _reads(session, [ding])
    await publish(session, [*recipients, actor.person_id], DingEvent(ding=read))
    await enqueue(session, repeat_ding, ding.id, 1, delay=dt.timedelta(minutes=repeat_minutes))
    return read


async def do_acknowledge(session: AsyncSession, actor: Actor, ding_id: int) -> DingRead:
    """The recipient saw it: no more repeats for them; the sender (and their other tabs) hear of it."""
    ding = await access_ding(session, actor, ding_id)
    row = (
        await session.execute(
            select(DingRecipient).where(
                DingRecipient.ding_id == ding.id, DingRecipient.person_id == actor.person_id
            )
        )
    ).scalar()
    if row is None:
        raise NotFound("im_ding_not_found")  # the sender is not a recipient of their own DING
    if row.acknowledged_at is None:
        row.acknowledged_at = utcnow()
        await session.flush()
        (read,) = await _reads(session, [ding])
        recipients = [actor.person_id] + ([ding.sender_id] if ding.sender_id else [])
        await publish(session, recipients, DingEvent(ding=read))
        return read
    (read,) = await _reads(session, [ding])
    return read


async def repeat(session: AsyncSession, ding_id: int, number: int, repeat_minutes: float) -> bool:
    """Repeat number `number` of a DING: re-notify who has not acknowledged. True if it queued
    the next one.

    Runs are delivered at least once, so a run whose number is already done does nothing.
    """
    ding = await session.get(Ding, ding_id, with_for_update=True)
    if ding is None or ding.repeats >= number or number > MAX_REPEATS:
        return False
    ding.repeats = number
    pending = list(
        (
            await session.execute(
                select(DingRecipient.person_id).where(
                    DingRecipient.ding_id == ding.id, DingRecipient.acknowledged_at.is_(None)
                )
            )
        ).scalars()
    )
    if not pending:
        return False
    names = await org.names_of(session, [ding.sender_id] if ding.sender_id else [])
    await _alert(session, ding, pending, names.get(ding.sender_id or 0, ""))
    if number >= MAX_REPEATS:
        return False
    await enqueue(session, repeat_ding, ding.id, number + 1, delay=dt.timedelta(minutes=repeat_minutes))
    return True


@job(retries=3, retry_delay=30.0)
async def repeat_ding(ctx: JobContext, ding_id: int, number: int) -> None:
    """A DING's repeat: see `repeat`."""
    await repeat(ctx.session, ding_id, number, ctx.settings.im_ding_repeat_minutes)
