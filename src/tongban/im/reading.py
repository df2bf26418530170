"""Reading: history pages, threads, read markers and receipts (已读/未读), typing."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.errors import Forbidden
from tongban.core.events import publish
from tongban.core.events.service import EphemeralBroker, publish_ephemeral
from tongban.core.permissions import Actor
from tongban.im.access import access_conversation, member_ids
from tongban.im.messages import _message
from tongban.im.models import Member, Message, ThreadRead
from tongban.im.render import read_cursors, render
from tongban.im.schemas import (
    MessagePage,
    MessageRead,
    PersonRef,
    ReadEvent,
    ReadState,
    Receipts,
    Thread,
    TypingEvent,
)
from tongban.org import service as org


async def history(
    session: AsyncSession,
    actor: Actor,
    conversation_id: int,
    *,
    before_seq: int | None = None,
    after_seq: int | None = None,
    around_seq: int | None = None,
    limit: int = 50,
) -> MessagePage:
    """A page of the main timeline (thread replies live in their threads), oldest first."""
    _, member = await access_conversation(session, actor, conversation_id)
    base = select(Message).where(
        Message.conversation_id == conversation_id,
        Message.thread_root_id.is_(None),
        Message.seq > member.joined_seq,
    )
    if around_seq is not None:
        half = limit // 2
        older = (
            (
                await session.execute(
                    base.where(Message.seq <= around_seq).order_by(Message.seq.desc()).limit(half + 1)
                )
            )
            .scalars()
            .all()
        )
        newer = (
            (
                await session.execute(
                    base.where(Message.seq > around_seq).order_by(Message.seq).limit(half + 1)
                )
            )
            .scalars()
            .all()
        )
        more_before, more_after = len(older) > half, len(newer) > half
        rows = list(reversed(older[:half])) + list(newer[:half])
    elif after_seq is not None:
        found = (
            (
                await session.execute(
                    base.where(Message.seq > after_seq).order_by(Message.seq).limit(limit + 1)
                )
            )
            .scalars()
            .all()
        )
        more_before, more_after = True, len(found) > limit
        rows = list(found[:limit])
    else:
        stmt = base if before_seq is None else base.where(Message.seq < before_seq)
        found = (await session.execute(stmt.order_by(Message.seq.desc()).limit(limit + 1))).scalars().all()
        more_before, more_after = len(found) > limit, before_seq is not None
        rows = list(reversed(found[:limit]))
    cursors = await read_cursors(session, conversation_id)
    items = await render(session, actor.person_id, rows, cursors)
    return MessagePage(items=items, has_more_before=more_before, has_more_after=more_after)


async def thread(session: AsyncSession, actor: Actor, root_id: int) -> Thread:
    root, conversation, _ = await _message(session, actor, root_id)
    replies = (
        (
            await session.execute(
                select(Message).where(Message.thread_root_id == root.id).order_by(Message.seq).limit(1000)
            )
        )
        .scalars()
        .all()
    )
    cursors = await read_cursors(session, conversation.id)
    (root_read,) = await render(session, actor.person_id, [root], cursors)
    return Thread(root=root_read, items=await render(session, actor.person_id, list(replies)))


async def do_mark_thread_read(session: AsyncSession, actor: Actor, root_id: int, seq: int) -> None:
    root, _, _ = await _message(session, actor, root_id)
    row = (
        await session.execute(
            select(ThreadRead).where(ThreadRead.root_id == root.id, ThreadRead.person_id == actor.person_id)
        )
    ).scalar()
    if row is None:
        session.add(
            ThreadRead(root_id=root.id, person_id=actor.person_id, read_seq=min(seq, root.thread_last_seq))
        )
    elif seq > row.read_seq:
        row.read_seq = min(seq, root.thread_last_seq)


async def do_mark_read(session: AsyncSession, actor: Actor, conversation_id: int, seq: int) -> ReadState:
    """Move the caller's read cursor forward (never back): one write for however many messages.

    The senders of the newly read messages are told, so their "N unread" updates live; in a
    big group that is a handful of people, not every member.
    """
    conversation, member = await access_conversation(session, actor, conversation_id)
    target = min(seq, conversation.last_seq)
    if target > member.read_seq:
        previous = member.read_seq
        member.read_seq = target
        await session.flush()
        senders = (
            await session.execute(
                select(Message.sender_id)
                .where(
                    Message.conversation_id == conversation_id,
                    Message.seq > previous,
                    Message.seq <= target,
                    Message.sender_id.is_not(None),
                    Message.thread_root_id.is_(None),
                )
                .distinct()
            )
        ).scalars()
        recipients = {actor.person_id, *(s for s in senders if s is not None)}
        await publish(
            session,
            recipients,
            ReadEvent(conversation_id=conversation_id, person_id=actor.person_id, read_seq=target),
        )
    unread = await session.scalar(
        select(func.count()).where(
            Message.conversation_id == conversation_id,
            Message.seq > member.read_seq,
            Message.thread_root_id.is_(None),
            Message.recalled_at.is_(None),
            or_(Message.sender_id.is_(None), Message.sender_id != actor.person_id),
        )
    )
    return ReadState(read_seq=member.read_seq, unread_count=int(unread or 0))


async def receipts(session: AsyncSession, actor: Actor, message_id: int) -> Receipts:
    """Who has and has not read a message (members who joined after it are not asked).

    Only its sender may ask, as in DingTalk and Feishu: who reads whose messages, and when, is
    not for every member to watch."""
    message, conversation, _ = await _message(session, actor, message_id)
    if message.sender_id != actor.person_id:
        raise Forbidden("im_not_yours")
    rows = (
        await session.execute(
            select(Member.person_id, Member.read_seq).where(
                and_(Member.conversation_id == conversation.id, Member.joined_seq < message.seq)
            )
        )
    ).all()
    others = [(pid, read) for pid, read in rows if pid != message.sender_id]
    names = await org.names_of(session, [pid for pid, _ in others])
    read = [PersonRef(id=pid, name=names.get(pid, "")) for pid, r in others if r >= message.seq]
    unread = [PersonRef(id=pid, name=names.get(pid, "")) for pid, r in others if r < message.seq]
    return Receipts(read=read, unread=unread)


async def do_typing(
    session: AsyncSession, broker: EphemeralBroker, actor: Actor, conversation_id: int
) -> None:
    await access_conversation(session, actor, conversation_id)
    others = [pid for pid in await member_ids(session, conversation_id) if pid != actor.person_id]
    await publish_ephemeral(
        broker,
        others,
        TypingEvent(conversation_id=conversation_id, person_id=actor.person_id, name=actor.name),
    )


async def pinned(session: AsyncSession, actor: Actor, conversation_id: int) -> list[MessageRead]:
    _, member = await access_conversation(session, actor, conversation_id)
    rows = (
        await session.execute(
            select(Message)
            .where(
                Message.conversation_id == conversation_id,
                Message.pinned_at.is_not(None),
                Message.seq > member.joined_seq,
            )
            .order_by(Message.pinned_at.desc())
            .limit(100)
        )
    ).scalars()
    return await render(session, actor.person_id, list(rows))
