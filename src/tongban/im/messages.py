"""Sending and changing messages: the rules of 消息.

Every message takes the next number of its conversation (`last_seq`, row-locked, so numbers
follow commit order), is stored, and goes to every member's event stream after commit.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.config import Settings
from tongban.core.db import utcnow
from tongban.core.errors import AppError, Forbidden, Invalid, NotFound
from tongban.core.events import domain, publish
from tongban.core.permissions import Actor
from tongban.files import service as files
from tongban.im import cards, search
from tongban.im.access import BIG_GROUP, access_conversation, member_ids
from tongban.im.models import Conversation, Member, Mention, Message, Reaction
from tongban.im.render import read_cursors, render
from tongban.im.schemas import Card, MessageCreate, MessageEvent, MessageRead, MessageUpdatedEvent

MENTION = re.compile(r"<@(\d+|all)>")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")


async def _message(
    session: AsyncSession, actor: Actor, message_id: int
) -> tuple[Message, Conversation, Member]:
    message = await session.get(Message, message_id)
    if message is None:
        raise NotFound("im_message_not_found")
    conversation, member = await access_conversation(session, actor, message.conversation_id)
    if message.seq <= member.joined_seq:
        raise NotFound("im_message_not_found")
    return message, conversation, member


# Built once: the statements of every send (constructing them was half their CPU cost).
_NEXT_SEQ = (
    update(Conversation)
    .where(Conversation.id == bindparam("conversation_id"))
    .values(last_seq=Conversation.last_seq + 1, last_message_at=bindparam("now"))
    .returning(Conversation.last_seq)
)
_BY_CLIENT_ID = select(Message).where(
    Message.conversation_id == bindparam("conversation_id"),
    Message.sender_id == bindparam("sender_id"),
    Message.client_msg_id == bindparam("client_msg_id"),
)


async def _next_seq(session: AsyncSession, conversation_id: int) -> int:
    result = await session.execute(_NEXT_SEQ, {"conversation_id": conversation_id, "now": utcnow()})
    return int(result.scalar_one())


async def emit_message(
    session: AsyncSession, conversation_id: int, message: Message, *, new: bool
) -> MessageRead:
    """Put the message on every member's stream; `unread_count` is computed for its sender."""
    cursors = await read_cursors(session, conversation_id)
    (read,) = await render(session, None, [message], cursors, sender_view=True, fresh=new)
    event = MessageEvent(message=read) if new else MessageUpdatedEvent(message=read)
    await publish(session, list(cursors.reads), event)
    if new:
        # A new message looks the same to its sender as in the event: the route answers with it.
        session.info.setdefault("im_rendered", {})[message.id] = read
    return read


async def do_send(
    session: AsyncSession,
    actor: Actor,
    conversation_id: int,
    data: MessageCreate,
    *,
    bot_name: str | None = None,
) -> tuple[Message, bool]:
    """Send; returns (message, created). A repeated `client_msg_id` returns the first message."""
    conversation, member = await access_conversation(session, actor, conversation_id)
    card = None
    if data.card is not None:
        card = await cards.resolve(session, actor, data.card, field_name="body.card")
    elif data.link_card is not None:
        card = await cards.resolve_link(session, actor, data.link_card)
    return await send_as(
        session,
        actor.person_id if bot_name is None else None,
        conversation,
        member,
        data,
        bot_name,
        card=card,
    )


async def send_as(
    session: AsyncSession,
    sender_id: int | None,
    conversation: Conversation,
    member: Member | None,
    data: MessageCreate,
    bot_name: str | None = None,
    *,
    card: Card | None = None,
    forwarded_files: list[dict[str, str]] | None = None,
) -> tuple[Message, bool]:
    """Store and fan out a message of `sender_id` (None for a bot). `card` is already resolved."""
    if data.client_msg_id and sender_id is not None:
        existing = (await session.execute(_BY_CLIENT_ID, _client_key(conversation, sender_id, data))).scalar()
        if existing is not None:
            return existing, False
    if not data.body and not data.file_ids and card is None and not forwarded_files:
        raise Invalid("body.body", "field.im_empty_message")
    reply_to = await _same_conversation(session, conversation.id, data.reply_to_id, "body.reply_to_id")
    root = await _same_conversation(session, conversation.id, data.thread_root_id, "body.thread_root_id")
    if root is not None and root.thread_root_id is not None:
        root = await session.get(Message, root.thread_root_id)  # a reply in a thread joins that thread
    if forwarded_files:
        file_refs = forwarded_files
        await files_grant(session, file_refs, conversation.id)
    else:
        file_refs = await _shareable_files(session, sender_id, conversation.id, data.file_ids)
    mentions, mentions_all = await _mentions(session, conversation, member, data.body)

    seq = await _next_seq(session, conversation.id)
    kind = "card" if card else "text"
    if file_refs:
        kind = "image" if all(f["content_type"] in IMAGE_TYPES for f in file_refs) else "file"
    message = Message(
        conversation_id=conversation.id,
        seq=seq,
        sender_id=sender_id,
        bot_name=bot_name,
        kind=kind,
        body=data.body,
        files=file_refs,
        card=card.model_dump() if card else None,
        card_type=card.type if card else None,
        card_ref=card.ref if card else None,
        reply_to_id=reply_to.id if reply_to else None,
        thread_root_id=root.id if root else None,
        mentions=mentions,
        mentions_all=mentions_all,
        client_msg_id=data.client_msg_id,
    )
    try:
        if _serialised_writes(session):
            # SQLite: this write transaction holds the only write lock, so the duplicate check
            # above cannot race; a savepoint would be two statements for nothing.
            session.add(message)
            await session.flush()
        else:
            async with session.begin_nested():
                session.add(message)
                await session.flush()
    except IntegrityError:
        # The same client id raced in from another request: hand back the winner.
        existing = (
            await session.execute(_BY_CLIENT_ID, _client_key(conversation, sender_id, data))
        ).scalar_one()
        return existing, False
    for pid in mentions + ([0] if mentions_all else []):
        session.add(Mention(message_id=message.id, conversation_id=conversation.id, seq=seq, person_id=pid))
    if member is not None and root is None and member.read_seq < seq:
        member.read_seq = seq  # the sender has read their own message
    if root is not None:
        root.thread_reply_count += 1
        root.thread_last_seq = seq
    await session.flush()
    await search.index_message(session, message, new=True)
    read = await emit_message(session, conversation.id, message, new=True)
    # Bots answering @mentions (im.bots) and other in-process followers react in this transaction.
    await domain.emit(session, MessageEvent(message=read))
    if root is not None:
        await emit_message(session, conversation.id, root, new=False)
    return message, True


def _client_key(conversation: Conversation, sender_id: int | None, data: MessageCreate) -> dict[str, object]:
    return {"conversation_id": conversation.id, "sender_id": sender_id, "client_msg_id": data.client_msg_id}


def _serialised_writes(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "sqlite"


async def _same_conversation(
    session: AsyncSession, conversation_id: int, message_id: int | None, field: str
) -> Message | None:
    if message_id is None:
        return None
    message = await session.get(Message, message_id)
    if message is None or message.conversation_id != conversation_id or message.recalled_at is not None:
        raise Invalid(field, "field.im_bad_reply")
    return message


async def _shareable_files(
    session: AsyncSession, sender_id: int | None, conversation_id: int, file_ids: list[str]
) -> list[dict[str, str]]:
    if not file_ids:
        return []
    rows = await files.files_by_id(session, file_ids)
    refs = []
    for fid in dict.fromkeys(file_ids):
        f = rows.get(fid)
        # Only one's own uploads may be shared into a chat (a bot posts none).
        if f is None or sender_id is None or f.owner_id != sender_id:
            raise Invalid("body.file_ids", "field.im_bad_file")
        refs.append({"id": f.id, "content_type": f.content_type})
        await files.grant_read(session, f.id, await member_ids(session, conversation_id))
    return refs


async def _mentions(
    session: AsyncSession, conversation: Conversation, member: Member | None, body: str
) -> tuple[list[int], bool]:
    found = MENTION.findall(body)
    if not found:
        return [], False
    members = set(await member_ids(session, conversation.id))
    mentions_all = "all" in found
    if (
        mentions_all
        and len(members) > BIG_GROUP
        and (member is None or member.role not in ("owner", "admin"))
    ):
        raise Invalid("body.body", "field.im_mention_all")
    people = sorted({int(x) for x in found if x != "all"} & members)
    return people, mentions_all


# ---- changing a message --------------------------------------------------------------------


async def do_edit(session: AsyncSession, actor: Actor, message_id: int, body: str) -> Message:
    message, conversation, _ = await _message(session, actor, message_id)
    if message.sender_id != actor.person_id:
        raise Forbidden("im_not_yours")
    if message.recalled_at is not None:
        raise AppError("im_recalled", status_code=409)
    if not body.strip():
        raise Invalid("body.body", "field.im_empty_message")
    message.body = body.strip()
    message.edited_at = utcnow()
    mentions, mentions_all = await _mentions(session, conversation, None, message.body)
    message.mentions, message.mentions_all = mentions, mentions_all
    await session.flush()
    await search.index_message(session, message)
    await emit_message(session, conversation.id, message, new=False)
    return message


async def do_recall(session: AsyncSession, settings: Settings, actor: Actor, message_id: int) -> Message:
    """Recall: the sender within the window, or a group admin at any time, for everyone."""
    message, conversation, member = await _message(session, actor, message_id)
    if message.recalled_at is not None:
        return message
    is_admin = conversation.kind != "direct" and member.role in ("owner", "admin")
    if message.sender_id != actor.person_id and not is_admin:
        raise Forbidden("im_not_yours")
    window = dt.timedelta(minutes=settings.im_recall_minutes)
    if message.sender_id == actor.person_id and not is_admin and utcnow() - message.created_at > window:
        raise AppError("im_recall_window_passed", status_code=422, minutes=settings.im_recall_minutes)
    message.recalled_at = utcnow()
    message.recalled_by = actor.person_id
    message.body, message.files, message.card = "", [], None  # gone for everyone, the server included
    message.card_type = message.card_ref = None
    await session.execute(delete(Mention).where(Mention.message_id == message.id))
    await session.flush()
    await search.unindex_message(session, message)
    await emit_message(session, conversation.id, message, new=False)
    return message


async def do_toggle_reaction(session: AsyncSession, actor: Actor, message_id: int, emoji: str) -> Message:
    message, conversation, _ = await _message(session, actor, message_id)
    result = await session.execute(
        delete(Reaction).where(
            Reaction.message_id == message.id, Reaction.person_id == actor.person_id, Reaction.emoji == emoji
        )
    )
    if not getattr(result, "rowcount", 0):
        session.add(Reaction(message_id=message.id, person_id=actor.person_id, emoji=emoji))
    await session.flush()
    await emit_message(session, conversation.id, message, new=False)
    return message


async def do_pin(session: AsyncSession, actor: Actor, message_id: int, pinned: bool) -> Message:
    message, conversation, _ = await _message(session, actor, message_id)
    message.pinned_at = utcnow() if pinned else None
    await session.flush()
    await emit_message(session, conversation.id, message, new=False)
    return message


async def do_forward(
    session: AsyncSession, actor: Actor, message_id: int, conversation_ids: list[int]
) -> list[Message]:
    """Copy a message into other conversations of the caller's (files are shared with their members)."""
    message, _, _ = await _message(session, actor, message_id)
    if message.recalled_at is not None:
        raise AppError("im_recalled", status_code=409)
    sent = []
    for target_id in dict.fromkeys(conversation_ids):
        target, member = await access_conversation(session, actor, target_id)
        # The card travels as it was described to the original sender, who shared it.
        card = Card.model_validate(message.card) if message.card else None
        new, _ = await send_as(
            session,
            actor.person_id,
            target,
            member,
            MessageCreate(body=message.body),
            card=card,
            forwarded_files=list(message.files),
        )
        sent.append(new)
    return sent


async def files_grant(session: AsyncSession, refs: list[dict[str, str]], conversation_id: int) -> None:
    members = await member_ids(session, conversation_id)
    for ref in refs:
        await files.grant_read(session, ref["id"], members)
