"""The WebSocket side of the stream inside one server process.

Each open socket is a `Subscriber` with one writer task that owns the order: it sends event
n+1 only after n, reads any gap from the database, and skips what it already sent. Live events
arrive through a bounded queue; when a slow client lets it fill up, the queue is dropped and the
writer reads the rest from the database instead, so memory stays bounded and nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tongban.core.db import Database
from tongban.core.events.service import StreamEvent, current_seq, fetch_since

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]
SendText = Callable[[str], Awaitable[None]]
QUEUE_LIMIT = 256


class Subscriber:
    __slots__ = ("_attached", "_catch_up", "_queue", "_wake", "last_seq", "person_id", "send", "send_text")

    def __init__(self, person_id: int, send: Send, send_text: SendText | None = None) -> None:
        self.person_id = person_id
        self.send = send
        self.send_text = send_text
        self.last_seq = 0
        self._queue: list[StreamEvent | dict[str, Any]] = []
        self._catch_up = False
        self._wake = asyncio.Event()
        # The writer waits until `Hub.attach` has set where the client stands; before that a
        # live event would look like a gap from 0 and replay the person's whole history.
        self._attached = asyncio.Event()

    def offer_ephemeral(self, payload: dict[str, Any]) -> None:
        """Typing indicators and the like: sent in line with the stream, dropped under pressure."""
        if not self._catch_up and len(self._queue) < QUEUE_LIMIT:
            self._queue.append(payload)
            self._wake.set()

    def offer(self, event: StreamEvent) -> None:
        if self._catch_up:
            return
        if len(self._queue) >= QUEUE_LIMIT:
            self._queue.clear()
            self._catch_up = True
        else:
            self._queue.append(event)
        self._wake.set()

    def request_catch_up(self) -> None:
        self._catch_up = True
        self._wake.set()

    async def run(self, db: Database) -> None:
        """Deliver forever (until cancelled), in order, from the queue or the database."""
        await self._attached.wait()
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._catch_up:
                self._catch_up = False
                self._queue.clear()
                await self._read_from_db(db, None)
                continue
            pending, self._queue = self._queue, []
            for event in pending:
                if isinstance(event, dict):
                    await self.send({"type": "ephemeral", "event": event})
                    continue
                if event.seq <= self.last_seq:
                    continue
                if event.seq > self.last_seq + 1:
                    await self._read_from_db(db, event.seq - 1)
                if event.seq == self.last_seq + 1:
                    await self._deliver(event)

    async def _read_from_db(self, db: Database, upto: int | None) -> None:
        while upto is None or self.last_seq < upto:
            async with db.transaction(write=False) as session:
                events = await fetch_since(session, self.person_id, self.last_seq)
            if not events:
                return
            for event in events:
                await self._deliver(event)

    async def _deliver(self, event: StreamEvent) -> None:
        if self.send_text is not None:
            await self.send_text(event.frame())  # the payload was serialised once for everyone
        else:
            await self.send({"type": "event", "id": event.seq, "event": event.payload})
        self.last_seq = event.seq


class Hub:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._by_person: dict[int, set[Subscriber]] = {}

    @property
    def connection_count(self) -> int:
        return sum(len(s) for s in self._by_person.values())

    def is_connected(self, person_id: int) -> bool:
        return bool(self._by_person.get(person_id))

    async def on_batch(self, batch: list[StreamEvent]) -> None:
        for event in batch:
            for subscriber in self._by_person.get(event.person_id, ()):
                subscriber.offer(event)

    async def on_ephemeral(self, person_ids: list[int], payload: dict[str, Any]) -> None:
        for pid in person_ids:
            for subscriber in self._by_person.get(pid, ()):
                subscriber.offer_ephemeral(payload)

    async def on_reconnect(self) -> None:
        for subscribers in self._by_person.values():
            for subscriber in subscribers:
                subscriber.request_catch_up()

    async def attach(self, subscriber: Subscriber, last_event_id: int | None) -> None:
        """Register, then bring the subscriber up to date from `last_event_id`.

        Registering first means an event committed during the catch-up read is queued rather
        than missed; the writer skips whatever the read already delivered.
        """
        self._by_person.setdefault(subscriber.person_id, set()).add(subscriber)
        async with self.db.transaction(write=False) as session:
            last, pruned = await current_seq(session, subscriber.person_id)
        if last_event_id is None:
            subscriber.last_seq = last
            await subscriber.send({"type": "hello", "last_event_id": last})
        elif last_event_id < pruned or last_event_id > last:
            # Too old to replay (or from another database): the client must refetch its state.
            subscriber.last_seq = last
            await subscriber.send({"type": "resync", "last_event_id": last})
        else:
            subscriber.last_seq = last_event_id
            await subscriber.send({"type": "hello", "last_event_id": last_event_id})
            subscriber.request_catch_up()
        subscriber._attached.set()

    def detach(self, subscriber: Subscriber) -> None:
        subscribers = self._by_person.get(subscriber.person_id)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._by_person[subscriber.person_id]
