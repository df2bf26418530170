"""Background jobs: one interface for the capabilities, Huey underneath.

A capability declares a job with `@job(...)` (or a scheduled one with `@periodic("cron")`); its
body is an async function taking a `JobContext` and plain, picklable arguments (ids, never ORM
objects). A service queues it with `enqueue(session, some_job, 42)`: the job is handed to the
queue only after the surrounding transaction commits, and dropped if it rolls back.

Storage: embedded mode keeps the queue in `data_dir/jobs.db` (Huey's SQLite storage), so queued
and scheduled jobs survive a restart; scaled out (TONGBAN_REDIS_URL set) the queue lives in Redis
and `tongban worker` processes consume it.

Execution: Huey's consumer runs worker *threads*; each job body runs as a coroutine on one event
loop that the worker owns (a dedicated thread), with its own async engine created on that loop.
One run of a job is one database transaction, begun lazily at the job's first statement so a
long job that reports progress does not hold SQLite's write lock while it works. Failures are
retried with exponential backoff (`retry_delay`, then x`backoff` each time).

Delivery is at-least-once: in embedded mode a job that was running when the process died is
queued again at the next start, so job bodies should be idempotent.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import fcntl
import importlib
import importlib.util
import logging
import os
import pkgutil
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, Generic, Literal, ParamSpec, Protocol

from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey, Task, TaskWrapper
from huey.consumer import Consumer, Scheduler, Worker
from huey.utils import normalize_time
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.config import Settings
from tongban.core.db import Database, on_commit, run_after_commit, utcnow
from tongban.core.events import publish

if TYPE_CHECKING:
    from tongban.core.events.service import StreamEvent

log = logging.getLogger(__name__)

P = ParamSpec("P")
QUEUE_NAME = "tongban"
INFLIGHT_PREFIX = "tongban.inflight:"
JobStatus = Literal["running", "succeeded", "failed", "retrying"]


# ---- events ---------------------------------------------------------------------------------


class JobProgress(BaseModel):
    """Sent to the people a job reports to: while it runs, and once when it ends."""

    type: Literal["job.progress"] = "job.progress"
    job_id: str
    name: str
    progress: float = Field(ge=0, le=1)
    status: JobStatus
    message: str = ""


# ---- declaring jobs -------------------------------------------------------------------------


@dataclass(eq=False)
class Job(Generic[P]):
    """A declared job. `key` names it in the queue, so renaming a job orphans queued runs."""

    key: str
    name: str
    func: Callable[Concatenate[JobContext, P], Awaitable[None]]
    retries: int = 0
    retry_delay: float = 0.0
    backoff: float = 2.0
    cron: str | None = None


_REGISTRY: dict[str, Job[Any]] = {}


def _declare(
    func: Callable[..., Awaitable[None]],
    *,
    name: str | None,
    retries: int,
    retry_delay: float,
    backoff: float,
    cron: str | None,
) -> Job[Any]:
    if not asyncio.iscoroutinefunction(func):
        raise TypeError(f"job {func.__qualname__} must be an async function")
    key = f"{func.__module__}.{func.__qualname__}"
    if key in _REGISTRY:
        raise ValueError(f"job {key} declared twice")
    declared: Job[Any] = Job(
        key=key,
        name=name or func.__name__,
        func=func,
        retries=retries,
        retry_delay=retry_delay,
        backoff=backoff,
        cron=cron,
    )
    if cron is not None:
        _crontab(cron)  # fail at import time, not in the scheduler
    _REGISTRY[key] = declared
    return declared


def job(
    *, retries: int = 0, retry_delay: float = 10.0, backoff: float = 2.0, name: str | None = None
) -> Callable[[Callable[Concatenate[JobContext, P], Awaitable[None]]], Job[P]]:
    """Declare a job: `@job(retries=3, retry_delay=5)` over `async def f(ctx, ...)`.

    A failed run is retried `retries` times, after `retry_delay` seconds and then `backoff`
    times longer each time (5, 10, 20 s for the example).
    """

    def decorate(func: Callable[Concatenate[JobContext, P], Awaitable[None]]) -> Job[P]:
        return _declare(func, name=name, retries=retries, retry_delay=retry_delay, backoff=backoff, cron=None)

    return decorate


def periodic(
    cron: str, *, retries: int = 0, retry_delay: float = 60.0, backoff: float = 2.0, name: str | None = None
) -> Callable[[Callable[[JobContext], Awaitable[None]]], Job[[]]]:
    """Declare a job run on a schedule, "minute hour day month weekday" in UTC (Huey's crontab).

    Scaled out, every worker's scheduler sees the same minute; a claim in Redis makes exactly one
    of them queue the run.
    """

    def decorate(func: Callable[[JobContext], Awaitable[None]]) -> Job[[]]:
        return _declare(func, name=name, retries=retries, retry_delay=retry_delay, backoff=backoff, cron=cron)

    return decorate


def _crontab(cron: str) -> Callable[[dt.datetime], bool]:
    parts = cron.split()
    if len(parts) != 5:
        raise ValueError(f"cron expression {cron!r} needs 5 fields: minute hour day month weekday")
    minute, hour, day, month, day_of_week = parts
    validate: Callable[[dt.datetime], bool] = crontab(
        minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, strict=True
    )
    return validate


def discover_jobs() -> list[Job[Any]]:
    """Import every capability's `jobs` module so a worker knows every job that may be queued."""
    import tongban

    for info in pkgutil.iter_modules(tongban.__path__):
        if not info.ispkg:
            continue
        with contextlib.suppress(ModuleNotFoundError):
            spec = importlib.util.find_spec(f"tongban.{info.name}.jobs")
            if spec is not None:
                importlib.import_module(f"tongban.{info.name}.jobs")
    return list(_REGISTRY.values())


# ---- the context a job body receives --------------------------------------------------------


@dataclass
class JobContext:
    """What a running job gets: its id, its transaction, and a way to report progress."""

    job_id: str
    name: str
    attempt: int
    final_attempt: bool
    settings: Settings
    db: Database
    session: AsyncSession
    _watchers: dict[int, float] = field(default_factory=dict)

    async def progress(self, person_id: int, fraction: float, message: str = "") -> None:
        """Tell `person_id` how far the job is (0..1), live and in their event stream.

        The report is committed at once in its own transaction. On SQLite, once the job has
        touched the database its transaction holds the only write lock, so a report made after
        that is stored in the job's own transaction and arrives when the job commits.
        """
        fraction = min(max(fraction, 0.0), 1.0)
        self._watchers[person_id] = fraction
        event = JobProgress(
            job_id=self.job_id, name=self.name, progress=fraction, status="running", message=message
        )
        if self.db.is_sqlite and self.session.in_transaction():
            await publish(self.session, [person_id], event)
            return
        async with self.db.transaction() as session:
            await publish(session, [person_id], event)

    async def _finish(self, status: JobStatus, message: str = "") -> None:
        if not self._watchers:
            return
        async with self.db.transaction() as session:
            for person_id, fraction in self._watchers.items():
                done = 1.0 if status == "succeeded" else fraction
                event = JobProgress(
                    job_id=self.job_id, name=self.name, progress=done, status=status, message=message
                )
                await publish(session, [person_id], event)


@contextlib.asynccontextmanager
async def _job_transaction(db: Database) -> AsyncIterator[AsyncSession]:
    """`Database.transaction()`, except that the (write) transaction begins at the first statement."""
    bind = db.engine.execution_options(sqlite_begin="IMMEDIATE") if db.is_sqlite else db.engine
    async with db.sessionmaker(bind=bind) as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            session.info.pop("on_commit", None)
            raise
        await run_after_commit(session)


# ---- queueing -------------------------------------------------------------------------------


class JobQueue:
    """The producer side: Huey storage plus the registered jobs. Cheap; one per process."""

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self.wake = threading.Event()  # lets an in-process worker pick a new job up at once
        self.runtime: _Runtime | None = None
        self._wrappers: dict[str, TaskWrapper] = {}
        self._lock = threading.Lock()
        for declared in list(_REGISTRY.values()):
            self.register(declared)

    @classmethod
    def from_settings(cls, settings: Settings, *, path: Path | None = None) -> JobQueue:
        if settings.redis_url:
            return cls(RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False))
        target = path or settings.data_dir / "jobs.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        return cls(SqliteHuey(QUEUE_NAME, filename=str(target), results=False))

    @property
    def is_sqlite(self) -> bool:
        return isinstance(self.huey, SqliteHuey)

    def register(self, declared: Job[Any]) -> TaskWrapper:
        with self._lock:
            wrapper = self._wrappers.get(declared.key)
            if wrapper is not None:
                return wrapper

            def execute(*args: Any, task: Task, **kwargs: Any) -> None:
                self._execute(declared, task, args, kwargs)

            module, _, qualname = declared.key.rpartition(".")
            execute.__module__ = module  # Huey names the task "<module>.<name>": our key
            options: dict[str, Any] = {
                "retries": declared.retries,
                "retry_delay": declared.retry_delay,
                "retry_backoff": declared.backoff,
                "context": True,
                "name": qualname,
            }
            if declared.cron is not None:
                wrapper = self.huey.periodic_task(_crontab(declared.cron), **options)(execute)
            else:
                wrapper = self.huey.task(**options)(execute)
            self._wrappers[declared.key] = wrapper
            return wrapper

    def send(
        self,
        declared: Job[Any],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        job_id: str | None = None,
        delay: float | dt.timedelta | None = None,
        eta: dt.datetime | None = None,
    ) -> str:
        """Queue a run now (blocking I/O; `enqueue` calls it after commit, off the event loop)."""
        wrapper = self.register(declared)
        when = None
        if delay is not None or eta is not None:
            if eta is not None and eta.tzinfo is None:
                raise ValueError("eta must be timezone-aware")
            when = normalize_time(eta, delay, utc=True)
        task = wrapper.task_class((*args,), dict(kwargs or {}), id=job_id or uuid.uuid4().hex, eta=when)
        if when is None:
            self.huey.enqueue(task)
        else:
            self.huey.add_schedule(task)
        self.wake.set()
        return str(task.id)

    def pending_count(self) -> int:
        return int(self.huey.pending_count())

    def scheduled_count(self) -> int:
        return int(self.huey.scheduled_count())

    def close(self) -> None:
        close = getattr(self.huey.storage, "close", None)
        if close is not None:
            close()

    # -- worker side

    def _execute(self, declared: Job[Any], task: Task, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        runtime = self.runtime
        if runtime is None:
            raise RuntimeError("job executed without a running worker")
        marker = f"{INFLIGHT_PREFIX}{task.id}"
        tracked = self.is_sqlite and not declared.cron
        if tracked:
            # Huey removes a job from the queue when it starts; remember it until it ends so a
            # crash mid-run does not lose it (re-queued by `recover_interrupted` at the next start).
            self.huey.storage.put_data(marker, self.huey.serialize_task(task))
        try:
            runtime.run(declared, task, args, kwargs)
        finally:
            if tracked:
                self.huey.storage.delete_data(marker)

    def recover_interrupted(self) -> int:
        """Queue again the runs a previous process left unfinished (embedded, single consumer)."""
        if not self.is_sqlite:
            return 0
        storage = self.huey.storage
        count = 0
        for key, data in storage.result_items().items():
            if str(key).startswith(INFLIGHT_PREFIX):
                storage.enqueue(bytes(data), 0)
                storage.delete_data(key)
                count += 1
        if count:
            log.warning("re-queued %d job(s) interrupted by the last shutdown", count)
        return count


async def enqueue(
    session: AsyncSession,
    declared: Job[Any],
    *args: Any,
    delay: float | dt.timedelta | None = None,
    eta: dt.datetime | None = None,
    **kwargs: Any,
) -> str:
    """Queue `declared` once `session` commits (never if it rolls back); returns the job id.

    `delay` (seconds or a timedelta) or `eta` (an aware datetime) runs it later. Arguments must
    pickle: pass ids and plain values, never ORM objects.
    """
    if delay is not None and eta is not None:
        raise TypeError("give delay= or eta=, not both")
    return await _enqueue(session, declared, args, kwargs, delay=delay, eta=eta)


async def _enqueue(
    session: AsyncSession,
    declared: Job[Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    delay: float | dt.timedelta | None,
    eta: dt.datetime | None,
) -> str:
    queue = queue_for(session)
    job_id = uuid.uuid4().hex
    if eta is not None and eta.tzinfo is None:
        raise ValueError("eta must be timezone-aware")

    async def send() -> None:
        await asyncio.to_thread(queue.send, declared, args, kwargs, job_id=job_id, delay=delay, eta=eta)

    on_commit(session, send)
    return job_id


_producers: dict[str, JobQueue] = {}
_producers_lock = threading.Lock()


def queue_for(session: AsyncSession) -> JobQueue:
    """The session's job queue: the process's own, or one built from its settings (CLI commands)."""
    queue: JobQueue | None = session.info.get("jobs")
    if queue is not None:
        return queue
    settings: Settings | None = session.info.get("settings")
    if settings is None:
        raise RuntimeError("this session has neither a job queue nor settings to build one")
    key = settings.redis_url or str((settings.data_dir / "jobs.db").resolve())
    with _producers_lock:
        if key not in _producers:
            _producers[key] = JobQueue.from_settings(settings)
        return _producers[key]


# ---- running --------------------------------------------------------------------------------


class _Broker(Protocol):
    async def publish(self, batch: list[StreamEvent]) -> None: ...


class ForwardingBroker:
    """Hands event batches to a broker living on another event loop (the server's, when embedded)."""

    def __init__(self, broker: _Broker, loop: asyncio.AbstractEventLoop) -> None:
        self._broker, self._loop = broker, loop

    async def publish(self, batch: list[StreamEvent]) -> None:
        future = asyncio.run_coroutine_threadsafe(self._broker.publish(batch), self._loop)
        await asyncio.wrap_future(future)


BrokerFactory = Callable[[], Awaitable[_Broker | None]]


class _Runtime:
    """The event loop jobs run on (one thread), with the engine and broker built on that loop."""

    def __init__(self, settings: Settings, queue: JobQueue, broker_factory: BrokerFactory) -> None:
        self.settings = settings
        self.queue = queue
        self._broker_factory = broker_factory
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="jobs-loop", daemon=True)
        self.db: Database | None = None
        self._broker: _Broker | None = None

    def start(self) -> None:
        self._thread.start()
        self._call(self._open())

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self._call(self._close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
            self.loop.close()

    def _call(self, coro: Awaitable[Any]) -> Any:
        future: concurrent.futures.Future[Any] = asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]
        return future.result()

    async def _open(self) -> None:
        self._broker = await self._broker_factory()
        info: dict[str, Any] = {"settings": self.settings, "jobs": self.queue}
        if self._broker is not None:
            info["broker"] = self._broker
        self.db = Database(self.settings.resolved_database_url, info=info)

    async def _close(self) -> None:
        if self.db is not None:
            await self.db.dispose()
        stop = getattr(self._broker, "stop", None)
        if stop is not None:
            await stop()

    def run(self, declared: Job[Any], task: Task, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Called on a Huey worker thread: run the body on the loop and wait for it."""
        self._call(self._run(declared, task, args, kwargs))

    async def _run(
        self, declared: Job[Any], task: Task, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        db = self.db
        if db is None:
            raise RuntimeError("job runtime not started")
        ctx: JobContext | None = None
        try:
            async with _job_transaction(db) as session:
                ctx = JobContext(
                    job_id=str(task.id),
                    name=declared.name,
                    attempt=declared.retries - int(task.retries) + 1,
                    final_attempt=int(task.retries) == 0,
                    settings=self.settings,
                    db=db,
                    session=session,
                )
                await declared.func(ctx, *args, **kwargs)
        except Exception as exc:
            if ctx is not None:
                with contextlib.suppress(Exception):
                    await ctx._finish("failed" if ctx.final_attempt else "retrying", str(exc)[:200])
            raise
        await ctx._finish("succeeded")


class _WakeableWorker(Worker):  # type: ignore[misc]
    """Huey's worker, woken at once by a job queued in this process instead of its next poll."""

    wake: threading.Event
    delay: float
    default_delay: float
    max_delay: float
    backoff: float

    def sleep(self) -> None:
        self.delay = min(self.delay, self.max_delay)
        if self.wake.wait(self.delay):
            self.wake.clear()
            self.delay = self.default_delay
            return
        self.delay *= self.backoff


class _ClaimingScheduler(Scheduler):  # type: ignore[misc]
    """Queues each periodic run once across all consumers sharing a Redis queue."""

    def enqueue_periodic_tasks(self, now: dt.datetime | None) -> None:
        timestamp = now or self.huey._get_timestamp()
        conn = getattr(self.huey.storage, "conn", None)
        for task in self.huey.read_periodic(timestamp):
            if isinstance(self.huey, RedisHuey) and conn is not None:
                key = f"tongban:periodic:{type(task).__name__}:{timestamp:%Y%m%d%H%M}"
                if not conn.set(key, b"1", nx=True, ex=3600):
                    continue
            try:
                self.huey.enqueue(task)
            except Exception:
                self._logger.exception("Error enqueueing periodic task %s.", task)


class _Consumer(Consumer):  # type: ignore[misc]
    worker_class = _WakeableWorker
    scheduler_class = _ClaimingScheduler

    def __init__(self, huey: Huey, wake: threading.Event, *, install_signals: bool, **options: Any) -> None:
        self._wake = wake
        self._install_signals = install_signals
        super().__init__(huey, **options)

    def _create_worker(self) -> Worker:
        worker = super()._create_worker()
        worker.wake = self._wake
        return worker

    def _set_signal_handlers(self) -> None:
        # Inside `tongban serve` the signals belong to uvicorn.
        if self._install_signals:
            super()._set_signal_handlers()


class JobWorker:
    """A consumer: Huey's scheduler and worker threads plus the loop the job bodies run on."""

    def __init__(
        self,
        queue: JobQueue,
        settings: Settings,
        *,
        broker_factory: BrokerFactory | None = None,
        workers: int = 4,
        max_delay: float | None = None,
        install_signals: bool = False,
    ) -> None:
        self.queue = queue
        self.settings = settings
        self._broker_factory = broker_factory or _no_broker
        self._workers = workers
        # A SQLite queue is polled (cheaply); Redis blocks on the list, so this is only its backstop.
        self._max_delay = max_delay if max_delay is not None else (1.0 if queue.is_sqlite else 10.0)
        self._install_signals = install_signals
        self._runtime: _Runtime | None = None
        self._consumer: _Consumer | None = None

    def _build(self) -> _Consumer:
        self._runtime = _Runtime(self.settings, self.queue, self._broker_factory)
        self._runtime.start()
        self.queue.runtime = self._runtime
        self.queue.recover_interrupted()
        return _Consumer(
            self.queue.huey,
            self.queue.wake,
            install_signals=self._install_signals,
            workers=self._workers,
            periodic=True,
            initial_delay=0.05,
            max_delay=self._max_delay,
            scheduler_interval=1,
            check_worker_health=True,
        )

    def start(self) -> None:
        """Start in background threads (embedded mode and tests)."""
        self._consumer = self._build()
        self._consumer.start()

    def stop(self) -> None:
        """Let running jobs finish, then stop the threads and the loop."""
        if self._consumer is not None:
            self._consumer.stop_flag.set()
            self.queue.wake.set()
            self._consumer.stop(graceful=True)
            self._consumer = None
        if self._runtime is not None:
            self.queue.runtime = None
            self._runtime.stop()
            self._runtime = None

    def run(self) -> None:
        """Run in the foreground until SIGINT/SIGTERM (`tongban worker`)."""
        self._consumer = self._build()
        try:
            self._consumer.run()
        finally:
            self._consumer = None
            self.stop()


async def _no_broker() -> _Broker | None:
    return None


# ---- wiring into the server and the worker command ------------------------------------------


class _FileLock:
    """Only one process consumes a SQLite queue: an exclusive lock beside the file decides which."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class Jobs:
    """What the server holds: the queue, and the embedded consumer when it runs one."""

    STANDBY_SECONDS = 10.0

    def __init__(self, queue: JobQueue, worker: JobWorker | None, lock: _FileLock | None) -> None:
        self.queue = queue
        self.worker = worker
        self._lock = lock
        self._stopping = threading.Event()
        self._standby: threading.Thread | None = None

    def _start(self) -> None:
        if self.worker is None:
            return
        if self._lock is None or self._lock.acquire():
            self.worker.start()
            return
        # Another process on this data directory consumes the queue; take over if it goes away.
        log.info("another process runs the embedded job worker for %s; standing by", self._lock.path)
        self._standby = threading.Thread(target=self._wait_for_lock, name="jobs-standby", daemon=True)
        self._standby.start()

    def _wait_for_lock(self) -> None:
        assert self._lock is not None and self.worker is not None
        while not self._stopping.wait(self.STANDBY_SECONDS):
            if self._lock.acquire():
                log.info("taking over the embedded job worker")
                self.worker.start()
                return

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker._consumer is not None

    def stop(self) -> None:
        self._stopping.set()
        if self._standby is not None:
            self._standby.join(timeout=5)
        if self.worker is not None:
            self.worker.stop()
        if self._lock is not None:
            self._lock.release()
        self.queue.close()


async def start_jobs(settings: Settings, db: Database, broker: _Broker) -> Jobs:
    """Called in the server's lifespan: give sessions the queue; start the embedded consumer."""
    queue = JobQueue.from_settings(settings)
    # Sessions find the queue in their info, like the broker (see Database.__init__).
    db.sessionmaker.kw.setdefault("info", {})["jobs"] = queue
    worker: JobWorker | None = None
    lock: _FileLock | None = None
    if settings.embedded_worker:
        discover_jobs()
        for declared in _REGISTRY.values():
            queue.register(declared)
        forwarder = ForwardingBroker(broker, asyncio.get_running_loop())

        async def broker_factory() -> _Broker | None:
            return forwarder

        worker = JobWorker(queue, settings, broker_factory=broker_factory)
        if queue.is_sqlite:
            lock = _FileLock(settings.data_dir / "jobs.db.lock")
    jobs = Jobs(queue, worker, lock)
    await asyncio.to_thread(jobs._start)
    return jobs


async def stop_jobs(jobs: Jobs) -> None:
    # Off the loop: a job finishing meanwhile may still hand events to this loop's broker.
    await asyncio.to_thread(jobs.stop)


def run_worker(settings: Settings, *, workers: int = 4) -> None:
    """`tongban worker`: consume the queue in the foreground until a signal stops it."""
    discover_jobs()
    queue = JobQueue.from_settings(settings)

    async def broker_factory() -> _Broker | None:
        if not settings.redis_url:
            # Events are still stored; servers deliver them on the next event or reconnect.
            return None
        from tongban.core.events.broker import RedisBroker

        return RedisBroker(settings.redis_url)

    lock = _FileLock(settings.data_dir / "jobs.db.lock") if queue.is_sqlite else None
    if lock is not None and not lock.acquire():
        raise SystemExit(
            "another process already consumes the embedded job queue "
            "(set TONGBAN_EMBEDDED_WORKER=false on the servers, or use Redis)"
        )
    try:
        JobWorker(queue, settings, broker_factory=broker_factory, workers=workers, install_signals=True).run()
    finally:
        if lock is not None:
            lock.release()
        queue.close()


# ---- core's own jobs ------------------------------------------------------------------------


@periodic("7 * * * *", name="events.prune")
async def prune_event_stream(ctx: JobContext) -> None:
    """Hourly: drop stream events past `event_retention_days` (clients older than that resync)."""
    from tongban.core.events.service import prune

    horizon = utcnow() - dt.timedelta(days=ctx.settings.event_retention_days)
    removed = await prune(ctx.session, horizon)
    if removed:
        log.info("pruned %d stream events older than %s", removed, horizon.isoformat())
