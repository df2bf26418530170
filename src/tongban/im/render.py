"""Turning message rows into `MessageRead` for one viewer, in a fixed number of queries per page."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.files import service as files
from tongban.im.models import Member, Message, Reaction, ThreadRead
from tongban.im.schemas import Card, FileRef, MessageRead, PersonRef, ReactionCount, ReplyRef
from tongban.org import service as org

EXCERPT = 80


class ReadCursors:
    """Every member's read cursor in one conversation, sorted, for "N unread" by bisection.

    One query per page instead of one per message: with 1,000 members and 50 messages that is
    50 binary searches, not 50,000 rows. It relies on two invariants the service keeps: a
    sender's cursor moves past their own message when they send it, and a member who joins
    starts with their cursor at the conversation's last message.
    """

    def __init__(self, reads: Sequence[tuple[int, int]]) -> None:
        self.reads = dict(reads)  # person_id -> read_seq
        self._sorted = sorted(self.reads.values())

    def unread(self, seq: int) -> int:
        return bisect.bisect_left(self._sorted, seq)


_CURSORS = select(Member.person_id, Member.read_seq).where(
    Member.conversation_id == bindparam("conversation_id")
)


async def read_cursors(session: AsyncSession, conversation_id: int) -> ReadCursors:
    rows = await session.execute(_CURSORS, {"conversation_id": conversation_id})
    return ReadCursors([(int(a), int(b)) for a, b in rows])


async def render(
    session: AsyncSession,
    viewer_id: int | None,
    messages: Sequence[Message],
    cursors: ReadCursors | None = None,
    *,
    sender_view: bool = False,
    fresh: bool = False,
) -> list[MessageRead]:
    """`viewer_id` gets `mine` on reactions and `unread_count` on their own messages. With
    `sender_view` (events), `unread_count` is computed for each message's sender, since only the
    sender's client shows it."""
    if not messages:
        return []
    ids = [m.id for m in messages]
    reply_ids = {m.reply_to_id for m in messages if m.reply_to_id}
    replies = {}
    if reply_ids:
        rows = await session.execute(select(Message).where(Message.id.in_(reply_ids)))
        replies = {r.id: r for r in rows.scalars()}
    people = {m.sender_id for m in messages} | {m.recalled_by for m in messages}
    people |= {r.sender_id for r in replies.values()}
    names = await org.names_of(session, {p for p in people if p})
    reactions: dict[int, dict[str, list[int]]] = {}
    if not fresh:  # a message being sent has no reactions yet
        reaction_rows = await session.execute(
            select(Reaction.message_id, Reaction.emoji, Reaction.person_id)
            .where(Reaction.message_id.in_(ids))
            .order_by(Reaction.id)
        )
        for mid, emoji, pid in reaction_rows:
            reactions.setdefault(mid, {}).setdefault(emoji, []).append(pid)
    file_rows = await files.files_by_id(session, {f["id"] for m in messages for f in m.files})
    thread_unread = await _thread_unread(session, viewer_id, messages) if not sender_view else {}
    out = []
    for m in messages:
        recalled = m.recalled_at is not None
        reply = replies.get(m.reply_to_id) if m.reply_to_id else None
        unread = None
        owner = m.sender_id if sender_view else viewer_id
        if cursors is not None and m.sender_id is not None and m.sender_id == owner and not m.thread_root_id:
            unread = cursors.unread(m.seq)
        out.append(
            MessageRead(
                id=m.id,
                conversation_id=m.conversation_id,
                seq=m.seq,
                sender=PersonRef(id=m.sender_id, name=names.get(m.sender_id, "")) if m.sender_id else None,
                bot_name=m.bot_name,
                kind=m.kind,
                body="" if recalled else m.body,
                files=[]
                if recalled
                else [
                    FileRef(
                        id=f.id,
                        name=f.name,
                        size=f.size,
                        content_type=f.content_type,
                        has_thumbnail=f.has_thumbnail,
                    )
                    for f in (file_rows.get(ref["id"]) for ref in m.files)
                    if f is not None
                ],
                card=None if recalled or m.card is None else Card.model_validate(m.card),
                reply_to=ReplyRef(
                    id=reply.id,
                    seq=reply.seq,
                    sender_name=names.get(reply.sender_id or 0, reply.bot_name or ""),
                    excerpt="" if reply.recalled_at else reply.body[:EXCERPT],
                )
                if reply is not None
                else None,
                thread_root_id=m.thread_root_id,
                thread_reply_count=m.thread_reply_count,
                mentions=list(m.mentions or []),
                mentions_all=m.mentions_all,
                reactions=[
                    ReactionCount(emoji=e, count=len(p), mine=viewer_id in p, person_ids=p[:50])
                    for e, p in reactions.get(m.id, {}).items()
                ],
                edited_at=m.edited_at,
                recalled=recalled,
                recalled_by_name=names.get(m.recalled_by) if m.recalled_by else None,
                pinned=m.pinned_at is not None,
                client_msg_id=m.client_msg_id,
                created_at=m.created_at,
                unread_count=unread,
                thread_unread=thread_unread.get(m.id, 0)
                if m.thread_reply_count and viewer_id and not sender_view
                else None,
            )
        )
    return out


async def _thread_unread(
    session: AsyncSession, viewer_id: int | None, messages: Sequence[Message]
) -> dict[int, int]:
    """Replies by others in each thread since the viewer last had it open (one query per page)."""
    roots = [m.id for m in messages if m.thread_reply_count and not m.thread_root_id]
    if viewer_id is None or not roots:
        return {}
    rows = await session.execute(
        select(Message.thread_root_id, func.count())
        .outerjoin(
            ThreadRead,
            and_(ThreadRead.root_id == Message.thread_root_id, ThreadRead.person_id == viewer_id),
        )
        .where(
            Message.thread_root_id.in_(roots),
            Message.seq > func.coalesce(ThreadRead.read_seq, 0),
            Message.recalled_at.is_(None),
            or_(Message.sender_id.is_(None), Message.sender_id != viewer_id),
        )
        .group_by(Message.thread_root_id)
    )
    return {int(root or 0): int(count) for root, count in rows.all()}
