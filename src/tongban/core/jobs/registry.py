"""Declaring jobs: `@job`, `@periodic`, the registry of declared jobs, and the `JobContext` a body gets.

A job's key is `<module>.<qualname>` of its function, and names it in the queue (see `Job`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib
import importlib.util
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, Literal, ParamSpec

from huey import crontab
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.config import Settings
from tongban.core.db import Database
from tongban.core.events import publish

P = ParamSpec("P")
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
