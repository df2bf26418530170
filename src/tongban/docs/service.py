"""Documents: create, list, rename, move, copy, delete, share, star; content in and out.

The content itself changes through the Yjs relay (docs/relay.py); the few server-side content
changes (import into a new document, copy, restore a version) are stored as ordinary updates
and announced to open editors after commit.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.db import on_commit, utcnow
from tongban.core.errors import Invalid
from tongban.core.permissions import Actor
from tongban.core.storage import BlobStore
from tongban.docs import content, exports, images, store
from tongban.docs.access import access_document, at_least, readable_documents, role_of
from tongban.docs.models import DocAccess, DocMark, Document
from tongban.docs.schemas import (
    DocGrantRead,
    DocumentCreate,
    DocumentRead,
    DocumentUpdate,
    GrantCreate,
    PersonRef,
    Scope,
)
from tongban.org import service as org

EXCERPT = 140
LIST_LIMIT = 200


def announce(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Tell every server's relay, after commit (access changed, content replaced)."""
    broker = session.info.get("broker")
    if broker is None:
        return

    async def send() -> None:
        await broker.publish_ephemeral([], payload)

    on_commit(session, send)


def announce_update(session: AsyncSession, document_id: int, update: bytes) -> None:
    if update:
        announce(
            session,
            {"type": "docs.update", "document_id": document_id, "update": base64.b64encode(update).decode()},
        )


async def render(session: AsyncSession, actor: Actor, documents: list[Document]) -> list[DocumentRead]:
    if not documents:
        return []
    names = await org.names_of(session, {d.owner_id for d in documents})
    marks = {
        m.document_id: m
        for m in (
            await session.execute(
                select(DocMark).where(
                    DocMark.person_id == actor.person_id, DocMark.document_id.in_([d.id for d in documents])
                )
            )
        ).scalars()
    }
    out = []
    for d in documents:
        role = await role_of(session, actor.person_id, d)
        out.append(
            DocumentRead(
                id=d.id,
                title=d.title,
                owner=PersonRef(id=d.owner_id, name=names.get(d.owner_id, "")),
                parent_id=d.parent_id,
                link_role=d.link_role,
                my_role=role or "viewer",
                starred=bool(marks.get(d.id) and marks[d.id].starred),
                excerpt=d.text[:EXCERPT],
                created_at=d.created_at,
                updated_at=d.updated_at,
            )
        )
    return out


async def list_documents(
    session: AsyncSession, actor: Actor, scope: Scope, parent_id: int | None = None, q: str = ""
) -> list[Document]:
    """My documents (roots, or one page's children), shared with me, recently opened, starred."""
    readable = await readable_documents(session, actor)
    if scope == "mine":
        stmt = readable.where(Document.owner_id == actor.person_id)
        stmt = stmt.where(Document.parent_id == parent_id if parent_id else Document.parent_id.is_(None))
        stmt = stmt.order_by(Document.updated_at.desc())
    elif scope == "shared":
        stmt = readable.where(Document.owner_id != actor.person_id).order_by(Document.updated_at.desc())
    else:
        # Recent and starred also show link-shared documents the person has opened; their role
        # is checked again for each one below.
        marked = select(DocMark.document_id).where(DocMark.person_id == actor.person_id)
        if scope == "starred":
            marked = marked.where(DocMark.starred.is_(True))
        else:
            marked = marked.where(DocMark.opened_at.is_not(None))
        stmt = (
            select(Document)
            .join(DocMark, (DocMark.document_id == Document.id) & (DocMark.person_id == actor.person_id))
            .where(Document.id.in_(marked), Document.deleted_at.is_(None))
            .order_by(DocMark.opened_at.desc())
        )
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Document.title.ilike(like), Document.text.ilike(like)))
    documents = list((await session.execute(stmt.limit(LIST_LIMIT))).scalars())
    if scope in ("recent", "starred"):
        documents = [d for d in documents if await role_of(session, actor.person_id, d) is not None]
    return documents


async def _check_parent(session: AsyncSession, actor: Actor, parent_id: int | None, field: str) -> None:
    if parent_id is None:
        return
    parent = await session.get(Document, parent_id)
    role = await role_of(session, actor.person_id, parent) if parent is not None else None
    if not at_least(role, "editor"):
        raise Invalid(field, "field.docs_unknown_parent")


async def do_create(
    session: AsyncSession, actor: Actor, body: DocumentCreate, nodes: list[content.Node] | None = None
) -> Document:
    await _check_parent(session, actor, body.parent_id, "body.parent_id")
    document = Document(title=body.title.strip(), owner_id=actor.person_id, parent_id=body.parent_id)
    session.add(document)
    await session.flush()
    if nodes:
        await store.replace_content(session, document.id, nodes)
    await mark_opened(session, actor, document.id)
    return document


async def do_update(session: AsyncSession, actor: Actor, document_id: int, body: DocumentUpdate) -> Document:
    document, role = await access_document(session, actor, document_id, "editor")
    if body.link_role is not None:
        if role != "owner":
            await access_document(session, actor, document_id, "owner")
        document.link_role = None if body.link_role == "none" else body.link_role
        announce(session, {"type": "docs.access", "document_id": document_id})
    if body.title is not None:
        document.title = body.title.strip()
    if body.move:
        await _check_parent(session, actor, body.parent_id, "body.parent_id")
        ancestor = body.parent_id
        while ancestor is not None:  # no page may end up below itself
            if ancestor == document.id:
                raise Invalid("body.parent_id", "field.docs_parent_cycle")
            above = await session.get(Document, ancestor)
            ancestor = above.parent_id if above else None
        document.parent_id = body.parent_id
    document.updated_at = utcnow()
    await session.flush()
    if body.title is not None or body.link_role is not None:
        from tongban.docs import cards  # cards imports im, which must not be needed to load service

        await cards.refresh(session, document)
    return document


async def do_delete(session: AsyncSession, actor: Actor, document_id: int) -> None:
    document, _ = await access_document(session, actor, document_id, "owner")
    document.deleted_at = utcnow()
    announce(session, {"type": "docs.access", "document_id": document_id})


async def do_copy(session: AsyncSession, actor: Actor, document_id: int) -> Document:
    source, _ = await access_document(session, actor, document_id)
    doc, _ = await store.load(session, source.id)
    copy = Document(title=f"{source.title} (copy)"[:200], owner_id=actor.person_id, text=source.text)
    session.add(copy)
    await session.flush()
    await store.append(session, [(copy.id, doc.get_update())])
    await images.copy_images(session, source.id, copy.id)
    await mark_opened(session, actor, copy.id)
    return copy


async def mark_opened(session: AsyncSession, actor: Actor, document_id: int) -> None:
    mark = await _mark(session, actor, document_id)
    mark.opened_at = utcnow()


async def _mark(session: AsyncSession, actor: Actor, document_id: int) -> DocMark:
    mark = (
        await session.execute(
            select(DocMark).where(DocMark.person_id == actor.person_id, DocMark.document_id == document_id)
        )
    ).scalar_one_or_none()
    if mark is None:
        mark = DocMark(person_id=actor.person_id, document_id=document_id, starred=False)
        session.add(mark)
        await session.flush()
    return mark


async def do_star(session: AsyncSession, actor: Actor, document_id: int, starred: bool) -> None:
    await access_document(session, actor, document_id)
    (await _mark(session, actor, document_id)).starred = starred


# ---- sharing ---------------------------------------------------------------------------------


async def list_grants(session: AsyncSession, actor: Actor, document_id: int) -> list[DocGrantRead]:
    await access_document(session, actor, document_id)
    grants = list(
        (
            await session.execute(
                select(DocAccess).where(DocAccess.document_id == document_id).order_by(DocAccess.id)
            )
        ).scalars()
    )
    names = await org.names_of(session, {g.person_id for g in grants if g.person_id})
    out = []
    for g in grants:
        dept_name = await org.department_name(session, g.department_id) if g.department_id else None
        out.append(
            DocGrantRead(
                id=g.id,
                person=PersonRef(id=g.person_id, name=names.get(g.person_id, "")) if g.person_id else None,
                department=PersonRef(id=g.department_id, name=dept_name or "") if g.department_id else None,
                role=g.role,
            )
        )
    return out


async def do_grant(session: AsyncSession, actor: Actor, document_id: int, body: GrantCreate) -> DocAccess:
    """Give a person or a department a role (replacing the one they had)."""
    document, _ = await access_document(session, actor, document_id, "owner")
    if body.person_id is not None:
        if body.person_id == document.owner_id:
            raise Invalid("body.person_id", "field.docs_owner_grant")
        if not await org.active_ids(session, [body.person_id]):
            raise Invalid("body.person_id", "field.docs_unknown_person")
        where = DocAccess.person_id == body.person_id
    else:
        assert body.department_id is not None
        if await org.department_name(session, body.department_id) is None:
            raise Invalid("body.department_id", "field.docs_unknown_department")
        where = DocAccess.department_id == body.department_id
    grant = (
        await session.execute(select(DocAccess).where(DocAccess.document_id == document_id, where))
    ).scalar_one_or_none()
    if grant is None:
        grant = DocAccess(document_id=document_id, person_id=body.person_id, department_id=body.department_id)
        session.add(grant)
    grant.role = body.role
    await session.flush()
    announce(session, {"type": "docs.access", "document_id": document_id})
    return grant


async def do_revoke(session: AsyncSession, actor: Actor, document_id: int, grant_id: int) -> None:
    """Remove a grant; the person's open editors close (the relay re-checks every socket)."""
    await access_document(session, actor, document_id, "owner")
    grant = await session.get(DocAccess, grant_id)
    if grant is None or grant.document_id != document_id:
        raise Invalid("path.grant_id", "field.invalid")
    await session.delete(grant)
    await session.flush()
    announce(session, {"type": "docs.access", "document_id": document_id})


# ---- content in and out ------------------------------------------------------------------------


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def export(
    session: AsyncSession, actor: Actor, document_id: int, fmt: str, blobs: BlobStore | None = None
) -> tuple[str | bytes, str]:
    """The document as Markdown, HTML, plain text, Word or PDF: (body, media type), built from
    the stored Yjs state (what every editor has been acknowledged). Word and PDF embed the
    document's own images (read from `blobs`)."""
    document, _ = await access_document(session, actor, document_id)
    doc, _ = await store.load(session, document_id)
    tree = content.mentions_as_text(content.to_tree(doc))
    pictures = await images.image_bytes(session, blobs, document_id, tree) if blobs is not None else {}
    if fmt == "docx":
        return await asyncio.to_thread(exports.to_docx, tree, document.title, pictures), DOCX_TYPE
    if fmt == "pdf":
        # Font parsing and layout take about a second of CPU: off the event loop.
        return await asyncio.to_thread(exports.to_pdf, tree, document.title, pictures), "application/pdf"
    if fmt == "markdown":
        return content.to_markdown(tree), "text/markdown; charset=utf-8"
    if fmt == "html":
        return content.to_html(tree, document.title), "text/html; charset=utf-8"
    return content.to_text(tree), "text/plain; charset=utf-8"
