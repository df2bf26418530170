from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import BigInteger, Integer, bindparam, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.db import on_commit, utcnow
from tongban.core.events.models import EventCursor, EventRecord


@dataclass(frozen=True, slots=True)
class StreamEvent:
    person_id: int
    seq: int
    type: str
    payload: dict[str, Any]
    # The payload as JSON, made once per event however many people receive it.
    payload_json: str | None = field(default=None, compare=False)

    def frame(self) -> str:
        """The text frame a WebSocket client receives for this event."""
        body = self.payload_json or json.dumps(self.payload, ensure_ascii=False, separators=(",", ":"))
        return f'{{"type":"event","id":{self.seq},"event":{body}}}'

    def wire(self) -> dict[str, Any]:
        return {"person_id": self.person_id, "seq": self.seq, "type": self.type, "payload": self.payload}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> StreamEvent:
        return cls(int(data["person_id"]), int(data["seq"]), str(data["type"]), dict(data["payload"]))


class Broker(Protocol):
    async def publish(self, batch: list[StreamEvent]) -> None: ...


def _insert_ignore(session: AsyncSession, person_ids: Sequence[int]) -> Any:
    rows = [{"person_id": pid, "last_seq": 0, "pruned_through": 0} for pid in person_ids]
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return postgresql.insert(EventCursor).values(rows).on_conflict_do_nothing()
    return sqlite.insert(EventCursor).values(rows).on_conflict_do_nothing()


async def publish(session: AsyncSession, person_ids: Iterable[int], event: BaseModel) -> None:
    """Store `event` for each person and deliver it after the transaction commits."""
    await publish_many(session, [(person_ids, event)])


async def publish_many(session: AsyncSession, items: Sequence[tuple[Iterable[int], BaseModel]]) -> None:
    events: list[tuple[str, dict[str, Any], str, list[int]]] = []  # kind, payload, JSON, people
    counts: dict[int, int] = {}
    for person_ids, event in items:
        payload = event.model_dump(mode="json")
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        people = list(dict.fromkeys(person_ids))
        for pid in people:
            counts[pid] = counts.get(pid, 0) + 1
        events.append((str(payload["type"]), payload, text, people))
    if not counts:
        return
    # Sorted ids: two transactions lock the same cursor rows in the same order, never deadlock.
    ids = sorted(counts)
    last = await _advance(session, ids, counts)
    missing = [pid for pid in ids if pid not in last]
    if missing:  # first events for these people: create their counters, then advance them
        await session.execute(_insert_ignore(session, missing))
        last.update(await _advance(session, missing, counts))
    # Each person's numbers run from their old last + 1, in the order of `items`.
    next_seq = {pid: last[pid] - counts[pid] for pid in ids}
    now = utcnow()
    stream: list[StreamEvent] = []
    for kind, payload, text, people in events:
        seqs = []
        for pid in people:
            next_seq[pid] += 1
            seqs.append(next_seq[pid])
            stream.append(StreamEvent(pid, next_seq[pid], kind, payload, text))
        await _store(session, kind, text, people, seqs, now)
    stream.sort(key=lambda e: (e.person_id, e.seq))
    broker: Broker | None = session.info.get("broker")
    if broker is not None:

        async def deliver() -> None:
            await broker.publish(stream)

        on_commit(session, deliver)


_CREATED_AT = bindparam("created_at", type_=EventRecord.__table__.c.created_at.type)
# One statement stores one event for everyone it goes to, the payload bound once: a message to a
# group of 500 was 500 rows of parameters for the driver and SQLAlchemy to process, ~8 ms of
# CPU inside SQLite's single write turn (bench/im.py).
_STORE_SQLITE = text(
    "INSERT INTO event_log (person_id, seq, type, payload, created_at) "
    "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), :type, :payload, :created_at "
    "FROM json_each(:rows)"
).bindparams(_CREATED_AT)
_STORE_POSTGRES = text(
    "INSERT INTO event_log (person_id, seq, type, payload, created_at) "
    "SELECT p, s, :type, CAST(:payload AS JSON), :created_at "
    "FROM unnest(CAST(:pids AS INTEGER[]), CAST(:seqs AS BIGINT[])) AS t(p, s)"
).bindparams(
    _CREATED_AT,
    bindparam("pids", type_=postgresql.ARRAY(Integer)),
    bindparam("seqs", type_=postgresql.ARRAY(BigInteger)),
)


async def _store(
    session: AsyncSession, kind: str, payload: str, people: list[int], seqs: list[int], now: dt.datetime
) -> None:
    params: dict[str, Any] = {"type": kind, "payload": payload, "created_at": now}
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(_STORE_POSTGRES, {**params, "pids": people, "seqs": seqs})
    else:
        rows = json.dumps([[pid, seq] for pid, seq in zip(people, seqs, strict=True)], separators=(",", ":"))
        await session.execute(_STORE_SQLITE, {**params, "rows": rows})


_ADVANCE = (
    update(EventCursor)
    .where(EventCursor.person_id.in_(bindparam("ids", expanding=True)))
    .values(last_seq=EventCursor.last_seq + bindparam("count"))
    .returning(EventCursor.person_id, EventCursor.last_seq)
)


async def _advance(session: AsyncSession, ids: list[int], counts: dict[int, int]) -> dict[int, int]:
    """Move each person's counter on by their event count; {person: new last number}."""
    # One UPDATE per distinct count keeps this to a couple of statements for a large fan-out.
    by_count: dict[int, list[int]] = {}
    for pid in ids:
        by_count.setdefault(counts[pid], []).append(pid)
    last: dict[int, int] = {}
    for count, pids in by_count.items():
        result = await session.execute(_ADVANCE, {"ids": pids, "count": count})
        last.update({row[0]: row[1] for row in result})
    return last


async def current_seq(session: AsyncSession, person_id: int) -> tuple[int, int]:
    """(last number issued, last number pruned) for a person; (0, 0) before any event."""
    row = (
        await session.execute(
            select(EventCursor.last_seq, EventCursor.pruned_through).where(EventCursor.person_id == person_id)
        )
    ).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def fetch_since(
    session: AsyncSession, person_id: int, after_seq: int, *, limit: int = 500
) -> list[StreamEvent]:
    rows = await session.execute(
        select(EventRecord.seq, EventRecord.type, EventRecord.payload)
        .where(EventRecord.person_id == person_id, EventRecord.seq > after_seq)
        .order_by(EventRecord.seq)
        .limit(limit)
    )
    return [StreamEvent(person_id, int(seq), kind, payload) for seq, kind, payload in rows]


async def prune(session: AsyncSession, older_than: dt.datetime) -> int:
    """Drop events past retention and remember, per person, how far the gap reaches."""
    horizon = (
        select(EventRecord.person_id, func.max(EventRecord.seq).label("max_seq"))
        .where(EventRecord.created_at < older_than)
        .group_by(EventRecord.person_id)
    )
    pruned = (await session.execute(horizon)).all()
    for person_id, max_seq in pruned:
        await session.execute(
            update(EventCursor)
            .where(EventCursor.person_id == person_id, EventCursor.pruned_through < max_seq)
            .values(pruned_through=max_seq)
        )
    result = await session.execute(delete(EventRecord).where(EventRecord.created_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)


class EphemeralBroker(Protocol):
    async def publish_ephemeral(self, person_ids: list[int], payload: dict[str, Any]) -> None: ...


async def publish_ephemeral(broker: EphemeralBroker, person_ids: Iterable[int], event: BaseModel) -> None:
    """Deliver `event` live to whoever is connected, unstored and unnumbered (typing indicators).

    Nothing is promised: a client that is offline, reconnecting or slow never sees it.
    """
    await broker.publish_ephemeral(list(dict.fromkeys(person_ids)), event.model_dump(mode="json"))
