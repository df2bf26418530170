"""Background jobs: after-commit queueing, retries, delays, progress, durability, pruning."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from tests.factories import Org
from tongban.core.config import Settings
from tongban.core.db import Database, utcnow
from tongban.core.events import EventCursor, EventRecord, StreamEvent, publish
from tongban.core.jobs import (
    INFLIGHT_PREFIX,
    JobContext,
    JobQueue,
    JobWorker,
    _crontab,
    enqueue,
    job,
    prune_event_stream,
)
from tongban.org.schemas import OrgChanged

# What the test jobs did, by a token each test makes up (the jobs run on worker threads).
RUNS: dict[str, list[int]] = {}
GATES: dict[str, threading.Event] = {}


@job()
async def record(ctx: JobContext, token: str) -> None:
    RUNS.setdefault(token, []).append(ctx.attempt)


@job(retries=3, retry_delay=0.1, backoff=2.0)
async def flaky(ctx: JobContext, token: str, failures: int) -> None:
    RUNS.setdefault(token, []).append(ctx.attempt)
    if ctx.attempt <= failures:
        raise RuntimeError(f"failure {ctx.attempt}")


@job()
async def reports_progress(ctx: JobContext, token: str, person_id: int) -> None:
    await ctx.progress(person_id, 0.25, "reading")
    # Wait until the test has seen the first report committed while this job still runs.
    await asyncio.to_thread(GATES[token].wait, 10)
    await ctx.progress(person_id, 0.75, "writing")
    RUNS.setdefault(token, []).append(ctx.attempt)


async def eventually(check: Callable[[], bool], within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def token() -> str:
    return uuid.uuid4().hex


@pytest.fixture
async def queue(app: FastAPI, settings: Settings, tmp_path: Path) -> AsyncIterator[JobQueue]:
    """A queue on its own SQLite file with a running consumer."""
    q = JobQueue.from_settings(settings, path=tmp_path / "jobs.db")
    worker = JobWorker(q, settings, workers=2, max_delay=0.2)
    await asyncio.to_thread(worker.start)
    yield q
    await asyncio.to_thread(worker.stop)
    q.close()


@pytest.fixture
async def jobs_db(queue: JobQueue, settings: Settings) -> AsyncIterator[Database]:
    """A database whose sessions queue onto `queue`."""
    database = Database(settings.resolved_database_url, info={"settings": settings, "jobs": queue})
    yield database
    await database.dispose()


async def test_job_enqueued_in_a_rolled_back_transaction_never_runs(
    jobs_db: Database, queue: JobQueue
) -> None:
    t = token()
    with pytest.raises(RuntimeError):
        async with jobs_db.transaction() as session:
            await enqueue(session, record, t)
            raise RuntimeError("roll back")
    await asyncio.sleep(1.0)
    assert t not in RUNS
    assert queue.pending_count() == 0


async def test_job_enqueued_in_a_committed_transaction_runs_once(jobs_db: Database) -> None:
    t = token()
    async with jobs_db.transaction() as session:
        job_id = await enqueue(session, record, t)
        assert t not in RUNS  # nothing leaves before the commit
    assert len(job_id) == 32
    await eventually(lambda: RUNS.get(t) == [1])
    await asyncio.sleep(0.3)
    assert RUNS[t] == [1]


async def test_failing_job_is_retried_with_backoff_until_it_succeeds(jobs_db: Database) -> None:
    t = token()
    async with jobs_db.transaction() as session:
        await enqueue(session, flaky, t, 2)
    await eventually(lambda: RUNS.get(t) == [1, 2, 3], within=15)


async def test_delayed_job_waits_for_its_time(jobs_db: Database, queue: JobQueue) -> None:
    t = token()
    async with jobs_db.transaction() as session:
        await enqueue(session, record, t, delay=1.5)
    await asyncio.sleep(0.5)
    assert t not in RUNS
    assert queue.scheduled_count() == 1
    await eventually(lambda: RUNS.get(t) == [1])


async def test_eta_must_be_timezone_aware(jobs_db: Database) -> None:
    async with jobs_db.transaction() as session:
        with pytest.raises(ValueError, match="timezone-aware"):
            await enqueue(session, record, token(), eta=dt.datetime(2030, 1, 1))


async def test_progress_events_reach_the_person_in_order(jobs_db: Database, db: Database, org: Org) -> None:
    dept = await org.department("大数据中心")
    person = await org.person("刘锋", dept)
    t = token()
    GATES[t] = threading.Event()
    async with jobs_db.transaction() as session:
        job_id = await enqueue(session, reports_progress, t, person.id)

    async def progress_rows() -> list[EventRecord]:
        async with db.transaction(write=False) as session:
            rows = await session.execute(
                select(EventRecord).where(EventRecord.person_id == person.id).order_by(EventRecord.seq)
            )
            return list(rows.scalars())

    # The first report is committed on its own while the job is still running.
    for _ in range(200):
        if await progress_rows():
            break
        await asyncio.sleep(0.05)
    first = await progress_rows()
    assert [r.payload["status"] for r in first] == ["running"]
    GATES[t].set()
    await eventually(lambda: RUNS.get(t) == [1])
    for _ in range(100):
        rows = await progress_rows()
        if len(rows) == 3:
            break
        await asyncio.sleep(0.05)
    assert [r.type for r in rows] == ["job.progress"] * 3
    assert [r.payload["status"] for r in rows] == ["running", "running", "succeeded"]
    assert [r.payload["progress"] for r in rows] == [0.25, 0.75, 1.0]
    assert [r.payload["message"] for r in rows][:2] == ["reading", "writing"]
    assert {r.payload["job_id"] for r in rows} == {job_id}
    assert {r.payload["name"] for r in rows} == {"reports_progress"}
    seqs = [r.seq for r in rows]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3


async def test_queued_and_interrupted_jobs_survive_a_restart(
    app: FastAPI, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "durable.db"
    queued, scheduled, interrupted = token(), token(), token()
    before = JobQueue.from_settings(settings, path=path)
    before.send(record, (queued,))
    before.send(record, (scheduled,), delay=0.5)
    # A run that had started when the process died: Huey had taken it off the queue.
    task = before.register(record).task_class((interrupted,), {}, id=uuid.uuid4().hex)
    before.huey.storage.put_data(f"{INFLIGHT_PREFIX}{task.id}", before.huey.serialize_task(task))
    before.close()
    del before
    await asyncio.sleep(0.2)
    assert queued not in RUNS and scheduled not in RUNS and interrupted not in RUNS

    after = JobQueue.from_settings(settings, path=path)  # a new process on the same file
    worker = JobWorker(after, settings, workers=1, max_delay=0.2)
    await asyncio.to_thread(worker.start)
    try:
        await eventually(lambda: all(RUNS.get(x) == [1] for x in (queued, scheduled, interrupted)))
    finally:
        await asyncio.to_thread(worker.stop)
        after.close()


async def test_embedded_worker_in_the_server_runs_jobs(app: FastAPI, db: Database) -> None:
    assert app.state.jobs.running
    t = token()
    async with db.transaction() as session:
        await enqueue(session, record, t)
    await eventually(lambda: RUNS.get(t) == [1])


async def test_prune_job_drops_old_events_and_records_the_gap(
    jobs_db: Database, db: Database, queue: JobQueue, settings: Settings
) -> None:
    async with db.transaction() as session:
        for _ in range(3):
            await publish(session, [4242], OrgChanged(person_ids=[], department_ids=[]))
    old = utcnow() - dt.timedelta(days=settings.event_retention_days + 1)
    async with db.transaction() as session:
        await session.execute(
            update(EventRecord)
            .where(EventRecord.person_id == 4242, EventRecord.seq <= 2)
            .values(created_at=old)
        )
    queue.send(prune_event_stream)

    async def state() -> tuple[list[int], int]:
        async with db.transaction(write=False) as session:
            seqs = (
                await session.execute(select(EventRecord.seq).where(EventRecord.person_id == 4242))
            ).scalars()
            cursor = await session.get(EventCursor, 4242)
            assert cursor is not None
            await session.refresh(cursor)
            return sorted(seqs), cursor.pruned_through

    for _ in range(200):
        seqs, pruned_through = await state()
        if pruned_through:
            break
        await asyncio.sleep(0.05)
    assert seqs == [3]
    assert pruned_through == 2


def test_cron_expressions() -> None:
    every_five = _crontab("*/5 * * * *")
    assert every_five(dt.datetime(2025, 1, 1, 3, 10))
    assert not every_five(dt.datetime(2025, 1, 1, 3, 11))
    hourly = _crontab("7 * * * *")
    assert hourly(dt.datetime(2025, 1, 1, 3, 7))
    with pytest.raises(ValueError):
        _crontab("*/5 * * *")
    with pytest.raises(ValueError):
        _crontab("61 * * * *")


@job()
async def quick_progress(ctx: JobContext, person_id: int) -> None:
    await ctx.progress(person_id, 0.5, "half")


async def test_embedded_worker_progress_reaches_the_servers_broker(app: FastAPI, db: Database) -> None:
    """Events a job publishes on the worker's loop are handed to the server's broker (live sockets)."""
    seen: list[tuple[int, str, str]] = []

    async def capture(batch: list[StreamEvent]) -> None:
        seen.extend((e.person_id, e.type, e.payload["status"]) for e in batch if e.type == "job.progress")

    app.state.broker.subscribe(capture)
    async with db.transaction() as session:
        await enqueue(session, quick_progress, 777001)
    await eventually(lambda: len(seen) == 2)
    assert seen == [(777001, "job.progress", "running"), (777001, "job.progress", "succeeded")]
