"""The producer side: the Huey-backed queue, and `enqueue`, which hands a job to it after commit."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huey import RedisHuey, SqliteHuey
from huey.api import Huey, Task, TaskWrapper
from huey.utils import normalize_time
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.config import Settings
from tongban.core.db import on_commit
from tongban.core.jobs.registry import _REGISTRY, Job, _crontab

if TYPE_CHECKING:
    from tongban.core.jobs.runtime import _Runtime

# The package's logger, as before jobs.py was split into modules.
log = logging.getLogger("tongban.core.jobs")

QUEUE_NAME = "tongban"
INFLIGHT_PREFIX = "tongban.inflight:"


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
