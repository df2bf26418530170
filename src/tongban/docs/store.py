"""The Yjs update log and snapshots in Tongban's own database (SQLite or PostgreSQL).

A document's state is its snapshot (if any) plus every update row that remains. Compaction
merges the snapshot with the rows it read into a new snapshot and deletes exactly those rows,
never "everything up to id N": on PostgreSQL an update with a smaller id can commit after a
larger one, and a range delete would drop it unseen. Applying a Yjs update twice is harmless,
so a row that is both in the snapshot and still in the log costs nothing but bytes.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.db import utcnow
from tongban.docs import content
from tongban.docs.models import DocSnapshot, Document, DocUpdate

COMPACT_AFTER = 500  # update rows of one document before the relay compacts them


async def load(session: AsyncSession, document_id: int) -> tuple[Doc[Any], int]:
    """The document's current state, and how many log rows it was built from."""
    # The log before the snapshot: a compaction committing between the two reads then leaves
    # rows that its new snapshot also holds (harmless), never a snapshot without its rows.
    rows = list(
        (
            await session.execute(
                select(DocUpdate.data).where(DocUpdate.document_id == document_id).order_by(DocUpdate.id)
            )
        ).scalars()
    )
    snapshot = (
        await session.execute(select(DocSnapshot.state).where(DocSnapshot.document_id == document_id))
    ).scalar_one_or_none()
    doc: Doc[Any] = Doc()
    with doc.transaction():
        if snapshot is not None:
            doc.apply_update(snapshot)
        for data in rows:
            doc.apply_update(data)
    return doc, len(rows)


async def state(session: AsyncSession, document_id: int) -> bytes:
    doc, _ = await load(session, document_id)
    return doc.get_update()


async def append(session: AsyncSession, rows: list[tuple[int, bytes]]) -> None:
    """Store accepted updates (one INSERT for a whole group commit)."""
    if rows:
        await session.execute(insert(DocUpdate), [{"document_id": d, "data": u} for d, u in rows])


async def compact(session: AsyncSession, document_id: int) -> Doc[Any]:
    """Fold the log into the snapshot; refresh the plain text kept for search and cards."""
    doc: Doc[Any] = Doc()
    snapshot = await session.get(DocSnapshot, document_id)
    if snapshot is not None:
        doc.apply_update(snapshot.state)
    rows = (
        await session.execute(
            select(DocUpdate.id, DocUpdate.data).where(DocUpdate.document_id == document_id)
        )
    ).all()
    with doc.transaction():
        for _, data in rows:
            doc.apply_update(data)
    merged = doc.get_update()
    if snapshot is None:
        session.add(DocSnapshot(document_id=document_id, state=merged, updated_at=utcnow()))
    else:
        snapshot.state, snapshot.updated_at = merged, utcnow()
    if rows:
        ids = [i for i, _ in rows]
        for start in range(0, len(ids), 5000):
            await session.execute(delete(DocUpdate).where(DocUpdate.id.in_(ids[start : start + 5000])))
    document = await session.get(Document, document_id)
    if document is not None:
        document.text = content.to_text(content.to_tree(doc))[:200_000]
    await session.flush()
    return doc


async def replace_content(session: AsyncSession, document_id: int, nodes: list[content.Node]) -> bytes:
    """Make the document's content `nodes` as one new update (imports, restores): a change like
    any other, so nothing before it is lost and open editors receive it."""
    doc, _ = await load(session, document_id)
    updates: list[bytes] = []
    sub = doc.observe(lambda event: updates.append(event.update))
    content.write_tree(doc, nodes)
    doc.unobserve(sub)
    update = updates[0] if updates else b""
    if update:
        await append(session, [(document_id, update)])
        document = await session.get(Document, document_id)
        if document is not None:
            document.text = content.to_text(nodes)[:200_000]
            document.updated_at = utcnow()
    return update
