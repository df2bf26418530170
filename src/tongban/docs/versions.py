"""Version history: automatic versions when editing pauses (every editor has left), named
versions on demand, a read-only view of any version, its changes against now, and restore.

Restoring is itself a change: the current content is kept as an automatic version first, then
the version's content is written as one new Yjs update, which open editors receive like any
other. Nothing before it is lost.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from pycrdt import Doc
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.db import utcnow
from tongban.core.errors import Invalid
from tongban.core.permissions import Actor
from tongban.docs import content, store
from tongban.docs.access import access_document
from tongban.docs.models import DocVersion
from tongban.docs.schemas import PersonRef, VersionRead
from tongban.docs.service import EXCERPT, announce_update
from tongban.org import service as org

MAX_VERSIONS_LISTED = 200


async def list_versions(session: AsyncSession, actor: Actor, document_id: int) -> list[VersionRead]:
    await access_document(session, actor, document_id)
    rows = list(
        (
            await session.execute(
                select(DocVersion)
                .where(DocVersion.document_id == document_id)
                .order_by(DocVersion.id.desc())
                .limit(MAX_VERSIONS_LISTED)
            )
        ).scalars()
    )
    names = await org.names_of(session, {v.created_by for v in rows if v.created_by})
    return [
        VersionRead(
            id=v.id,
            name=v.name,
            created_by=PersonRef(id=v.created_by, name=names.get(v.created_by, "")) if v.created_by else None,
            created_at=v.created_at,
            excerpt=v.text[:EXCERPT],
        )
        for v in rows
    ]


async def _save(
    session: AsyncSession, document_id: int, doc: Doc[Any], name: str, by: int | None
) -> DocVersion:
    version = DocVersion(
        document_id=document_id,
        name=name,
        state=doc.get_update(),
        text=content.to_text(content.to_tree(doc))[:200_000],
        created_by=by,
    )
    session.add(version)
    await session.flush()
    return version


async def do_create(session: AsyncSession, actor: Actor, document_id: int, name: str) -> DocVersion:
    """A named version of the content as it is now (editors)."""
    await access_document(session, actor, document_id, "editor")
    doc, _ = await store.load(session, document_id)
    return await _save(session, document_id, doc, name.strip(), actor.person_id)


async def auto_version(
    session: AsyncSession, document_id: int, doc: Doc[Any], min_age: dt.timedelta | None = None
) -> DocVersion | None:
    """An automatic version, unless the content equals the latest version's (or that one is
    younger than `min_age`: during a long burst of editing, one version per interval)."""
    latest = (
        await session.execute(
            select(DocVersion.text, DocVersion.created_at)
            .where(DocVersion.document_id == document_id)
            .order_by(DocVersion.id.desc())
        )
    ).first()
    tree = content.to_tree(doc)
    if not tree or (latest is not None and latest[0] == content.to_text(tree)[:200_000]):
        return None
    if latest is not None and min_age is not None and utcnow() - latest[1] < min_age:
        return None
    return await _save(session, document_id, doc, "", None)


async def _version(session: AsyncSession, document_id: int, version_id: int) -> DocVersion:
    version = await session.get(DocVersion, version_id)
    if version is None or version.document_id != document_id:
        raise Invalid("path.version_id", "field.docs_unknown_version")
    return version


async def version_state(session: AsyncSession, actor: Actor, document_id: int, version_id: int) -> bytes:
    await access_document(session, actor, document_id)
    return (await _version(session, document_id, version_id)).state


async def diff(
    session: AsyncSession, actor: Actor, document_id: int, version_id: int
) -> list[dict[str, str]]:
    """Line by line, what changed from the version to now: same / removed / added."""
    await access_document(session, actor, document_id)
    version = await _version(session, document_id, version_id)
    old = content.to_text(content.to_tree(content.doc_from_state(version.state))).splitlines()
    doc, _ = await store.load(session, document_id)
    new = content.to_text(content.to_tree(doc)).splitlines()
    out: list[dict[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            out += [{"op": "same", "text": line} for line in old[a1:a2]]
            continue
        out += [{"op": "removed", "text": line} for line in old[a1:a2]]
        out += [{"op": "added", "text": line} for line in new[b1:b2]]
    return out


async def do_restore(session: AsyncSession, actor: Actor, document_id: int, version_id: int) -> None:
    await access_document(session, actor, document_id, "editor")
    version = await _version(session, document_id, version_id)
    current, _ = await store.load(session, document_id)
    await auto_version(session, document_id, current)
    nodes = content.to_tree(content.doc_from_state(version.state))
    update = await store.replace_content(session, document_id, nodes)
    announce_update(session, document_id, update)
