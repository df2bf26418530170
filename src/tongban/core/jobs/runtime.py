"""The consumer side: the event loop job bodies run on, and the worker that drives Huey's threads."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from huey.api import Task
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.config import Settings
from tongban.core.db import Database, run_after_commit
from tongban.core.jobs.huey_ext import _Consumer
from tongban.core.jobs.queue import JobQueue
from tongban.core.jobs.registry import Job, JobContext

if TYPE_CHECKING:
    from tongban.core.events.service import StreamEvent


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
