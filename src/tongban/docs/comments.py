"""Comments: threads anchored to a range of the text, replies, @mentions, resolve / reopen.

The anchor is a pair of Yjs relative positions made by the browser
(Y.createRelativePositionFromTypeIndex): they name the characters themselves, not offsets, so
a comment stays on its words however the text around them changes. The server stores them as
given and never needs to read them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.db import utcnow
from tongban.core.errors import Forbidden, Invalid
from tongban.core.permissions import Actor
from tongban.docs.access import access_document, role_of
from tongban.docs.models import DocComment, Document
from tongban.docs.schemas import CommentAnchor, CommentCreate, CommentRead, PersonRef
from tongban.notify.service import notify
from tongban.org import service as org


async def list_comments(session: AsyncSession, actor: Actor, document_id: int) -> list[CommentRead]:
    await access_document(session, actor, document_id)
    rows = list(
        (
            await session.execute(
                select(DocComment).where(DocComment.document_id == document_id).order_by(DocComment.id)
            )
        ).scalars()
    )
    ids = {c.author_id for c in rows if c.author_id} | {c.resolved_by for c in rows if c.resolved_by}
    names = await org.names_of(session, ids)

    def ref(pid: int | None) -> PersonRef | None:
        return PersonRef(id=pid, name=names.get(pid, "")) if pid else None

    return [
        CommentRead(
            id=c.id,
            parent_id=c.parent_id,
            author=ref(c.author_id),
            body=c.body,
            anchor=CommentAnchor(**c.anchor) if c.anchor else None,
            quote=c.quote,
            mention_ids=list(c.mentions),
            resolved=c.resolved_at is not None,
            resolved_by=ref(c.resolved_by),
            created_at=c.created_at,
        )
        for c in rows
    ]


async def do_create(session: AsyncSession, actor: Actor, document_id: int, body: CommentCreate) -> DocComment:
    document, _ = await access_document(session, actor, document_id, "commenter")
    if body.parent_id is not None:
        parent = await session.get(DocComment, body.parent_id)
        if parent is None or parent.document_id != document_id or parent.parent_id is not None:
            raise Invalid("body.parent_id", "field.docs_unknown_comment")
        if body.anchor is not None:
            raise Invalid("body.anchor", "field.docs_reply_anchor")
    comment = DocComment(
        document_id=document_id,
        parent_id=body.parent_id,
        author_id=actor.person_id,
        body=body.body.strip(),
        anchor=body.anchor.model_dump() if body.anchor else None,
        quote=body.quote,
        mentions=list(dict.fromkeys(body.mention_ids)),
    )
    session.add(comment)
    await session.flush()
    await _notify_mentions(session, actor, document, comment)
    return comment


async def _notify_mentions(
    session: AsyncSession, actor: Actor, document: Document, comment: DocComment
) -> None:
    """Mentioned people who may read the document are notified; others are not told it exists."""
    wanted = [pid for pid in comment.mentions if pid != actor.person_id]
    recipients = [
        pid for pid in await org.active_ids(session, wanted) if await role_of(session, pid, document)
    ]
    if recipients:
        await notify(
            session,
            sorted(recipients),
            capability="docs",
            title=f"{actor.name} 在《{document.title or '无标题文档'}》的评论中提到了你",
            body=comment.body[:200],
            link=f"/docs/{document.id}?comment={comment.parent_id or comment.id}",
        )


async def do_resolve(
    session: AsyncSession, actor: Actor, document_id: int, comment_id: int, resolved: bool
) -> DocComment:
    await access_document(session, actor, document_id, "commenter")
    comment = await session.get(DocComment, comment_id)
    if comment is None or comment.document_id != document_id:
        raise Invalid("path.comment_id", "field.docs_unknown_comment")
    root = comment if comment.parent_id is None else await session.get(DocComment, comment.parent_id)
    assert root is not None
    root.resolved_at = utcnow() if resolved else None
    root.resolved_by = actor.person_id if resolved else None
    await session.flush()
    return root


async def do_delete(session: AsyncSession, actor: Actor, document_id: int, comment_id: int) -> None:
    """Authors delete their own comments; the owner any (a thread goes with its first comment)."""
    _, role = await access_document(session, actor, document_id, "commenter")
    comment = await session.get(DocComment, comment_id)
    if comment is None or comment.document_id != document_id:
        raise Invalid("path.comment_id", "field.docs_unknown_comment")
    if comment.author_id != actor.person_id and role != "owner":
        raise Forbidden("docs_not_owner")
    await session.delete(comment)
