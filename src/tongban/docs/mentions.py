"""@mentions in a document's text: each mentioned person is told once.

The editor stores a mention as an inline <mention id label> node. The server does not trust
the browser to announce it: after each burst of typing the refresher (docs/refresh.py) reads the
document as stored, finds the ids, and hands the new ones here, in a transaction of its own that
runs after the updates were committed. `DocMention` remembers who was handled, so saving,
syncing from several processes or restoring an old version never notifies twice.

Someone mentioned who may not open the document is not told anything about it (not even its
title); instead the author — and the owner, if someone else — is asked to share it with them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.db import utcnow
from tongban.docs.access import role_of
from tongban.docs.models import DocMention, Document
from tongban.notify.service import notify
from tongban.org import service as org

BODY_MAX = 200


async def _claim(session: AsyncSession, document_id: int, person_id: int, author_id: int | None) -> bool:
    """Record the mention; False when it was already there (another process got it first)."""
    values = {
        "document_id": document_id,
        "person_id": person_id,
        "mentioned_by": author_id,
        "created_at": utcnow(),
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    result = await session.execute(dialect.insert(DocMention).values(values).on_conflict_do_nothing())
    return bool(getattr(result, "rowcount", 0))


def _line_with(text: str, label: str) -> str:
    for line in text.splitlines():
        if label in line:
            return line.strip()[:BODY_MAX]
    return ""


async def notify_new_mentions(
    session: AsyncSession, document_id: int, mentioned: set[int], author_id: int | None, text: str
) -> list[int]:
    """Tell the newly mentioned people (once each); returns who was newly handled."""
    document = await session.get(Document, document_id)
    if document is None or document.deleted_at is not None or not mentioned:
        return []
    known = set(
        (
            await session.execute(select(DocMention.person_id).where(DocMention.document_id == document_id))
        ).scalars()
    )
    candidates = await org.active_ids(session, mentioned - known - {author_id or 0})
    if not candidates:
        return []
    author = author_id or document.owner_id
    names = await org.names_of(session, candidates | {author})
    title = document.title or "无标题文档"
    told: list[int] = []
    for person_id in sorted(candidates):
        if not await _claim(session, document_id, person_id, author_id):
            continue
        told.append(person_id)
        if await role_of(session, person_id, document):
            await notify(
                session,
                [person_id],
                capability="docs",
                title=f"{names.get(author, '')} 在《{title}》中提到了你",
                body=_line_with(text, "@" + names.get(person_id, "")),
                link=f"/docs/{document_id}",
            )
        else:
            # They may not read it: say nothing to them; ask those who can share instead.
            askers = {author, document.owner_id}
            await notify(
                session,
                sorted(askers),
                capability="docs",
                title=(
                    f"你在《{title}》中提到的 {names.get(person_id, '')} 还不能打开这个文档，要分享给 TA 吗？"
                ),
                link=f"/docs/{document_id}?share={person_id}",
            )
    return told
