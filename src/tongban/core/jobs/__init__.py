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

import datetime as dt
import logging

from tongban.core.db import utcnow
from tongban.core.jobs.queue import INFLIGHT_PREFIX, JobQueue, enqueue
from tongban.core.jobs.registry import JobContext, job, periodic
from tongban.core.jobs.registry import _crontab as _crontab  # used by the tests
from tongban.core.jobs.runtime import JobWorker
from tongban.core.jobs.wiring import run_worker, start_jobs, stop_jobs

__all__ = [
    "INFLIGHT_PREFIX",
    "JobContext",
    "JobQueue",
    "JobWorker",
    "enqueue",
    "job",
    "periodic",
    "prune_event_stream",
    "run_worker",
    "start_jobs",
    "stop_jobs",
]

log = logging.getLogger(__name__)


# ---- core's own jobs ------------------------------------------------------------------------
# Declared here, not in a submodule: a job's key is its module and name, so moving it would
# orphan runs already queued under "tongban.core.jobs.prune_event_stream".


@periodic("7 * * * *", name="events.prune")
async def prune_event_stream(ctx: JobContext) -> None:
    """Hourly: drop stream events past `event_retention_days` (clients older than that resync)."""
    from tongban.core.events.service import prune

    horizon = utcnow() - dt.timedelta(days=ctx.settings.event_retention_days)
    removed = await prune(ctx.session, horizon)
    if removed:
        log.info("pruned %d stream events older than %s", removed, horizon.isoformat())
