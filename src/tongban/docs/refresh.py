"""Keeping what is derived from a document's content fresh while people type: the plain text
that search and cards read, and @mentions (docs/mentions.py).

Before this, the text was refreshed only when the update log was compacted (every 500 updates,
or when everyone had left), so fresh edits could stay unfindable for minutes. Now the relay,
right after each group commit, tells the refresher which documents changed and who wrote; the
refresher waits for a quiet second (at most five while typing goes on), then reads the room's
in-memory document — which holds exactly the committed updates — and stores its text and
handles new mentions in one short transaction of its own. That is off the relay's hot path and
after the updates' commit, as a job would be; it runs in the process that accepted the updates,
so with several processes a document is refreshed once per burst, by whoever stored it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc
from sqlalchemy import update

from tongban.core.db import Database
from tongban.docs import content, mentions
from tongban.docs.models import Document

log = logging.getLogger(__name__)

QUIET = 1.0  # seconds without updates before refreshing
MAX_WAIT = 5.0  # while typing never stops, refresh at least this often
TEXT_MAX = 200_000


@dataclass
class _Due:
    doc: Doc[Any]
    first: float
    authors: dict[int, float] = field(default_factory=dict)  # person id -> last write
    timer: asyncio.TimerHandle | None = None


class Refresher:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._due: dict[int, _Due] = {}
        self._running: set[asyncio.Task[None]] = set()

    def touched(self, document_id: int, doc: Doc[Any], author_ids: set[int]) -> None:
        """Updates to this document were just committed (called by the relay after commit)."""
        now = time.monotonic()
        due = self._due.get(document_id)
        if due is None:
            due = self._due[document_id] = _Due(doc, now)
        due.doc = doc
        for person_id in author_ids:
            due.authors[person_id] = now
        if due.timer is not None:
            due.timer.cancel()
        delay = max(0.0, min(QUIET, due.first + MAX_WAIT - now))
        due.timer = asyncio.get_running_loop().call_later(delay, self._fire, document_id)

    def _fire(self, document_id: int) -> None:
        due = self._due.pop(document_id, None)
        if due is None:
            return
        task = asyncio.get_running_loop().create_task(self._run(document_id, due))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, document_id: int, due: _Due) -> None:
        try:
            await refresh(
                self.db, document_id, due.doc, max(due.authors, key=due.authors.__getitem__, default=None)
            )
        except Exception:
            log.exception("refreshing document %s failed", document_id)

    async def stop(self) -> None:
        """Refresh everything still waiting (the server is stopping)."""
        for document_id, due in list(self._due.items()):
            if due.timer is not None:
                due.timer.cancel()
            self._fire(document_id)
        for task in list(self._running):
            with contextlib.suppress(Exception):
                await task


async def refresh(db: Database, document_id: int, doc: Doc[Any], author_id: int | None) -> None:
    """Store the document's text; notify people newly @mentioned (`author_id` wrote last)."""
    tree = content.to_tree(doc)
    text = content.to_text(tree)[:TEXT_MAX]
    async with db.transaction() as session:
        await session.execute(update(Document).where(Document.id == document_id).values(text=text))
        await mentions.notify_new_mentions(session, document_id, content.mentioned_ids(tree), author_id, text)
