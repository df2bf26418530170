"""Finding documents by title and text, within what the caller may read.

The same rules as message search (tongban.im.search) so one search box behaves the same
everywhere: whitespace-separated terms, all must match, each a substring match with Latin case
ignored, and the same highlighted snippet. Documents are far fewer than messages and their text
is already kept in plain form on the row (`Document.text`, refreshed by docs/refresh.py about a
second after each burst of typing), so each term is an ILIKE on title or text over the caller's
readable documents: no separate index to keep in step with the Yjs log.

Scope: documents the caller owns or was granted (directly or through a department), and
link-shared ones they have opened (as "recent" shows them); deleted documents never match.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.permissions import Actor
from tongban.docs import service
from tongban.docs.access import readable_documents
from tongban.docs.models import DocMark, Document
from tongban.docs.schemas import DocSearchHit
from tongban.im.search import parse_terms, snippet

LIMIT = 50


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_documents(session: AsyncSession, actor: Actor, q: str) -> list[DocSearchHit]:
    terms = parse_terms(q)
    readable = (await readable_documents(session, actor)).with_only_columns(Document.id)
    opened_links = (
        select(Document.id)
        .join(DocMark, (DocMark.document_id == Document.id) & (DocMark.person_id == actor.person_id))
        .where(DocMark.opened_at.is_not(None), Document.link_role.is_not(None))
    )
    stmt = select(Document).where(
        Document.deleted_at.is_(None), or_(Document.id.in_(readable), Document.id.in_(opened_links))
    )
    for term in terms:
        pattern = _like(term)
        stmt = stmt.where(
            or_(Document.title.ilike(pattern, escape="\\"), Document.text.ilike(pattern, escape="\\"))
        )
    stmt = stmt.order_by(Document.updated_at.desc(), Document.id.desc()).limit(LIMIT)
    documents = list((await session.execute(stmt)).scalars())
    rendered = await service.render(session, actor, documents)
    return [
        DocSearchHit(document=read, snippet=snippet(doc.text, terms))
        for doc, read in zip(documents, rendered, strict=True)
    ]
