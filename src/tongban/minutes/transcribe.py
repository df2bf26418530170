"""The transcription queue: which recording runs next, and running it.

Transcription is CPU-bound and long (minutes for an hour of audio), so a process runs one at a
time (`_SLOT`) on a thread, and its Huey worker thread is the only one it occupies: the other
job threads stay free for notifications and the rest. `run_queue` is queued whenever minutes are
created or retried, and every minute as a safety net; a run that finds the slot taken returns at
once, because the holder keeps taking the next record until none is left.

Fairness: the next record is the oldest queued one of the owner who was served longest ago, so
one person's ten uploads do not hold everyone else's single one back (round robin by owner).
Claiming is a conditional UPDATE, so two processes never take the same record; a running record
whose claim has not been refreshed for `STALE_AFTER` belonged to a process that died and is
taken again (delivery is at-least-once; a fresh attempt starts from nothing).

A transcription commits each segment as it is recognised (short transactions: SQLite's write
lock is never held while the recogniser works) and streams it to the owner. It checks before
each commit that the record is still its own attempt: a cancel or retry meanwhile ends it.
Failures keep nothing: the segments go and the record says why.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import delete, func, select, update

from tongban.core.config import Settings
from tongban.core.db import Database, utcnow
from tongban.core.jobs import JobContext, job, periodic
from tongban.core.storage import BlobNotFound, blob_store_from_settings
from tongban.files import service as files
from tongban.minutes import audio
from tongban.minutes.engine import SAMPLE_RATE, Engine, load_engine
from tongban.minutes.models import MinutesRecord, MinutesSegment
from tongban.minutes.service import publish_state
from tongban.minutes.text import to_simplified

log = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=3)
_SLOT = threading.Lock()


class _Ended(Exception):
    """The record was cancelled or retried while this attempt ran."""


@job(name="minutes.transcribe")
async def run_queue(ctx: JobContext) -> None:
    await drain(ctx.settings, ctx.db)


@periodic("* * * * *", name="minutes.queue")
async def sweep_queue(ctx: JobContext) -> None:
    """Every minute: records whose wake-up was lost, or whose worker died mid-way."""
    await drain(ctx.settings, ctx.db)


async def drain(settings: Settings, db: Database) -> int:
    """Transcribe queued records until none is left; returns how many this call ran."""
    ran = 0
    while _SLOT.acquire(blocking=False):
        try:
            while (claimed := await _claim_next(db)) is not None:
                await transcribe_one(settings, db, *claimed)
                ran += 1
        finally:
            _SLOT.release()
        # A record queued between the last look and the release found the slot taken: look again.
        if not await _has_waiting(db):
            break
    return ran


def _claimable() -> Any:
    stale = utcnow() - STALE_AFTER
    return (MinutesRecord.status == "queued") | (
        (MinutesRecord.status == "running") & (MinutesRecord.claimed_at < stale)
    )


async def _has_waiting(db: Database) -> bool:
    async with db.transaction(write=False) as session:
        found = await session.execute(select(MinutesRecord.id).where(_claimable()).limit(1))
        return found.first() is not None


async def _claim_next(db: Database) -> tuple[int, int] | None:
    async with db.transaction() as session:
        served = (
            select(MinutesRecord.owner_id, func.max(MinutesRecord.started_at).label("last"))
            .where(MinutesRecord.started_at.is_not(None))
            .group_by(MinutesRecord.owner_id)
            .subquery()
        )
        candidates = await session.execute(
            select(MinutesRecord.id, MinutesRecord.attempt)
            .outerjoin(served, served.c.owner_id == MinutesRecord.owner_id)
            .where(_claimable())
            # Owners never served first (NULL), then the one served longest ago; oldest upload first.
            .order_by(served.c.last.is_not(None), served.c.last, MinutesRecord.queued_at, MinutesRecord.id)
            .limit(5)
        )
        now = utcnow()
        for minutes_id, attempt in candidates.all():
            took = await session.execute(
                update(MinutesRecord)
                .where(MinutesRecord.id == minutes_id, MinutesRecord.attempt == attempt, _claimable())
                .values(status="running", started_at=now, claimed_at=now, progress=0.0)
            )
            if took.rowcount == 1:  # type: ignore[attr-defined]
                await session.execute(delete(MinutesSegment).where(MinutesSegment.minutes_id == minutes_id))
                record = await session.get(MinutesRecord, minutes_id)
                if record is not None:
                    await publish_state(session, record)
                return int(minutes_id), int(attempt)
    return None


async def _current(session: Any, minutes_id: int, attempt: int) -> MinutesRecord:
    record: MinutesRecord | None = await session.get(MinutesRecord, minutes_id, populate_existing=True)
    if record is None or record.attempt != attempt or record.status != "running":
        raise _Ended
    return record


async def _fail(db: Database, minutes_id: int, attempt: int, code: str) -> None:
    async with db.transaction() as session:
        try:
            record = await _current(session, minutes_id, attempt)
        except _Ended:
            return
        await session.execute(delete(MinutesSegment).where(MinutesSegment.minutes_id == minutes_id))
        record.status = "failed"
        record.error_code = code
        record.finished_at = utcnow()
        await session.flush()
        await publish_state(session, record)


async def _fetch(settings: Settings, db: Database, minutes_id: int, folder: Path) -> Path | None:
    """The recording's bytes in a local file PyAV can seek in (the store may be S3)."""
    async with db.transaction(write=False) as session:
        record = await session.get(MinutesRecord, minutes_id)
        file_rows = await files.files_by_id(session, [record.file_id] if record else [])
    file = next(iter(file_rows.values()), None)
    if file is None:
        return None
    store = blob_store_from_settings(settings)
    target = folder / "recording"
    try:
        with target.open("wb") as out:
            async for chunk in store.open_range(file.storage_key):
                out.write(chunk)
    except BlobNotFound:
        return None
    finally:
        await store.close()
    return target


async def transcribe_one(settings: Settings, db: Database, minutes_id: int, attempt: int) -> None:
    began = time.monotonic()
    from tongban.minutes.insights import configure

    configure(settings.data_dir)
    tmp_root = settings.data_dir / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp_root, prefix="minutes-") as folder:
        path = await _fetch(settings, db, minutes_id, Path(folder))
        if path is None:
            await _fail(db, minutes_id, attempt, "file_missing")
            return
        try:
            samples = await anyio.to_thread.run_sync(audio.decode, path)
        except audio.NotMedia:
            await _fail(db, minutes_id, attempt, "not_media")
            return
        except audio.Corrupt:
            await _fail(db, minutes_id, attempt, "corrupt")
            return
    duration = len(samples) / SAMPLE_RATE
    async with db.transaction() as session:
        try:
            record = await _current(session, minutes_id, attempt)
        except _Ended:
            return
        language = None if record.language == "auto" else record.language
        record.duration = duration
    try:
        engine: Engine = await anyio.to_thread.run_sync(
            load_engine, settings.data_dir, settings.minutes_model_dir
        )
        await _recognise(db, engine, samples, language, minutes_id, attempt, duration, began)
    except _Ended:
        return
    except Exception:
        log.exception("minutes %s: the recogniser failed", minutes_id)
        await _fail(db, minutes_id, attempt, "engine")


async def _recognise(
    db: Database,
    engine: Engine,
    samples: Any,
    language: str | None,
    minutes_id: int,
    attempt: int,
    duration: float,
    began: float,
) -> None:
    from tongban.minutes.insights import analyse

    segments = iter(engine.transcribe(samples, language))
    done = object()
    position = 0
    while True:
        seg = await anyio.to_thread.run_sync(next, segments, done)
        if seg is done:
            break
        text = to_simplified(seg.text.strip())  # type: ignore[attr-defined]
        if not text:
            continue
        async with db.transaction() as session:
            record = await _current(session, minutes_id, attempt)
            row = MinutesSegment(
                minutes_id=minutes_id,
                position=position,
                start=round(seg.start, 2),  # type: ignore[attr-defined]
                end=round(min(seg.end, duration), 2),  # type: ignore[attr-defined]
                text=text,
                original_text=text,
                words=[
                    [round(w.start, 2), round(min(w.end, duration), 2), to_simplified(w.text)]
                    for w in seg.words  # type: ignore[attr-defined]
                ],
                speaker=None,
            )
            session.add(row)
            record.progress = round(min(seg.end / duration, 0.99) if duration else 0.0, 3)  # type: ignore[attr-defined]
            record.claimed_at = utcnow()
            await session.flush()
            await publish_state(session, record, row)
        position += 1
    if position == 0:
        await _fail(db, minutes_id, attempt, "no_speech")
        return
    async with db.transaction() as session:
        record = await _current(session, minutes_id, attempt)
        rows = (
            (
                await session.execute(
                    select(MinutesSegment)
                    .where(MinutesSegment.minutes_id == minutes_id)
                    .order_by(MinutesSegment.position)
                )
            )
            .scalars()
            .all()
        )
        keywords, key_points = analyse(list(rows), record.language)
        record.keywords = keywords
        record.key_points = key_points
        record.status = "done"
        record.progress = 1.0
        record.engine = engine.name
        record.detected_language = language or ""
        record.finished_at = utcnow()
        record.processing_seconds = round(time.monotonic() - began, 2)
        await session.flush()
        await publish_state(session, record)
